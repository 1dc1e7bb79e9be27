/** Making a new endpoint: what a caller chooses, and the defaults for the rest. */
import { generateSecret } from '@hookd/sdk';
import { newId } from './ids.js';
import { NO_LIMITS } from './limits.js';
import type { Endpoint } from './types.js';

export type NewEndpoint = Pick<Endpoint, 'appId' | 'url'> &
  Partial<
    Pick<Endpoint, 'description' | 'events' | 'signatureScheme' | 'secret' | 'headers' | 'rateLimit' | 'maxInFlight' | 'fifo'>
  >;

/** An enabled endpoint signing with Standard Webhooks under a generated secret, with no custom headers and no limits. */
export function newEndpoint(fields: NewEndpoint, now: number): Endpoint {
  // A field given as undefined (absent from a request body) keeps its default.
  const given = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as NewEndpoint;
  return {
    id: newId('ep', now),
    description: '',
    events: null,
    signatureScheme: 'standard',
    secret: generateSecret(),
    headers: {},
    ...NO_LIMITS,
    ...given,
    previousSecret: null,
    previousSecretExpiresAt: null,
    disabledAt: null,
    disabledReason: null,
    createdAt: now,
    updatedAt: now,
  };
}
