/** The receiver's counters, a plain object with every refusal kind present from the start (so exporters see zeros). */
import type { RefusalKind } from './errors.js';
import type { ReceiverMetrics } from './types.js';

export function createMetrics(): ReceiverMetrics {
  const refused: Record<RefusalKind, number> = {
    method: 0,
    ip: 0,
    rate_limit: 0,
    payload_too_large: 0,
    body_unreadable: 0,
    raw_body_unavailable: 0,
    signature: 0,
    body_not_text: 0,
    invalid_json: 0,
    validation: 0,
    in_progress: 0,
    unavailable: 0,
    internal: 0,
  };
  return { received: 0, processed: 0, failed: 0, duplicates: 0, refused };
}
