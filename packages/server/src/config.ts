/**
 * hookd's one typed configuration, built once at start from flags, HOOKD_* variables and an
 * optional JSON file (in that order of precedence), validated, then passed down.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_JITTER, type Network, parseDuration, parseNetworks, parsePath } from './domain/index.js';
import { parseMasterKeys } from './store/index.js';

/** What one process does: `api` takes requests, `worker` delivers, `both` (the default) does both. */
export type Role = 'both' | 'api' | 'worker';

export class ConfigError extends Error {}

/** The shortest admin token hookd accepts. */
const MIN_ADMIN_TOKEN_LENGTH = 32;

/** What each kind of setting is parsed into. */
interface Kinds {
  role: Role;
  string: string;
  url: string;
  port: number;
  count: number;
  bytes: number;
  fraction: number;
  duration: number;
  durations: number[];
  networks: string[];
  paths: string[][];
  level: string;
  masterKeys: string;
  frameAncestors: string;
}
type Kind = keyof Kinds;

export interface ConfigOption {
  env: string;
  flag: string;
  kind: Kind;
  help: string;
  /** Where the value lands in `Config`: a property, or `group.property`; unset, the option's own name. */
  to?: string;
  /** Parsed like a user's value when the option is unset. */
  default?: string;
  /** What the docs show for a default that is not a value: `unset`, or one loadConfig computes from other settings. */
  computed?: string;
  /** The value when unset, for an option with no default: null (off) or an empty list. */
  unset?: null | readonly [];
}

/** Every setting, once: the CLI flags, the environment variables, the defaults and the README table come from here. */
export const OPTIONS = {
  role: {
    env: 'HOOKD_ROLE',
    flag: 'role',
    kind: 'role',
    help: '`api` (take requests, never send), `worker` (deliver, no public port) or `both`',
    default: 'both',
  },
  host: { env: 'HOOKD_HOST', flag: 'host', kind: 'string', help: 'address the API listens on', default: '127.0.0.1' },
  port: { env: 'HOOKD_PORT', flag: 'port', kind: 'port', help: 'port the API listens on', default: '8080' },
  publicUrl: {
    unset: null,
    env: 'HOOKD_PUBLIC_URL',
    flag: 'public-url',
    kind: 'url',
    help: 'where users and providers reach hookd (behind a proxy): the base of ingest URLs and portal links',
    computed: 'the request’s own',
  },
  trustProxy: {
    unset: [],
    env: 'HOOKD_TRUST_PROXY',
    flag: 'trust-proxy',
    kind: 'networks',
    help: 'comma-separated CIDRs of reverse proxies whose X-Forwarded-For and -Proto headers are believed',
    computed: 'none',
  },
  dataDir: {
    env: 'HOOKD_DATA_DIR',
    flag: 'data-dir',
    kind: 'string',
    help: 'folder for the SQLite file, the generated admin token and master.key',
    default: './data',
  },
  databaseUrl: {
    env: 'HOOKD_DATABASE_URL',
    flag: 'db',
    kind: 'string',
    help: '`sqlite:<path>` or `postgres://user@host:5432/db`',
    computed: 'sqlite:<data-dir>/hookd.db',
  },
  databasePoolSize: {
    env: 'HOOKD_DATABASE_POOL_SIZE',
    flag: 'db-pool-size',
    kind: 'count',
    help: 'most PostgreSQL connections one process keeps open',
    default: '10',
  },
  databaseListenUrl: {
    unset: null,
    env: 'HOOKD_DATABASE_LISTEN_URL',
    flag: 'db-listen',
    kind: 'string',
    help: 'a direct PostgreSQL connection for LISTEN, which needs a session: set it when HOOKD_DATABASE_URL goes through pgbouncer in transaction mode',
    computed: 'HOOKD_DATABASE_URL',
  },
  healthPort: {
    unset: null,
    env: 'HOOKD_HEALTH_PORT',
    flag: 'health-port',
    kind: 'port',
    help: 'port where a `--role worker` process answers /healthz and /readyz',
    computed: 'none',
  },
  adminToken: {
    unset: null,
    env: 'HOOKD_ADMIN_TOKEN',
    flag: 'admin-token',
    kind: 'string',
    help: 'the admin API token, at least 32 characters; unset: generated, saved in the data folder and printed once',
    computed: 'generated',
  },
  metricsToken: {
    unset: null,
    env: 'HOOKD_METRICS_TOKEN',
    flag: 'metrics-token',
    kind: 'string',
    help: 'a bearer token `GET /metrics` then asks for (`Authorization: Bearer <it>`); unset: /metrics is open',
    computed: 'none',
  },
  masterKey: {
    unset: null,
    env: 'HOOKD_MASTER_KEY',
    flag: 'master-key',
    kind: 'masterKeys',
    help:
      'base64 of 32 bytes (`openssl rand -base64 32`) that encrypts stored secrets; `new,old` during `hookd keys rotate`; ' +
      'unset: generated into the data folder’s master.key',
    computed: 'generated',
  },
  allowNetworks: {
    unset: [],
    env: 'HOOKD_ALLOW_NETWORKS',
    flag: 'allow-networks',
    kind: 'networks',
    help: 'comma-separated CIDRs endpoints may reach despite the SSRF rules',
    computed: 'none (`npm start`: loopback)',
  },
  logLevel: { env: 'HOOKD_LOG_LEVEL', flag: 'log-level', kind: 'level', help: 'pino log level', default: 'info' },
  bodyLimit: {
    to: 'bodyLimitBytes',
    env: 'HOOKD_BODY_LIMIT',
    flag: 'body-limit',
    kind: 'bytes',
    help: 'largest request body accepted, in bytes',
    default: '1048576',
  },
  requestTimeout: {
    to: 'requestTimeoutMs',
    env: 'HOOKD_REQUEST_TIMEOUT',
    flag: 'request-timeout',
    kind: 'duration',
    help: 'time a client has to send a whole request, headers and body; slower ones are cut off',
    default: '30s',
  },
  idempotencyWindow: {
    to: 'idempotencyWindowMs',
    env: 'HOOKD_IDEMPOTENCY_WINDOW',
    flag: 'idempotency-window',
    kind: 'duration',
    help: 'how long an Idempotency-Key answers with its first message',
    default: '24h',
  },
  maxPayload: {
    to: 'maxPayloadBytes',
    env: 'HOOKD_MAX_PAYLOAD',
    flag: 'max-payload',
    kind: 'bytes',
    help: 'largest event a publish may carry, in bytes of its delivered body `{type, timestamp, data}`',
    default: '262144',
  },
  secretOverlap: {
    to: 'secretOverlapMs',
    env: 'HOOKD_SECRET_OVERLAP',
    flag: 'secret-overlap',
    kind: 'duration',
    help: 'how long the old secret keeps signing beside the new one after a rotation',
    default: '24h',
  },
  dedupWindow: {
    to: 'dedupWindowMs',
    env: 'HOOKD_DEDUP_WINDOW',
    flag: 'dedup-window',
    kind: 'duration',
    help: 'how long a source remembers a provider’s delivery id, so a retry of it is not a second event',
    default: '3d',
  },
  refusalFlush: {
    to: 'refusalFlushMs',
    env: 'HOOKD_REFUSAL_FLUSH',
    flag: 'refusal-flush',
    kind: 'duration',
    help: 'how often refusals counted in memory are written to their sources (one write per source)',
    default: '1s',
  },
  concurrency: {
    to: 'delivery.concurrency',
    env: 'HOOKD_CONCURRENCY',
    flag: 'concurrency',
    kind: 'count',
    help: 'deliveries in flight at once, per process, from claim until their attempt is recorded',
    default: '256',
  },
  endpointConcurrency: {
    to: 'delivery.endpointConcurrency',
    env: 'HOOKD_ENDPOINT_CONCURRENCY',
    flag: 'endpoint-concurrency',
    kind: 'count',
    help: 'requests in flight at once to one endpoint (a slot comes back with the response)',
    default: '32',
  },
  appConcurrency: {
    to: 'delivery.appConcurrency',
    env: 'HOOKD_APP_CONCURRENCY',
    flag: 'app-concurrency',
    kind: 'count',
    help: 'requests to one app in flight at once, per process, unless the app sets its own `maxInFlight`',
    computed: 'half of concurrency, or more',
  },
  maxEndpointsPerApp: {
    env: 'HOOKD_MAX_ENDPOINTS_PER_APP',
    flag: 'max-endpoints-per-app',
    kind: 'count',
    help: 'most endpoints one app may have; one more is refused with `endpoint_limit_reached`',
    default: '100',
  },
  timeout: {
    to: 'delivery.timeoutMs',
    env: 'HOOKD_TIMEOUT',
    flag: 'timeout',
    kind: 'duration',
    help: 'time allowed for one attempt, response body included',
    default: '30s',
  },
  connectTimeout: {
    to: 'delivery.connectTimeoutMs',
    env: 'HOOKD_CONNECT_TIMEOUT',
    flag: 'connect-timeout',
    kind: 'duration',
    help: 'time allowed to open a connection',
    default: '10s',
  },
  egressProxy: {
    to: 'delivery.egressProxy',
    unset: null,
    env: 'HOOKD_EGRESS_PROXY',
    flag: 'egress-proxy',
    kind: 'url',
    help: 'an HTTP CONNECT proxy deliveries leave through (http://[user:password@]host:port); hookd still checks each address',
    computed: 'none: deliveries connect directly',
  },
  lease: {
    to: 'delivery.leaseMs',
    env: 'HOOKD_LEASE',
    flag: 'lease',
    kind: 'duration',
    help: 'how long a worker holds a claimed delivery before another may retry it; longer than the timeout',
    computed: 'timeout + 30s',
  },
  retrySchedule: {
    to: 'delivery.retryScheduleMs',
    env: 'HOOKD_RETRY_SCHEDULE',
    flag: 'retry-schedule',
    kind: 'durations',
    help: 'delay before each attempt, comma-separated',
    default: '0,5s,5m,30m,2h,5h,10h,10h',
  },
  retryJitter: {
    to: 'delivery.jitter',
    env: 'HOOKD_RETRY_JITTER',
    flag: 'retry-jitter',
    kind: 'fraction',
    help: 'random spread of each retry delay (0.2 = ±20%)',
    default: String(DEFAULT_JITTER),
  },
  pollInterval: {
    to: 'delivery.pollIntervalMs',
    env: 'HOOKD_POLL_INTERVAL',
    flag: 'poll-interval',
    kind: 'duration',
    help: 'longest a worker waits before looking for due deliveries',
    default: '1s',
  },
  disableAfter: {
    to: 'delivery.disableAfterMs',
    env: 'HOOKD_DISABLE_AFTER',
    flag: 'disable-after',
    kind: 'duration',
    help: 'disable an endpoint that has failed for this long without a single success',
    default: '5d',
  },
  retention: {
    to: 'retention.maxAgeMs',
    env: 'HOOKD_RETENTION',
    flag: 'retention',
    kind: 'duration',
    help: 'age after which attempts, the payloads of messages with no pending delivery, and finished recovery jobs are purged',
    default: '30d',
  },
  retentionInterval: {
    to: 'retention.intervalMs',
    env: 'HOOKD_RETENTION_INTERVAL',
    flag: 'retention-interval',
    kind: 'duration',
    help: 'how often a worker process runs the retention purge',
    default: '1h',
  },
  auditRetention: {
    to: 'retention.auditMaxAgeMs',
    env: 'HOOKD_AUDIT_RETENTION',
    flag: 'audit-retention',
    kind: 'duration',
    help: 'age after which audit log entries are deleted (the retention purge does it)',
    default: '400d',
  },
  recoveryBatch: {
    to: 'recovery.batchSize',
    env: 'HOOKD_RECOVERY_BATCH',
    flag: 'recovery-batch',
    kind: 'count',
    help: 'deliveries a recovery job looks at per batch, one short transaction each',
    default: '500',
  },
  recoveryPause: {
    to: 'recovery.pauseMs',
    env: 'HOOKD_RECOVERY_PAUSE',
    flag: 'recovery-pause',
    kind: 'duration',
    help: 'rest between two batches of a recovery job, leaving the database to publishes and deliveries',
    default: '20ms',
  },
  failingWindow: {
    to: 'ops.failingWindow',
    env: 'HOOKD_FAILING_WINDOW',
    flag: 'failing-window',
    kind: 'count',
    help: 'latest attempts of an endpoint whose failure rate decides `endpoint.failing`',
    default: '20',
  },
  failingThreshold: {
    to: 'ops.failingThreshold',
    env: 'HOOKD_FAILING_THRESHOLD',
    flag: 'failing-threshold',
    kind: 'fraction',
    help: 'failure rate over that window above which `endpoint.failing` is raised (0.1 = 10%)',
    default: '0.1',
  },
  silentAfter: {
    to: 'ops.silentAfterMs',
    env: 'HOOKD_SILENT_AFTER',
    flag: 'silent-after',
    kind: 'duration',
    help: 'time without an event after which an app with `alertWhenSilent` raises `ingest.silent`',
    default: '1h',
  },
  searchFields: {
    unset: [],
    env: 'HOOKD_SEARCH_FIELDS',
    flag: 'search-fields',
    kind: 'paths',
    help: 'SQLite: comma-separated payload paths (`data.order_id`) that message search finds by index; others search the newest 50,000 messages (PostgreSQL: every path)',
    computed: 'none',
  },
  portalFrameAncestors: {
    env: 'HOOKD_PORTAL_FRAME_ANCESTORS',
    flag: 'portal-frame-ancestors',
    kind: 'frameAncestors',
    help: "sites that may embed the app portal in a frame (CSP `frame-ancestors`, e.g. `https://app.example.com`); other than 'none', portal cookies become SameSite=None; Secure; Partitioned (https only)",
    default: "'none'",
  },
  opsInterval: {
    to: 'ops.intervalMs',
    env: 'HOOKD_OPS_INTERVAL',
    flag: 'ops-interval',
    kind: 'duration',
    help: 'how often a worker process checks for failing endpoints and silent apps, and publishes new audit entries',
    default: '30s',
  },
} as const satisfies Record<string, ConfigOption>;

export const OPTION_LIST: readonly ConfigOption[] = Object.values(OPTIONS);

export type OptionName = keyof typeof OPTIONS;
export type RawSettings = Partial<Record<OptionName, string | number>>;

// The Config type, derived from OPTIONS: each option's parsed kind (or null when `unset: null`), at its `to`.
type Option<N extends OptionName> = (typeof OPTIONS)[N];
type Value<N extends OptionName> = Kinds[Option<N>['kind']] | (Option<N> extends { unset: null } ? null : never);
type Path<N extends OptionName> = Option<N> extends { to: infer P extends string } ? P : N;
type Flat = { [N in OptionName as Path<N>]: Value<N> };
type Group<P> = P extends `${infer G}.${string}` ? G : never;
type InGroup<G extends string> = { [P in keyof Flat as P extends `${G}.${infer K}` ? K : never]: Flat[P] };
type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type Config = Simplify<
  { [P in keyof Flat as P extends `${string}.${string}` ? never : P]: Flat[P] } & {
    [G in Group<keyof Flat>]: Simplify<InGroup<G>>;
  } & {
    /** `allowNetworks`, parsed. */
    allowedNetworks: Network[];
  }
>;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** One parser per kind; `fail` throws a ConfigError naming the option and what was expected. */
const PARSERS: { [K in Kind]: (text: string, fail: (expected: string) => never) => Kinds[K] } = {
  role: (text, fail) => (['both', 'api', 'worker'].includes(text) ? (text as Role) : fail('one of both, api, worker')),
  string: (text) => text,
  url(text, fail) {
    const url = URL.canParse(text) ? new URL(text) : null;
    const base = url && (url.protocol === 'https:' || url.protocol === 'http:') && !url.search && !url.hash;
    return base ? text.replace(/\/+$/, '') : fail('an http(s) URL without a query, such as https://hooks.example.com');
  },
  port(text, fail) {
    const n = Number(text);
    return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : fail('a port number from 0 to 65535');
  },
  count: (text, fail) => wholeAboveZero(text) ?? fail('a whole number above 0'),
  bytes: (text, fail) => wholeAboveZero(text) ?? fail('a whole number above 0'),
  fraction(text, fail) {
    const n = Number(text);
    return n >= 0 && n < 1 ? n : fail('a number from 0 to below 1');
  },
  duration: (text, fail) => parseDuration(text) ?? fail('a duration such as 500ms, 30s, 5m or 2h'),
  durations(text, fail) {
    const list = text.split(',').map(parseDuration);
    return list.every((n) => n !== null) ? list : fail('comma-separated durations such as 0,5s,5m');
  },
  networks(text, fail) {
    try {
      parseNetworks(text);
    } catch {
      return fail('comma-separated CIDRs such as 10.0.0.0/8,::1/128');
    }
    return text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  },
  paths(text, fail) {
    try {
      return text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map(parsePath);
    } catch {
      return fail('comma-separated payload paths such as data.order_id,data.customer.id');
    }
  },
  level: (text, fail) => (LEVELS.includes(text) ? text : fail(`one of ${LEVELS.join(', ')}`)),
  frameAncestors(text, fail) {
    const sources = text.trim().split(/\s+/);
    const valid = (s: string) => s === "'self'" || /^https:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$/.test(s);
    if (sources.length === 1 && sources[0] === "'none'") return "'none'";
    return sources.every(valid)
      ? sources.join(' ')
      : fail("'none', or space-separated https origins (https://app.example.com, https://*.example.com) and 'self'");
  },
  masterKeys(text, fail) {
    try {
      parseMasterKeys(text, 'the list');
    } catch {
      return fail('base64 keys of 32 bytes, comma-separated (`openssl rand -base64 32` makes one)');
    }
    return text;
  },
};

function wholeAboveZero(text: string): number | null {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : null;
}

function parse(option: ConfigOption, text: string): unknown {
  const fail = (expected: string): never => {
    throw new ConfigError(`${option.env} (--${option.flag}): expected ${expected}, got ${JSON.stringify(text)}`);
  };
  return PARSERS[option.kind](text, fail);
}

export interface ConfigSources {
  /** Values from command-line flags, keyed by option name. */
  flags?: RawSettings;
  env?: NodeJS.ProcessEnv;
  /** A JSON file of option names to values. */
  file?: string;
}

/** Each option's value by option name, before it is placed at its `to`. */
type Settings = { [N in OptionName]: Value<N> };

export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? {};
  const fromFile = sources.file ? readConfigFile(sources.file) : {};
  const read: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(OPTIONS) as [OptionName, ConfigOption][]) {
    const given = sources.flags?.[name] ?? env[option.env] ?? fromFile[name];
    const text = given === undefined || given === '' ? option.default : String(given);
    // Undefined here only for the defaults computed below.
    read[name] = text !== undefined ? parse(option, text) : Array.isArray(option.unset) ? [] : option.unset;
  }
  const settings = read as Settings;
  const { concurrency, endpointConcurrency, timeout, adminToken } = settings;

  settings.databaseUrl ??= `sqlite:${join(settings.dataDir, 'hookd.db')}`;
  settings.lease ??= timeout + 30_000;
  // Half the process by default: one app's backlog, however hung, leaves the other half to the rest. At least two
  // endpoints' worth, so within an app too one slow endpoint at its cap leaves room for another.
  settings.appConcurrency ??= Math.min(concurrency, Math.max(Math.floor(concurrency / 2), 2 * endpointConcurrency));

  if (settings.lease <= timeout) {
    throw new ConfigError(
      `HOOKD_LEASE (--lease) must be longer than HOOKD_TIMEOUT (--timeout), or attempts still running get sent twice`,
    );
  }
  // Anyone may try tokens against the API; a short one falls to guessing. Generated tokens are 52 characters.
  if (adminToken !== null && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError(
      `HOOKD_ADMIN_TOKEN (--admin-token) must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters (it has ${adminToken.length}); ` +
        'unset it to have hookd generate one',
    );
  }

  const config: Record<string, unknown> = { allowedNetworks: parseNetworks(settings.allowNetworks) };
  for (const [name, option] of Object.entries(OPTIONS) as [OptionName, ConfigOption][]) {
    const [group, key] = (option.to ?? name).split('.') as [string, string?];
    if (key === undefined) config[group] = settings[name];
    else config[group] = { ...(config[group] as object), [key]: settings[name] };
  }
  return config as Config;
}

function readConfigFile(path: string): RawSettings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read the config file ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`the config file ${path} must hold a JSON object`);
  }
  const keys = Object.keys(OPTIONS);
  for (const key of Object.keys(parsed)) {
    if (key in OPTIONS) continue;
    const near = keys.find((known) => editDistance(known.toLowerCase(), key.toLowerCase()) <= 2);
    throw new ConfigError(
      `the config file ${path} has an unknown setting "${key}"${near ? ` (did you mean "${near}"?)` : ''}; ` +
        `the keys are the option names of the README's configuration table: ${keys.join(', ')}`,
    );
  }
  return parsed as RawSettings;
}

/** Levenshtein distance, for "did you mean" on a misspelt key. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        (row[j] as number) + 1,
        (next[j - 1] as number) + 1,
        (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length] as number;
}
