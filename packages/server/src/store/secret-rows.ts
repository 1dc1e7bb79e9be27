/**
 * Rewriting every stored secret through one function (sealing plain text at the first encrypted start, resealing
 * under a new key in a rotation), the same way in both stores: each helper gives the row's new text, or null when
 * the function left every secret in it as it was.
 */
import { mapCredentialSecrets } from '../domain/index.js';
import { credentialsText, toCredentials } from './credential-rows.js';

export type SecretRewrite = (value: string) => string;

/** Counts the values a rewrite changed. */
export class RewriteCount {
  changed = 0;
  constructor(private readonly rewrite: SecretRewrite) {}

  value(value: string): string {
    const next = this.rewrite(value);
    if (next !== value) this.changed++;
    return next;
  }

  /** An endpoint's `secret` and `previous_secret`; null when neither changed. */
  endpoint(secret: string, previous: string | null): { secret: string; previous: string | null } | null {
    const before = this.changed;
    const next = { secret: this.value(secret), previous: previous === null ? null : this.value(previous) };
    return this.changed === before ? null : next;
  }

  /** An `endpoint_credentials.credentials` text; null when no secret in it changed. */
  credentials(text: string): string | null {
    const before = this.changed;
    const next = mapCredentialSecrets(toCredentials(text), (secret) => this.value(secret));
    return this.changed === before ? null : credentialsText(next);
  }

  /** A `sources.secrets` text (a JSON list); null when none changed. */
  sourceSecrets(text: string): string | null {
    const before = this.changed;
    const next = (JSON.parse(text) as string[]).map((secret) => this.value(secret));
    return this.changed === before ? null : JSON.stringify(next);
  }
}
