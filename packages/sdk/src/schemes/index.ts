/** Every signature scheme by name, and the one `verify` entry point. */
import { githubScheme } from './github.js';
import { hmacSha256HexScheme } from './hmac.js';
import { shopifyScheme } from './shopify.js';
import { slackScheme } from './slack.js';
import { standardScheme } from './standard.js';
import { stripeScheme } from './stripe.js';
import type { Scheme, SchemeName, Verified, VerifyInput } from './types.js';

export type { Scheme, SchemeName, SignInput, Verified, VerifyInput } from './types.js';

export const SCHEMES: Readonly<Record<SchemeName, Scheme>> = {
  standard: standardScheme,
  'hmac-sha256-hex': hmacSha256HexScheme,
  stripe: stripeScheme,
  github: githubScheme,
  shopify: shopifyScheme,
  slack: slackScheme,
};

/** Verifies a request signed with `scheme`; throws WebhookVerificationError with a code otherwise. */
export function verify(scheme: SchemeName, input: VerifyInput): Verified {
  return SCHEMES[scheme].verify(input);
}
