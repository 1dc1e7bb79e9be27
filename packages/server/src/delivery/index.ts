export {
  AddressRefusedError,
  hostOf,
  type ResolvedAddress,
  type Resolver,
  resolveAllowed,
  systemResolver,
} from './addresses.js';
export { DeliveryWorker, type WorkerDeps } from './worker.js';
