/**
 * OAuth 2.0 client-credentials tokens for endpoints that ask for them (RFC 6749 §4.4): POSTed form-encoded to the
 * token URL with the client authenticated by HTTP Basic (§2.3.1), kept until shortly before `expires_in`, fetched
 * once for every delivery waiting on it, and refreshed once when the endpoint answers 401. The token URL goes through
 * the endpoint's own HTTP client, so the SSRF rules (and the egress proxy) hold for it as for the endpoint.
 */
import { type Dispatcher, request } from 'undici';
import type { EndpointAuth, Network } from '../domain/index.js';
import { assertLiteralAllowed, hostOf } from './addresses.js';

type OAuth = Extract<EndpointAuth, { type: 'oauth2' }>;

/** The token could not be had: attempt error `auth_failed`. */
export class TokenError extends Error {
  readonly code = 'auth_failed';
}

/** A token is used until this long before it expires, so none expires on its way to the endpoint. */
const EXPIRY_MARGIN_MS = 30_000;
/** A token without `expires_in` is kept this long. */
const DEFAULT_LIFETIME_MS = 5 * 60_000;
const MAX_ANSWER_BYTES = 16_384;

interface Held {
  /** The settings it was fetched with: a change of client or scope fetches anew. */
  key: string;
  token: Promise<string>;
  expiresAt: number;
}

export class OAuthTokens {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly clock: () => number,
    private readonly allowed: readonly Network[],
    private readonly timeoutMs: number,
  ) {}

  /** The endpoint's bearer token; `renew` drops the one held (the endpoint refused it). */
  token(endpointId: string, auth: OAuth, dispatcher: Dispatcher, renew = false): Promise<string> {
    const key = JSON.stringify([auth.tokenUrl, auth.clientId, auth.clientSecret, auth.scope, auth.audience]);
    const now = this.clock();
    const held = this.held.get(endpointId);
    if (!renew && held?.key === key && now < held.expiresAt) return held.token;
    const entry: Held = { key, expiresAt: Number.POSITIVE_INFINITY, token: Promise.resolve('') };
    entry.token = this.fetch(auth, dispatcher).then(
      ({ token, lifetimeMs }) => {
        entry.expiresAt = this.clock() + Math.max(lifetimeMs - EXPIRY_MARGIN_MS, lifetimeMs / 2);
        return token;
      },
      (error: unknown) => {
        // A failure is not kept: the next attempt asks again.
        if (this.held.get(endpointId) === entry) this.held.delete(endpointId);
        throw error;
      },
    );
    this.held.set(endpointId, entry);
    return entry.token;
  }

  forget(endpointId: string): void {
    this.held.delete(endpointId);
  }

  private async fetch(auth: OAuth, dispatcher: Dispatcher): Promise<{ token: string; lifetimeMs: number }> {
    const url = new URL(auth.tokenUrl);
    assertLiteralAllowed(hostOf(url), this.allowed);
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (auth.scope) form.set('scope', auth.scope);
    if (auth.audience) form.set('audience', auth.audience);
    const basic = `${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`;
    let answer: Dispatcher.ResponseData;
    try {
      answer = await request(url, {
        method: 'POST',
        dispatcher,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          authorization: `Basic ${Buffer.from(basic).toString('base64')}`,
        },
        body: form.toString(),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const reason = (error as { code?: string }).code ?? (error as Error).message;
      throw new TokenError(`the token URL ${url.origin}${url.pathname} could not be reached: ${reason}`);
    }
    const text = (await answer.body.text()).slice(0, MAX_ANSWER_BYTES);
    let body: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // Reported below as an answer without a token.
    }
    if (answer.statusCode !== 200 || typeof body.access_token !== 'string' || body.access_token === '') {
      const why =
        typeof body.error === 'string'
          ? `: ${body.error}${typeof body.error_description === 'string' ? ` (${body.error_description})` : ''}`
          : '';
      throw new TokenError(`the token URL answered ${answer.statusCode} without a token${why}`);
    }
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : null;
    return { token: body.access_token, lifetimeMs: seconds === null ? DEFAULT_LIFETIME_MS : seconds * 1000 };
  }
}
