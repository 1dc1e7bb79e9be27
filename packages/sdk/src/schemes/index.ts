/** Every signature scheme by name, and the one `verify` entry point. */
import { randomUUID } from 'node:crypto';
import { readHeader } from '../bytes.js';
import { HMAC_SIGNATURE_HEADER, signHmacSha256Hex, verifyHmacSha256Hex } from './hmac.js';
import { signStandard, verifyStandard } from './standard.js';
import type { Scheme, SchemeName, Verified, VerifyInput } from './types.js';

export type { Scheme, SchemeName, SignInput, Verified, VerifyInput } from './types.js';

const standard: Scheme = {
  name: 'standard',
  verify: (input) => ({ scheme: 'standard', timestamp: verifyStandard(input).timestamp }),
  sign: ({ body, secrets, timestamp, id }) =>
    signStandard({ body, secrets, id: id ?? `msg_${randomUUID()}`, timestamp: timestamp ?? Math.floor(Date.now() / 1000) }),
  deliveryId: (headers) => readHeader(headers, 'webhook-id') ?? readHeader(headers, 'svix-id') ?? null,
  eventType: (_headers, payload) => stringField(payload, 'type'),
};

const hmacSha256Hex: Scheme = {
  name: 'hmac-sha256-hex',
  verify: (input) => {
    verifyHmacSha256Hex(input);
    return { scheme: 'hmac-sha256-hex' };
  },
  sign: ({ body, secrets }) => ({ [HMAC_SIGNATURE_HEADER]: signHmacSha256Hex(body, secrets) }),
  deliveryId: (headers) => readHeader(headers, 'x-webhook-delivery') ?? null,
  eventType: (headers, payload) => readHeader(headers, 'x-webhook-event') ?? stringField(payload, 'type'),
};

export const SCHEMES: Readonly<Record<SchemeName, Scheme>> = {
  standard,
  'hmac-sha256-hex': hmacSha256Hex,
  // TODO(helper A): stripe, github, shopify, slack
} as Record<SchemeName, Scheme>;

/** Verifies a request signed with `scheme`; throws WebhookVerificationError with a code otherwise. */
export function verify(scheme: SchemeName, input: VerifyInput): Verified {
  return SCHEMES[scheme].verify(input);
}

function stringField(payload: unknown, key: string): string | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const value = (payload as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : null;
}
