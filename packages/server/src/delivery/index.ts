export {
  AddressRefusedError,
  hostOf,
  type ResolvedAddress,
  type Resolver,
  resolveAllowed,
  systemResolver,
} from './addresses.js';
export { attemptTimedOut, classifySendError, type SendPhase, type TimeoutSettings } from './failures.js';
export { type PreparedDelivery, prepareRequest, type Transform } from './send.js';
export { DeliveryWorker, type WorkerDeps } from './worker.js';
