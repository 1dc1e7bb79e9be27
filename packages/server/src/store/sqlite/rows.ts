/** Row ↔ record mapping for the SQLite tables: endpoint filters and headers and attempt headers are kept as JSON text. */
import * as shared from '../rows.js';

export {
  type AppRow,
  type DeliveryRow,
  type MessageRow,
  queryColumn,
  toApp,
  toDelivery,
  toMessage,
  toMessagePage,
  toPage,
} from '../rows.js';

export type EndpointRow = shared.EndpointRow<string | null, string>;
export const toEndpoint = (r: EndpointRow) =>
  shared.toEndpoint(
    r,
    (events) => (events === null ? null : (JSON.parse(events) as string[])),
    (headers) => JSON.parse(headers) as Record<string, string>,
  );

export type AttemptRow = shared.AttemptRow<string>;
export const toAttempt = (r: AttemptRow) => shared.toAttempt(r, (headers) => JSON.parse(headers) as Record<string, string>);

export type ClaimRow = shared.ClaimRow<string>;
export const toClaimedDelivery = (r: ClaimRow, leaseToken: string) =>
  shared.toClaimedDelivery(r, leaseToken, (headers) => JSON.parse(headers) as Record<string, string>);
