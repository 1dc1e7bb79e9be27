/** Realistic sample events for `hookd trigger`, one file per provider, each signed with that provider's scheme. */
import type { SchemeName } from '@hookd/sdk';
import { GITHUB_SAMPLES } from './github.js';
import { SHOPIFY_SAMPLES } from './shopify.js';
import { SLACK_SAMPLES } from './slack.js';
import { STANDARD_SAMPLES } from './standard.js';
import { STRIPE_SAMPLES } from './stripe.js';
import type { Sample } from './types.js';

export type { Sample, SampleFacts } from './types.js';

export const SAMPLES: readonly Sample[] = [
  ...STRIPE_SAMPLES,
  ...GITHUB_SAMPLES,
  ...SHOPIFY_SAMPLES,
  ...SLACK_SAMPLES,
  ...STANDARD_SAMPLES,
];

/** `push`, or `github:push` where an event name alone is not enough. */
export function findSample(name: string, provider?: SchemeName): Sample | undefined {
  const colon = name.indexOf(':');
  const wanted = colon > 0 ? (name.slice(0, colon) as SchemeName) : provider;
  const event = colon > 0 ? name.slice(colon + 1) : name;
  return SAMPLES.find((s) => s.event === event && (wanted === undefined || s.provider === wanted));
}
