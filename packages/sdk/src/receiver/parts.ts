/**
 * The options both doors share (createReceiver and createReceiverCore), checked once at start-up and turned into
 * the pipeline's parts; each door adds its own hand-off.
 */
import { SCHEMES, type Scheme } from '../schemes/index.js';
import { addressSet, clientAddressResolver } from './addresses.js';
import { ReceiverConfigError } from './errors.js';
import { createMetrics } from './metrics.js';
import type { PipelineParts } from './pipeline.js';
import { memoryRateLimitStore, type RateLimitStore } from './rate-limit.js';
import type { RateLimitOptions, ReceiverLogger, ReceiverOptions, VerifyOptions } from './types.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const silentLogger: ReceiverLogger = { info() {}, warn() {}, error() {} };

export type SharedParts = Pick<
  PipelineParts,
  'resolveClient' | 'allowlist' | 'rateLimit' | 'verify' | 'schema' | 'maxBodyBytes' | 'logger' | 'clock' | 'metrics'
>;

/** What `owned` collects (the in-memory stores built here) the door closes on close(). */
export function sharedParts(options: ReceiverOptions, owned: { close?(): Promise<void> }[]): SharedParts {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!(Number.isInteger(maxBodyBytes) && maxBodyBytes > 0)) {
    throw new ReceiverConfigError('option_invalid', `maxBodyBytes must be a positive integer, got ${maxBodyBytes}`);
  }
  return {
    resolveClient: clientAddressResolver(options.trustProxy),
    allowlist: options.allowIps === undefined ? undefined : addressSet(options.allowIps, 'allow_ips_invalid'),
    rateLimit: options.rateLimit === undefined ? undefined : rateLimitParts(options.rateLimit, owned),
    verify: options.verify === undefined ? undefined : verifyParts(options.verify),
    schema: options.schema,
    maxBodyBytes,
    logger: options.logger ?? silentLogger,
    clock: options.clock ?? Date.now,
    metrics: createMetrics(),
  };
}

function verifyParts(verify: VerifyOptions): NonNullable<PipelineParts['verify']> {
  const scheme: Scheme | undefined = SCHEMES[verify.scheme];
  if (scheme === undefined) {
    throw new ReceiverConfigError(
      'verify_invalid',
      `unknown scheme "${verify.scheme}"; one of ${Object.keys(SCHEMES).join(', ')}`,
    );
  }
  const list = typeof verify.secrets === 'string' ? [verify.secrets] : verify.secrets;
  if (list.length === 0 || list.some((secret) => typeof secret !== 'string' || secret === '')) {
    throw new ReceiverConfigError('verify_invalid', 'verify.secrets must hold at least one non-empty secret');
  }
  // Signing once shows an unusable secret (a whsec_ with no key bytes) now, not on the first webhook.
  try {
    scheme.sign({ body: '{}', secrets: list });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'secret_invalid') {
      throw new ReceiverConfigError('verify_invalid', `verify.secrets: ${(error as Error).message}`);
    }
  }
  return { scheme, secrets: list, toleranceSeconds: verify.toleranceSeconds };
}

function rateLimitParts(
  rateLimit: RateLimitOptions,
  owned: { close?(): Promise<void> }[],
): NonNullable<PipelineParts['rateLimit']> {
  const counts = rateLimit.counts ?? 'address';
  if (counts !== 'address' && counts !== 'verified') {
    throw new ReceiverConfigError('rate_limit_invalid', `rateLimit.counts must be "address" or "verified", got ${counts}`);
  }
  const bucket = (given: RateLimitStore | undefined): RateLimitStore => {
    if (given !== undefined) return given;
    const store = memoryRateLimitStore({
      perSecond: rateLimit.perSecond,
      burst: rateLimit.burst,
      maxKeys: rateLimit.maxTrackedIps,
    });
    owned.push(store);
    return store;
  };
  const store = bucket(rateLimit.store);
  return counts === 'address' ? { counts, store } : { counts, store, refusals: bucket(rateLimit.refusalStore) };
}
