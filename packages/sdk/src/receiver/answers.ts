/** The core's outcome as JSON: an acknowledgement, the sender's handshake, or `{"error":{"code","message"}}`. */
import type { ReceiverAnswer, ReceiverOutcome } from './types.js';

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

export function answerFor(outcome: ReceiverOutcome): ReceiverAnswer {
  if (!outcome.accepted) {
    const { code, message, issues } = outcome;
    const error = issues === undefined ? { code, message } : { code, message, issues };
    return { status: outcome.status, headers: { ...JSON_TYPE, ...outcome.headers }, body: JSON.stringify({ error }) };
  }
  // The provider's URL check (see Scheme.handshake) is answered as the provider asked for it.
  if ('handshake' in outcome) return { status: 200, headers: { ...JSON_TYPE }, body: JSON.stringify(outcome.handshake) };
  const body = outcome.duplicate ? { received: true, duplicate: true } : { received: true };
  return { status: 200, headers: { ...JSON_TYPE }, body: JSON.stringify(body) };
}
