/**
 * hookd's one typed configuration, built once at start from flags, HOOKD_* variables and an
 * optional JSON file (in that order of precedence), validated, then passed down.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_JITTER, type Network, parseDuration, parseNetworks } from './domain/index.js';

/** What one process does: `api` takes requests, `worker` delivers, `both` (the default) does both. */
export type Role = 'both' | 'api' | 'worker';

export interface Config {
  role: Role;
  host: string;
  port: number;
  /** The base of the URLs hookd hands out (ingest URLs, portal links); null: the request's own scheme and host. */
  publicUrl: string | null;
  /** CIDRs of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed; empty: none. */
  trustProxy: string[];
  dataDir: string;
  databaseUrl: string;
  databasePoolSize: number;
  /** Where a worker-only process answers /healthz and /readyz; null: nowhere. */
  healthPort: number | null;
  /** Null: generate one and keep it in the data folder. */
  adminToken: string | null;
  /** The bearer token /metrics asks for; null: /metrics is open. */
  metricsToken: string | null;
  allowNetworks: string[];
  allowedNetworks: Network[];
  logLevel: string;
  bodyLimitBytes: number;
  /** A client must send a whole request (headers and body) within this, or its connection is closed. */
  requestTimeoutMs: number;
  idempotencyWindowMs: number;
  /** Largest serialized event envelope a publish may carry. */
  maxPayloadBytes: number;
  /** How long a rotated-out endpoint secret keeps signing beside the new one. */
  secretOverlapMs: number;
  /** How long a source remembers a provider's delivery id, so a retry of that delivery is not a second event. */
  dedupWindowMs: number;
  /** Most endpoints one app may have; creating one more is refused with `endpoint_limit_reached`. */
  maxEndpointsPerApp: number;
  /** How often ingest writes the refusals it counted in memory to the sources (one write per source, not per request). */
  refusalFlushMs: number;
  retention: {
    /** Attempts, and the payloads of finished messages, older than this are purged. */
    maxAgeMs: number;
    /** How often a worker process runs the purge. */
    intervalMs: number;
  };
  ops: {
    /** How often a worker process checks for failing endpoints and silent apps. */
    intervalMs: number;
    /** `endpoint.failing`: the failure rate is taken over this many of an endpoint's latest attempts. */
    failingWindow: number;
    /** `endpoint.failing`: raised when the failure rate is above this fraction. */
    failingThreshold: number;
    /** `ingest.silent`: raised when an app that asks for it has had no event for this long. */
    silentAfterMs: number;
  };
  delivery: {
    concurrency: number;
    endpointConcurrency: number;
    /** Most deliveries of one app this process keeps in flight, unless the app sets its own `maxInFlight`. */
    appConcurrency: number;
    timeoutMs: number;
    connectTimeoutMs: number;
    /** How long a claimed delivery stays with its worker before another may take it. */
    leaseMs: number;
    retryScheduleMs: number[];
    jitter: number;
    pollIntervalMs: number;
    /** An endpoint that has failed without a single success for this long is disabled. */
    disableAfterMs: number;
  };
}

export class ConfigError extends Error {}

/** The shortest admin token hookd accepts. */
export const MIN_ADMIN_TOKEN_LENGTH = 32;

type Kind = 'role' | 'string' | 'url' | 'port' | 'count' | 'duration' | 'durations' | 'bytes' | 'fraction' | 'networks' | 'level';

export interface ConfigOption {
  env: string;
  flag: string;
  kind: Kind;
  help: string;
  /** Parsed like a user's value when the option is unset. */
  default?: string;
  /** What the docs show for a default computed from other settings. */
  computed?: string;
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
    env: 'HOOKD_PUBLIC_URL',
    flag: 'public-url',
    kind: 'url',
    help: 'where users and providers reach hookd (behind a proxy): the base of ingest URLs and portal links',
    computed: 'the request’s own',
  },
  trustProxy: {
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
    help: 'folder for the SQLite file and the generated admin token',
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
  healthPort: {
    env: 'HOOKD_HEALTH_PORT',
    flag: 'health-port',
    kind: 'port',
    help: 'port where a `--role worker` process answers /healthz and /readyz',
    computed: 'none',
  },
  adminToken: {
    env: 'HOOKD_ADMIN_TOKEN',
    flag: 'admin-token',
    kind: 'string',
    help: 'the admin API token, at least 32 characters; unset: generated, saved in the data folder and printed once',
    computed: 'generated',
  },
  metricsToken: {
    env: 'HOOKD_METRICS_TOKEN',
    flag: 'metrics-token',
    kind: 'string',
    help: 'a bearer token `GET /metrics` then asks for (`Authorization: Bearer <it>`); unset: /metrics is open',
    computed: 'none',
  },
  allowNetworks: {
    env: 'HOOKD_ALLOW_NETWORKS',
    flag: 'allow-networks',
    kind: 'networks',
    help: 'comma-separated CIDRs endpoints may reach despite the SSRF rules',
    computed: 'none (`npm start`: loopback)',
  },
  logLevel: { env: 'HOOKD_LOG_LEVEL', flag: 'log-level', kind: 'level', help: 'pino log level', default: 'info' },
  bodyLimit: {
    env: 'HOOKD_BODY_LIMIT',
    flag: 'body-limit',
    kind: 'bytes',
    help: 'largest request body accepted, in bytes',
    default: '1048576',
  },
  requestTimeout: {
    env: 'HOOKD_REQUEST_TIMEOUT',
    flag: 'request-timeout',
    kind: 'duration',
    help: 'time a client has to send a whole request, headers and body; slower ones are cut off',
    default: '30s',
  },
  idempotencyWindow: {
    env: 'HOOKD_IDEMPOTENCY_WINDOW',
    flag: 'idempotency-window',
    kind: 'duration',
    help: 'how long an Idempotency-Key answers with its first message',
    default: '24h',
  },
  maxPayload: {
    env: 'HOOKD_MAX_PAYLOAD',
    flag: 'max-payload',
    kind: 'bytes',
    help: 'largest event a publish may carry, in bytes of its delivered body `{type, timestamp, data}`',
    default: '262144',
  },
  secretOverlap: {
    env: 'HOOKD_SECRET_OVERLAP',
    flag: 'secret-overlap',
    kind: 'duration',
    help: 'how long the old secret keeps signing beside the new one after a rotation',
    default: '24h',
  },
  dedupWindow: {
    env: 'HOOKD_DEDUP_WINDOW',
    flag: 'dedup-window',
    kind: 'duration',
    help: 'how long a source remembers a provider’s delivery id, so a retry of it is not a second event',
    default: '3d',
  },
  refusalFlush: {
    env: 'HOOKD_REFUSAL_FLUSH',
    flag: 'refusal-flush',
    kind: 'duration',
    help: 'how often refusals counted in memory are written to their sources (one write per source)',
    default: '1s',
  },
  concurrency: {
    env: 'HOOKD_CONCURRENCY',
    flag: 'concurrency',
    kind: 'count',
    help: 'deliveries in flight at once, per process',
    default: '256',
  },
  endpointConcurrency: {
    env: 'HOOKD_ENDPOINT_CONCURRENCY',
    flag: 'endpoint-concurrency',
    kind: 'count',
    help: 'deliveries in flight at once to one endpoint',
    default: '32',
  },
  appConcurrency: {
    env: 'HOOKD_APP_CONCURRENCY',
    flag: 'app-concurrency',
    kind: 'count',
    help: 'deliveries of one app in flight at once, per process, unless the app sets its own `maxInFlight`',
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
    env: 'HOOKD_TIMEOUT',
    flag: 'timeout',
    kind: 'duration',
    help: 'time allowed for one attempt, response body included',
    default: '30s',
  },
  connectTimeout: {
    env: 'HOOKD_CONNECT_TIMEOUT',
    flag: 'connect-timeout',
    kind: 'duration',
    help: 'time allowed to open a connection',
    default: '10s',
  },
  lease: {
    env: 'HOOKD_LEASE',
    flag: 'lease',
    kind: 'duration',
    help: 'how long a worker holds a claimed delivery before another may retry it; longer than the timeout',
    computed: 'timeout + 30s',
  },
  retrySchedule: {
    env: 'HOOKD_RETRY_SCHEDULE',
    flag: 'retry-schedule',
    kind: 'durations',
    help: 'delay before each attempt, comma-separated',
    default: '0,5s,5m,30m,2h,5h,10h,10h',
  },
  retryJitter: {
    env: 'HOOKD_RETRY_JITTER',
    flag: 'retry-jitter',
    kind: 'fraction',
    help: 'random spread of each retry delay (0.2 = ±20%)',
    default: String(DEFAULT_JITTER),
  },
  pollInterval: {
    env: 'HOOKD_POLL_INTERVAL',
    flag: 'poll-interval',
    kind: 'duration',
    help: 'longest a worker waits before looking for due deliveries',
    default: '1s',
  },
  disableAfter: {
    env: 'HOOKD_DISABLE_AFTER',
    flag: 'disable-after',
    kind: 'duration',
    help: 'disable an endpoint that has failed for this long without a single success',
    default: '5d',
  },
  retention: {
    env: 'HOOKD_RETENTION',
    flag: 'retention',
    kind: 'duration',
    help: 'age after which attempts, and the payloads of messages with no pending delivery, are purged',
    default: '30d',
  },
  retentionInterval: {
    env: 'HOOKD_RETENTION_INTERVAL',
    flag: 'retention-interval',
    kind: 'duration',
    help: 'how often a worker process runs the retention purge',
    default: '1h',
  },
  failingWindow: {
    env: 'HOOKD_FAILING_WINDOW',
    flag: 'failing-window',
    kind: 'count',
    help: 'latest attempts of an endpoint whose failure rate decides `endpoint.failing`',
    default: '20',
  },
  failingThreshold: {
    env: 'HOOKD_FAILING_THRESHOLD',
    flag: 'failing-threshold',
    kind: 'fraction',
    help: 'failure rate over that window above which `endpoint.failing` is raised (0.1 = 10%)',
    default: '0.1',
  },
  silentAfter: {
    env: 'HOOKD_SILENT_AFTER',
    flag: 'silent-after',
    kind: 'duration',
    help: 'time without an event after which an app with `alertWhenSilent` raises `ingest.silent`',
    default: '1h',
  },
  opsInterval: {
    env: 'HOOKD_OPS_INTERVAL',
    flag: 'ops-interval',
    kind: 'duration',
    help: 'how often a worker process checks for failing endpoints and silent apps',
    default: '30s',
  },
} as const satisfies Record<string, ConfigOption>;

export const OPTION_LIST: readonly ConfigOption[] = Object.values(OPTIONS);

export type OptionName = keyof typeof OPTIONS;
export type RawSettings = Partial<Record<OptionName, string | number>>;

function parse(name: OptionName, text: string): unknown {
  const option: ConfigOption = OPTIONS[name];
  const fail = (expected: string): never => {
    throw new ConfigError(`${option.env} (--${option.flag}): expected ${expected}, got ${JSON.stringify(text)}`);
  };
  switch (option.kind) {
    case 'role':
      return ['both', 'api', 'worker'].includes(text) ? text : fail('one of both, api, worker');
    case 'string':
      return text;
    case 'url': {
      const url = URL.canParse(text) ? new URL(text) : null;
      const base = url && (url.protocol === 'https:' || url.protocol === 'http:') && !url.search && !url.hash;
      return base ? text.replace(/\/+$/, '') : fail('an http(s) URL without a query, such as https://hooks.example.com');
    }
    case 'port': {
      const n = Number(text);
      return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : fail('a port number from 0 to 65535');
    }
    case 'count':
    case 'bytes': {
      const n = Number(text);
      return Number.isInteger(n) && n > 0 ? n : fail('a whole number above 0');
    }
    case 'fraction': {
      const n = Number(text);
      return n >= 0 && n < 1 ? n : fail('a number from 0 to below 1');
    }
    case 'duration':
      return parseDuration(text) ?? fail('a duration such as 500ms, 30s, 5m or 2h');
    case 'durations': {
      const list = text.split(',').map(parseDuration);
      return list.length > 0 && list.every((n) => n !== null) ? list : fail('comma-separated durations such as 0,5s,5m');
    }
    case 'networks':
      try {
        parseNetworks(text);
        return text
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      } catch {
        return fail('comma-separated CIDRs such as 10.0.0.0/8,::1/128');
      }
    case 'level':
      return ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(text)
        ? text
        : fail('one of fatal, error, warn, info, debug, trace, silent');
  }
}

export interface ConfigSources {
  /** Values from command-line flags, keyed by option name. */
  flags?: RawSettings;
  env?: NodeJS.ProcessEnv;
  /** A JSON file of option names to values. */
  file?: string;
}

export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? {};
  const fromFile = sources.file ? readConfigFile(sources.file) : {};
  /** The parsed value of a setting, its default when unset, or undefined for a computed default. */
  const get = <T>(name: OptionName): T | undefined => {
    const given = sources.flags?.[name] ?? env[OPTIONS[name].env] ?? fromFile[name];
    const text = given === undefined || given === '' ? (OPTIONS[name] as ConfigOption).default : String(given);
    return text === undefined ? undefined : (parse(name, text) as T);
  };
  const must = <T>(name: OptionName) => get<T>(name) as T;

  const dataDir = must<string>('dataDir');
  const timeoutMs = must<number>('timeout');
  const leaseMs = get<number>('lease') ?? timeoutMs + 30_000;
  if (leaseMs <= timeoutMs) {
    throw new ConfigError(
      `HOOKD_LEASE (--lease) must be longer than HOOKD_TIMEOUT (--timeout), or attempts still running get sent twice`,
    );
  }
  const allowNetworks = get<string[]>('allowNetworks') ?? [];
  const concurrency = must<number>('concurrency');
  const endpointConcurrency = must<number>('endpointConcurrency');
  const adminToken = get<string>('adminToken') ?? null;
  // Anyone may try tokens against the API; a short one falls to guessing. Generated tokens are 52 characters.
  if (adminToken !== null && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError(
      `HOOKD_ADMIN_TOKEN (--admin-token) must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters (it has ${adminToken.length}); ` +
        'unset it to have hookd generate one',
    );
  }
  return {
    role: must('role'),
    host: must('host'),
    port: must('port'),
    publicUrl: get<string>('publicUrl') ?? null,
    trustProxy: get<string[]>('trustProxy') ?? [],
    dataDir,
    databaseUrl: get('databaseUrl') ?? `sqlite:${join(dataDir, 'hookd.db')}`,
    databasePoolSize: must('databasePoolSize'),
    healthPort: get<number>('healthPort') ?? null,
    adminToken,
    metricsToken: get<string>('metricsToken') ?? null,
    allowNetworks,
    allowedNetworks: parseNetworks(allowNetworks),
    logLevel: must('logLevel'),
    bodyLimitBytes: must('bodyLimit'),
    requestTimeoutMs: must('requestTimeout'),
    idempotencyWindowMs: must('idempotencyWindow'),
    maxPayloadBytes: must('maxPayload'),
    secretOverlapMs: must('secretOverlap'),
    dedupWindowMs: must('dedupWindow'),
    maxEndpointsPerApp: must('maxEndpointsPerApp'),
    refusalFlushMs: must('refusalFlush'),
    retention: { maxAgeMs: must('retention'), intervalMs: must('retentionInterval') },
    ops: {
      intervalMs: must('opsInterval'),
      failingWindow: must('failingWindow'),
      failingThreshold: must('failingThreshold'),
      silentAfterMs: must('silentAfter'),
    },
    delivery: {
      concurrency,
      endpointConcurrency,
      // Half the process by default: one app's backlog, however hung, leaves the other half to the rest. At least two
      // endpoints' worth, so within an app too one slow endpoint at its cap leaves room for another.
      appConcurrency:
        get<number>('appConcurrency') ?? Math.min(concurrency, Math.max(Math.floor(concurrency / 2), 2 * endpointConcurrency)),
      timeoutMs,
      connectTimeoutMs: must('connectTimeout'),
      leaseMs,
      retryScheduleMs: must('retrySchedule'),
      jitter: must('retryJitter'),
      pollIntervalMs: must('pollInterval'),
      disableAfterMs: must('disableAfter'),
    },
  };
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
  for (const key of Object.keys(parsed)) {
    if (!(key in OPTIONS)) throw new ConfigError(`the config file ${path} has an unknown setting "${key}"`);
  }
  return parsed as RawSettings;
}
