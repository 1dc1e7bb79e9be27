/** Builds a request exactly as hookd, Stripe, GitHub, Shopify or Slack would send it, for users' own tests. */
import { SCHEMES, type SchemeName } from '../schemes/index.js';
import { SENDERS } from './senders.js';

export type SignTestRequestOptions = {
  scheme: SchemeName;
  /** An object is sent as JSON (with the fields the provider always sends added when missing); a string as is. */
  payload: object | string;
  /** The event type (`invoice.paid`, `push`, `orders/create`); default the payload's own, then the provider's usual one. */
  type?: string;
  /** The delivery id (`webhook-id`, `X-GitHub-Delivery`, the Stripe event id, …); default a new one in the provider's form. */
  id?: string;
  /** Unix seconds; default now. Sign in the past or the future to test a receiver's tolerance. */
  timestamp?: number;
  /** Default the provider's own (JSON); set it to send a form-encoded Slack command, say. */
  contentType?: string;
} & ({ secret: string; secrets?: never } | { secrets: string | readonly string[]; secret?: never });

export interface SignedTestRequest {
  /** Send these exact bytes: the signature covers them. */
  body: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
}

export function signTestRequest(options: SignTestRequestOptions): SignedTestRequest {
  const sender = SENDERS[options.scheme];
  const payload = options.payload;
  const ownType = typeof payload === 'object' && payload !== null ? (payload as { type?: unknown }).type : undefined;
  const facts = {
    id: options.id ?? sender.newId(),
    type: options.type ?? (typeof ownType === 'string' ? ownType : sender.defaultType),
    timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
  };
  const complete = typeof payload === 'string' ? payload : (sender.completeBody?.({ ...payload }, facts) ?? payload);
  const body = typeof complete === 'string' ? complete : JSON.stringify(complete);
  const secrets = options.secrets ?? options.secret;
  const signature = SCHEMES[options.scheme].sign({ body, secrets, timestamp: facts.timestamp, id: facts.id });
  return { body, headers: { 'content-type': options.contentType ?? sender.contentType, ...sender.headers(facts), ...signature } };
}
