/**
 * What each provider puts around a signed request besides the signature: its content type, the headers
 * that carry the delivery id and event type, and the fields its body always holds. The signature
 * headers themselves come from the scheme's own `sign`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SchemeName } from '../schemes/index.js';

export interface RequestFacts {
  id: string;
  /** The event type, or null when neither the caller nor the payload names one and the sender has no default. */
  type: string | null;
  /** Unix seconds. */
  timestamp: number;
}

export interface Sender {
  newId(): string;
  /** Used when the caller names no type and the payload holds none; null: send no type. */
  defaultType: string | null;
  /** Where the type travels: in a header (set by `headers`) or as the body's `type` field. */
  typeIn: 'header' | 'body';
  contentType: string;
  /** Headers besides content type and signature. */
  headers(facts: RequestFacts): Record<string, string>;
  /** Fields a real sender always has in the body, added when the caller's object lacks them. */
  completeBody?(payload: Record<string, unknown>, facts: RequestFacts): Record<string, unknown>;
}

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomText(length: number, alphabet: string): string {
  let text = '';
  for (const byte of randomBytes(length)) text += alphabet[byte % alphabet.length];
  return text;
}

/** Keeps what the caller wrote; fills only what is missing. */
function withDefaults(payload: Record<string, unknown>, defaults: Record<string, unknown>): Record<string, unknown> {
  const filled = { ...payload };
  for (const [key, value] of Object.entries(defaults)) if (filled[key] === undefined && value !== undefined) filled[key] = value;
  return filled;
}

const standard: Sender = {
  newId: () => `msg_${randomText(27, ALPHANUMERIC)}`,
  defaultType: null,
  typeIn: 'body',
  contentType: 'application/json',
  headers: () => ({}),
  completeBody: (payload, { type }) => withDefaults(payload, { type: type ?? undefined }),
};

/** hookd's plain scheme, with the headers hookd's delivery worker adds. */
const hmacSha256Hex: Sender = {
  newId: () => `dlv_${randomText(26, ALPHANUMERIC.slice(0, 36))}`,
  defaultType: 'test.event',
  typeIn: 'header',
  contentType: 'application/json',
  headers: ({ id, type }) => ({
    'x-webhook-delivery': id,
    'x-webhook-attempt': '1',
    ...(type === null ? {} : { 'x-webhook-event': type }),
  }),
};

const stripe: Sender = {
  newId: () => `evt_${randomText(24, ALPHANUMERIC)}`,
  defaultType: 'payment_intent.succeeded',
  typeIn: 'body',
  contentType: 'application/json; charset=utf-8',
  headers: () => ({ 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' }),
  // Stripe's receivers de-duplicate and route on the event's id and type, so the body always has them.
  completeBody: (payload, { id, type, timestamp }) =>
    withDefaults(payload, { id, object: 'event', type: type ?? undefined, created: timestamp }),
};

const github: Sender = {
  newId: () => randomUUID(),
  defaultType: 'ping',
  typeIn: 'header',
  contentType: 'application/json',
  headers: ({ id, type }) => ({
    'user-agent': 'GitHub-Hookshot/hookd-test',
    'x-github-delivery': id,
    ...(type === null ? {} : { 'x-github-event': type }),
  }),
};

const shopify: Sender = {
  newId: () => randomUUID(),
  defaultType: 'orders/create',
  typeIn: 'header',
  contentType: 'application/json',
  headers: ({ id, type, timestamp }) => ({
    'user-agent': 'Shopify-Captain-Hook',
    'x-shopify-webhook-id': id,
    'x-shopify-event-id': randomUUID(),
    'x-shopify-triggered-at': new Date(timestamp * 1000).toISOString(),
    'x-shopify-shop-domain': 'hookd-test.myshopify.com',
    'x-shopify-api-version': '2025-07',
    ...(type === null ? {} : { 'x-shopify-topic': type }),
  }),
};

const slack: Sender = {
  newId: () => `Ev${randomText(10, ALPHANUMERIC.slice(0, 36))}`,
  defaultType: null,
  typeIn: 'body',
  contentType: 'application/json',
  headers: () => ({ 'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)' }),
  // An Events API callback: `event_id` is what a receiver de-duplicates on.
  completeBody: (payload, { id, type }) =>
    withDefaults(payload, { event_id: id, type: type ?? (payload.event === undefined ? undefined : 'event_callback') }),
};

export const SENDERS: Readonly<Record<SchemeName, Sender>> = {
  standard,
  'hmac-sha256-hex': hmacSha256Hex,
  stripe,
  github,
  shopify,
  slack,
};
