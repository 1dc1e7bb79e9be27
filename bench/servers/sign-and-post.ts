/**
 * What every do-it-yourself sender does per delivery: sign Standard-Webhooks style with node:crypto and POST with
 * undici; a non-2xx answer throws, so the queue retries it.
 */
import { createHmac } from 'node:crypto';
import { type Agent, request } from 'undici';

export interface Delivery {
  url: string;
  id: string;
  body: string;
}

/** `secret` is `whsec_` and the key in base64. */
export function signingKey(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
}

/** The request headers of `body` sent as message `id` now, signed Standard-Webhooks style. */
export function signedHeaders(key: Buffer, id: string, body: string): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}

export async function signAndPost(dispatcher: Agent, key: Buffer, { url, id, body }: Delivery): Promise<void> {
  const response = await request(url, {
    method: 'POST',
    dispatcher,
    headers: signedHeaders(key, id, body),
    body,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  await response.body.dump();
  if (response.statusCode < 200 || response.statusCode > 299) throw new Error(`HTTP ${response.statusCode}`);
}
