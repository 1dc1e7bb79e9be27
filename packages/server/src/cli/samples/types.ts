import { randomBytes } from 'node:crypto';
import type { SchemeName } from '@hookd/sdk';

export interface SampleFacts {
  /** The delivery id the request carries (Stripe: the event id; GitHub: X-GitHub-Delivery; …). */
  id: string;
  /** Unix seconds. */
  now: number;
}

export interface Sample {
  /** The name the provider gives the event: `payment_intent.succeeded`, `push`, `orders/create`. */
  event: string;
  provider: SchemeName;
  description: string;
  /** A new delivery id in the provider's form. */
  newId(): string;
  payload(facts: SampleFacts): Record<string, unknown>;
}

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `prefix_` and random letters and digits, the form of Stripe's and Slack's ids. */
export function randomId(prefix: string, length: number, alphabet = ALPHANUMERIC): string {
  let text = '';
  for (const byte of randomBytes(length)) text += alphabet[byte % alphabet.length];
  return prefix + text;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** A large positive integer id, as Shopify and GitHub use. */
export function randomNumber(digits: number): number {
  return Number(`${1 + ((randomBytes(1)[0] as number) % 9)}${[...randomBytes(digits - 1)].map((b) => b % 10).join('')}`);
}

export function iso(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');
}
