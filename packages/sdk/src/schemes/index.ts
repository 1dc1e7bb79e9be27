/**
 * Every signature scheme by name, and the one `verify` entry point; each scheme's own sign and verify, and the
 * error they throw. The door of this folder, and `@hookd/sdk/verify`.
 */
import { githubScheme } from './github.js';
import { hmacSha256HexScheme } from './hmac.js';
import { shopifyScheme } from './shopify.js';
import { slackScheme } from './slack.js';
import { standardScheme } from './standard.js';
import { stripeScheme } from './stripe.js';
import type { Scheme, SchemeName, Verified, VerifyInput } from './types.js';

export type { Body, HeaderSource } from '../bytes.js';
export { VERIFICATION_ERROR_CODES, type VerificationErrorCode, WebhookVerificationError } from '../errors.js';
export { generateKeyPair, type KeyPair, publicKeyOf } from '../keys.js';
export { type GitHubVerifyInput, signGitHub, verifyGitHub } from './github.js';
export { type HmacVerifyInput, signHmacSha256Hex, verifyHmacSha256Hex } from './hmac.js';
export { type ShopifyVerifyInput, signShopify, verifyShopify } from './shopify.js';
export { type SlackSignInput, type SlackVerifyInput, signSlack, verifySlack } from './slack.js';
export {
  type StandardHeaders,
  type StandardSignInput,
  type StandardVerifyInput,
  signStandard,
  verifyStandard,
} from './standard.js';
export { type StripeSignInput, type StripeVerifyInput, signStripe, verifyStripe } from './stripe.js';
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
