/** Shared by the scheme tests: the code a verification failed with, or undefined when it passed. */
import { WebhookVerificationError } from '../../src/errors.js';

export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof WebhookVerificationError ? error.code : `unexpected ${String(error)}`;
  }
  return undefined;
}
