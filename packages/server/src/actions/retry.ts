/** Retrying one delivery by hand, behind POST /v1/apps/{app}/deliveries/{dlv}/retry and the dashboard. */
import { auditEntry, type Delivery, isPurged, type Requester } from '../domain/index.js';
import type { AdminStore } from '../store/index.js';
import { ApiError } from './errors.js';

export interface RetryDeps {
  store: Pick<AdminStore, 'findDelivery' | 'findEndpoint' | 'findMessage' | 'retryDelivery'>;
  clock: () => number;
  /** Wakes this process's worker. */
  onDeliveriesDue: () => void;
}

/** Makes the delivery due now with a fresh schedule and wakes the worker; throws ApiError when it may not be retried. */
export async function retryDelivery(ctx: RetryDeps, who: Requester, appId: string, deliveryId: string): Promise<Delivery> {
  const delivery = await ctx.store.findDelivery(appId, deliveryId);
  if (!delivery) throw new ApiError('delivery_not_found');
  if (delivery.status === 'skipped') throw new ApiError('delivery_skipped');
  const endpoint = await ctx.store.findEndpoint(appId, delivery.endpointId);
  if (endpoint?.disabledAt != null) throw new ApiError('endpoint_disabled');
  const message = await ctx.store.findMessage(appId, delivery.messageId);
  if (message && isPurged(message)) throw new ApiError('message_purged');
  const now = ctx.clock();
  const changes = { status: { before: delivery.status, after: 'pending' } };
  const audit = auditEntry(who, { action: 'delivery.retried', appId, target: delivery.id, changes }, now);
  const retried = await ctx.store.retryDelivery(appId, delivery.id, now, audit);
  if (!retried) throw new ApiError('delivery_in_flight');
  ctx.onDeliveriesDue();
  return retried;
}
