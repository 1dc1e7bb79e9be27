/** Making a new endpoint: what a caller chooses, and the defaults for the rest. */
import { generateKeyPair, generateSecret } from '@hookd/sdk';
import { publicKeyOf } from '@hookd/sdk/verify';
import { newId } from './ids.js';
import { NO_LIMITS } from './limits.js';
import type { Endpoint, SignatureScheme } from './types.js';

export type NewEndpoint = Pick<Endpoint, 'appId' | 'url'> &
  Partial<
    Pick<
      Endpoint,
      | 'description'
      | 'events'
      | 'filter'
      | 'signatureScheme'
      | 'secret'
      | 'headers'
      | 'transformation'
      | 'rateLimit'
      | 'maxInFlight'
      | 'fifo'
      | 'sendTraceContext'
    >
  >;

/**
 * What a scheme signs with: ed25519 a Standard Webhooks key pair's `whsk_…` secret key (its receivers hold only
 * the `whpk_…` public key), the HMAC schemes a `whsec_…` secret.
 */
export function newSecretFor(scheme: SignatureScheme): string {
  return scheme === 'ed25519' ? generateKeyPair().secretKey : generateSecret();
}

/** Whether `secret` is of the kind `scheme` signs with. */
export function secretFits(scheme: SignatureScheme, secret: string): boolean {
  return (scheme === 'ed25519') === secret.startsWith('whsk_');
}

/** An enabled endpoint signing with Standard Webhooks under a generated secret, with no custom headers and no limits. */
export function newEndpoint(fields: NewEndpoint, now: number): Endpoint {
  // A field given as undefined (absent from a request body) keeps its default.
  const given = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as NewEndpoint;
  const signatureScheme = given.signatureScheme ?? 'standard';
  return {
    id: newId('ep', now),
    description: '',
    events: null,
    filter: null,
    signatureScheme,
    secret: newSecretFor(signatureScheme),
    headers: {},
    transformation: null,
    ...NO_LIMITS,
    sendTraceContext: false,
    ...given,
    previousSecret: null,
    previousSecretExpiresAt: null,
    disabledAt: null,
    disabledReason: null,
    pausedAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

/** What an endpoint's receivers verify with: the `whsec_…` secret of an HMAC scheme, or an ed25519 `whpk_…` key. */
export function signingKeys(ep: Pick<Endpoint, 'signatureScheme' | 'secret'>): {
  secret: string | null;
  publicKey: string | null;
} {
  return ep.signatureScheme === 'ed25519'
    ? { secret: null, publicKey: publicKeyOf(ep.secret) }
    : { secret: ep.secret, publicKey: null };
}
