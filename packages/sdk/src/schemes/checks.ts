/** The steps every verifier runs the same way: read a header, read and bound a timestamp, compare signatures. */
import { createHmac, type KeyObject } from 'node:crypto';
import { anyEqual, type Body, type HeaderSource, readHeader } from '../bytes.js';
import { WebhookVerificationError } from '../errors.js';

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** `name` in lower case; `label` is how the provider's docs spell it, for the message. */
export function requireHeader(headers: HeaderSource, name: string, label = name): string {
  const value = readHeader(headers, name);
  if (!value) throw new WebhookVerificationError('header_missing', `the ${label} header is missing`);
  return value;
}

/** Unix seconds written as 1 to 15 ASCII digits, nothing else (no sign, no fraction, no spaces). */
export function parseUnixSeconds(text: string, label: string): number {
  let digits = text.length > 0 && text.length <= 15;
  for (let i = 0; digits && i < text.length; i++) {
    const c = text.charCodeAt(i);
    digits = c >= 48 && c <= 57;
  }
  if (!digits) throw new WebhookVerificationError('header_invalid', `${label} is not a number of seconds`);
  return Number(text);
}

export interface TimeWindow {
  /** Seconds a signed timestamp may be off from now; default 300. */
  toleranceSeconds?: number;
  /** Unix seconds; default the clock. */
  now?: number;
}

/** Refuses a signed timestamp outside now ± tolerance: an old one may be a replay. */
export function checkTimestamp(timestamp: number, window: TimeWindow, label: string): void {
  const now = window.now ?? Math.floor(Date.now() / 1000);
  const tolerance = window.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (timestamp < now - tolerance) throw new WebhookVerificationError('timestamp_too_old', `${label} is too old`);
  if (timestamp > now + tolerance) throw new WebhookVerificationError('timestamp_in_future', `${label} is too far in the future`);
}

/**
 * The signatures in a header that lists them split by `separator`, each after `prefix`
 * (`sha256=`, `v0=`, `v1,`); entries in another form are skipped. None at all is `header_invalid`.
 */
export function signaturesAfter(header: string, separator: string, prefix: string, label: string): string[] {
  const found = signatureEntries(header, separator, prefix);
  if (found.length === 0) throw new WebhookVerificationError('header_invalid', `${label} holds no ${prefix}… signature`);
  return found;
}

/** `signaturesAfter` without the refusal: the entries after `prefix`, perhaps none. */
export function signatureEntries(header: string, separator: string, prefix: string): string[] {
  const found: string[] = [];
  // indexOf rather than split/trim: this runs on every request, and headers hold one or two entries.
  for (let start = 0; start <= header.length; ) {
    let end = header.indexOf(separator, start);
    if (end < 0) end = header.length;
    while (start < end && header.charCodeAt(start) === 32) start++;
    let last = end;
    while (last > start && header.charCodeAt(last - 1) === 32) last--;
    if (last - start > prefix.length && header.startsWith(prefix, start)) found.push(header.slice(start + prefix.length, last));
    start = end + separator.length;
  }
  return found;
}

/** HMAC-SHA256 of `signedPrefix` then the body bytes, written in `encoding`. */
export function hmacSha256(
  key: string | Buffer | KeyObject,
  signedPrefix: string,
  body: Body,
  encoding: 'hex' | 'base64',
): string {
  const hmac = createHmac('sha256', key);
  // One update for a text body: each call into the native hash costs more than joining two strings.
  if (typeof body === 'string') return hmac.update(signedPrefix + body).digest(encoding);
  if (signedPrefix.length > 0) hmac.update(signedPrefix);
  return hmac.update(body).digest(encoding);
}

/** Throws `signature_invalid` unless some offered signature is one of the expected ones (constant time). */
export function requireMatch(expected: readonly string[], offered: readonly string[], label: string): void {
  if (!anyEqual(expected, offered)) {
    throw new WebhookVerificationError('signature_invalid', `no ${label} signature matches the body and secret`);
  }
}
