/** The JSON answers the core gives: an acknowledgement, or `{"error":{"code","message"}}` with the code's status. */
import { RECEIVER_ERRORS, type ReceiverErrorCode } from './errors.js';
import type { ReceiverAnswer } from './types.js';

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

export function accepted(duplicate = false): ReceiverAnswer {
  return {
    status: 200,
    headers: { ...JSON_TYPE },
    body: JSON.stringify(duplicate ? { received: true, duplicate } : { received: true }),
  };
}

/** The answer to a provider's URL check (see Scheme.handshake), as the provider asked for it. */
export function handshakeAnswer(body: Record<string, string>): ReceiverAnswer {
  return { status: 200, headers: { ...JSON_TYPE }, body: JSON.stringify(body) };
}

export function errorAnswer(
  code: ReceiverErrorCode,
  message: string,
  extra: { headers?: Record<string, string>; fields?: Record<string, unknown> } = {},
): ReceiverAnswer {
  return {
    status: RECEIVER_ERRORS[code].status,
    headers: { ...JSON_TYPE, ...extra.headers },
    body: JSON.stringify({ error: { code, message, ...extra.fields } }),
  };
}
