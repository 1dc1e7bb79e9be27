/** Records as the API shows them: ISO times, parsed data, no internal fields. */
import {
  type App,
  type Attempt,
  credentialSummary,
  type Delivery,
  type Endpoint,
  type EndpointCredentials,
  type EventType,
  isPurged,
  type Message,
  NO_CREDENTIALS,
  type RecoveryJob,
  type RecoveryOutcome,
  signingKeys,
} from '../domain/index.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export const presentApp = (app: App) => ({
  ...app,
  portalBranding: app.portalBranding ?? null,
  createdAt: iso(app.createdAt),
  updatedAt: iso(app.updatedAt),
});

// The rotated-out secret is never shown again, and an ed25519 secret key never: its public key is what receivers need.
export const presentEndpoint = (
  { previousSecret: _, previousSecretExpiresAt: __, ...ep }: Endpoint,
  credentials: EndpointCredentials = NO_CREDENTIALS,
) => ({
  ...ep,
  ...signingKeys(ep),
  ...credentialSummary(credentials),
  disabled: ep.disabledAt !== null,
  disabledAt: isoOrNull(ep.disabledAt),
  paused: ep.pausedAt !== null,
  pausedAt: isoOrNull(ep.pausedAt),
  createdAt: iso(ep.createdAt),
  updatedAt: iso(ep.updatedAt),
});

function inboundData(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

export function presentMessage(message: Message) {
  // Retention dropped the payload: the message is still listed, its data is gone.
  const purged = isPurged(message);
  // A request a source ingested has the provider's body, not hookd's envelope: it is the data, parsed if it is JSON.
  const envelope = purged
    ? { data: null }
    : message.headers
      ? { data: inboundData(message.payload) }
      : (JSON.parse(message.payload) as { data: unknown });
  return {
    id: message.id,
    appId: message.appId,
    type: message.type,
    timestamp: iso(message.createdAt),
    data: envelope.data,
    idempotencyKey: message.idempotencyKey,
    purged,
    ...(message.test ? { test: true } : {}),
  };
}

export const presentDelivery = (d: Delivery) => ({
  id: d.id,
  appId: d.appId,
  messageId: d.messageId,
  endpointId: d.endpointId,
  status: d.status,
  attemptCount: d.attemptCount,
  nextAttemptAt: d.status === 'pending' ? isoOrNull(d.nextAttemptAt) : null,
  lastError: d.lastError,
  skipReason: d.skipReason,
  createdAt: iso(d.createdAt),
  updatedAt: iso(d.updatedAt),
});

export const presentAttempt = (a: Attempt) => ({
  ...a,
  startedAt: iso(a.startedAt),
  responseHeaders: a.responseHeaders ?? null,
  requestBody: a.requestBody ?? null,
});

export const presentEventType = (t: EventType) => ({
  name: t.name,
  description: t.description,
  schema: t.schema,
  archived: t.archivedAt !== null,
  archivedAt: isoOrNull(t.archivedAt),
  createdAt: iso(t.createdAt),
  updatedAt: iso(t.updatedAt),
});

/** A recovery job as the API shows it, with where its re-queued deliveries stand when that was read. */
export const presentRecovery = (job: RecoveryJob, outcome: RecoveryOutcome | null = null) => {
  const { since, until, ...filter } = job.filter;
  return {
    ...job,
    filter: {
      ...filter,
      ...(since === undefined ? {} : { since: iso(since) }),
      ...(until === undefined ? {} : { until: iso(until) }),
    },
    progress: job.status === 'completed' || job.total === 0 ? 1 : Math.min(1, job.requeued / job.total),
    outcome,
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
    finishedAt: isoOrNull(job.finishedAt),
  };
};
