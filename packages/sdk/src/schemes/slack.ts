/**
 * Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:timestamp:body">` with the timestamp in
 * `X-Slack-Request-Timestamp`, keyed with the app's signing secret as written (UTF-8).
 */
import type { Body, HeaderSource } from '../bytes.js';
import { secretList } from '../secret.js';
import {
  checkTimestamp,
  hmacSha256,
  parseUnixSeconds,
  requireHeader,
  requireMatch,
  signaturesAfter,
  type TimeWindow,
} from './checks.js';
import { stringAt } from './payload.js';
import type { Scheme } from './types.js';

export const SLACK_SIGNATURE_HEADER = 'x-slack-signature';
export const SLACK_TIMESTAMP_HEADER = 'x-slack-request-timestamp';

export interface SlackSignInput {
  body: Body;
  secrets: string | readonly string[];
  /** Unix seconds. */
  timestamp: number;
}

/** The two headers Slack signs with; several secrets give comma-separated `v0=` values. */
export function signSlack(input: SlackSignInput): Record<string, string> {
  const timestamp = String(input.timestamp);
  const signatures = secretList(input.secrets).map((s) => `v0=${hmacSha256(s, `v0:${timestamp}:`, input.body, 'hex')}`);
  return { [SLACK_SIGNATURE_HEADER]: signatures.join(','), [SLACK_TIMESTAMP_HEADER]: timestamp };
}

export interface SlackVerifyInput extends TimeWindow {
  body: Body;
  headers: HeaderSource;
  secrets: string | readonly string[];
}

/** Returns the signed timestamp; throws WebhookVerificationError with a code otherwise. */
export function verifySlack(input: SlackVerifyInput): { timestamp: number } {
  const header = requireHeader(input.headers, SLACK_SIGNATURE_HEADER, 'X-Slack-Signature');
  const timestampText = requireHeader(input.headers, SLACK_TIMESTAMP_HEADER, 'X-Slack-Request-Timestamp');
  const timestamp = parseUnixSeconds(timestampText, 'X-Slack-Request-Timestamp');
  checkTimestamp(timestamp, input, 'X-Slack-Request-Timestamp');
  const offered = signaturesAfter(header, ',', 'v0=', 'X-Slack-Signature');
  const expected = secretList(input.secrets).map((s) => hmacSha256(s, `v0:${timestampText}:`, input.body, 'hex'));
  requireMatch(expected, offered, 'X-Slack-Signature');
  return { timestamp };
}

export const slackScheme: Scheme = {
  name: 'slack',
  verify: (input) => ({ scheme: 'slack', timestamp: verifySlack(input).timestamp }),
  sign: ({ body, secrets, timestamp }) => signSlack({ body, secrets, timestamp: timestamp ?? Math.floor(Date.now() / 1000) }),
  // Events API callbacks carry `event_id`; slash commands and interactions (form-encoded) carry none.
  deliveryId: (_headers, payload) => stringAt(payload, 'event_id'),
  eventType: (_headers, payload) => stringAt(payload, 'event', 'type') ?? stringAt(payload, 'type'),
  // Slack checks an Events API URL by sending a signed challenge that must come back before it sends any event.
  handshake: (payload) => {
    const challenge = stringAt(payload, 'challenge');
    return stringAt(payload, 'type') === 'url_verification' && challenge !== null ? { challenge } : null;
  },
};
