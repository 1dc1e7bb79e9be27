/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, keyed with the webhook secret as
 * written (UTF-8). No timestamp is signed, so replays are caught by de-duplicating on `X-GitHub-Delivery`.
 * GitHub also sends the legacy `X-Hub-Signature: sha1=…`; it is added when signing and never trusted.
 */
import { createHmac } from 'node:crypto';
import { type Body, type HeaderSource, readHeader } from '../bytes.js';
import { secretList } from '../secret.js';
import { hmacSha256, requireHeader, requireMatch, signaturesAfter } from './checks.js';
import type { Scheme } from './types.js';

export const GITHUB_SIGNATURE_HEADER = 'x-hub-signature-256';

export interface GitHubVerifyInput {
  body: Body;
  headers: HeaderSource;
  secrets: string | readonly string[];
}

/** The headers GitHub signs a delivery with; several secrets give comma-separated values. */
export function signGitHub(body: Body, secrets: string | readonly string[]): Record<string, string> {
  const list = secretList(secrets);
  return {
    [GITHUB_SIGNATURE_HEADER]: list.map((s) => `sha256=${hmacSha256(s, '', body, 'hex')}`).join(','),
    'x-hub-signature': list.map((s) => `sha1=${createHmac('sha1', s).update(body).digest('hex')}`).join(','),
  };
}

export function verifyGitHub(input: GitHubVerifyInput): void {
  const header = requireHeader(input.headers, GITHUB_SIGNATURE_HEADER, 'X-Hub-Signature-256');
  const offered = signaturesAfter(header, ',', 'sha256=', 'X-Hub-Signature-256');
  const expected = secretList(input.secrets).map((s) => hmacSha256(s, '', input.body, 'hex'));
  requireMatch(expected, offered, 'X-Hub-Signature-256');
}

export const githubScheme: Scheme = {
  name: 'github',
  verify: (input) => {
    verifyGitHub(input);
    return { scheme: 'github' };
  },
  sign: ({ body, secrets }) => signGitHub(body, secrets),
  deliveryId: (headers) => readHeader(headers, 'x-github-delivery') ?? null,
  eventType: (headers) => readHeader(headers, 'x-github-event') ?? null,
};
