export type { Body, HeaderSource } from './bytes.js';
export { type VerificationErrorCode, WebhookVerificationError } from './errors.js';
export { type HmacVerifyInput, signHmacSha256Hex, verifyHmacSha256Hex } from './schemes/hmac.js';
export {
  type StandardHeaders,
  type StandardSignInput,
  type StandardVerifyInput,
  signStandard,
  verifyStandard,
} from './schemes/standard.js';
export { generateSecret } from './secret.js';
