export {
  AddressRefusedError,
  hostOf,
  type ResolvedAddress,
  type Resolver,
  resolveAllowed,
  systemResolver,
} from './addresses.js';
export { deliveryHeaders } from './send.js';
export { DeliveryWorker, type WorkerDeps } from './worker.js';
