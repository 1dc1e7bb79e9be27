/** Row ↔ record mapping for the PostgreSQL tables: endpoint filters are a text[], endpoint and attempt headers json. */
import * as shared from '../rows.js';

export {
  type AppRow,
  type DeliveryRow,
  type MessageRow,
  queryColumn,
  toApp,
  toMessage,
  toMessagePage,
  toPage,
} from '../rows.js';

/** A leased delivery's next attempt is its lease's end, when it comes due again unless its attempt is recorded first. */
export const toDelivery = (r: shared.DeliveryRow & { lease_until?: number | null }) => ({
  ...shared.toDelivery(r),
  nextAttemptAt: r.lease_until ?? r.next_attempt_at,
});

export type EndpointRow = shared.EndpointRow<string[] | null, Record<string, string>>;
export const toEndpoint = (r: EndpointRow) =>
  shared.toEndpoint(
    r,
    (events) => events,
    (headers) => headers,
  );

export type AttemptRow = shared.AttemptRow<Record<string, string>>;
export const toAttempt = (r: AttemptRow) => shared.toAttempt(r, (headers) => headers);

export type ClaimRow = shared.ClaimRow<Record<string, string>> & { chosen_count: number };
export const toClaimedDelivery = (r: ClaimRow, leaseToken: string) =>
  shared.toClaimedDelivery(r, leaseToken, (headers) => headers);

/** PostgreSQL text cannot hold U+0000, which a binary response body decoded as UTF-8 may contain. */
export const storableText = (text: string | null): string | null => (text === null ? null : text.replaceAll('\u0000', '\uFFFD'));
