/**
 * Ops events: hookd's own alerts, published into the internal app `hookd-ops` through the same path as any publish,
 * so they are signed, delivered and retried to whatever endpoints the operator registers there. Payloads carry ids,
 * URLs, reasons, counts and times; never a secret.
 */
import type { Logger } from 'pino';
import {
  type App,
  type AttemptError,
  type AuditEntry,
  filterSubject,
  type Message,
  type NextStep,
  newId,
  skipByFilter,
} from '../domain/index.js';
import { type AdminStore, type RecordAttemptResult, StoreConflictError } from '../store/index.js';
import type { OpsEventType } from './event-types.js';
import type { Metrics } from './metrics.js';

/**
 * The uid the ops app is created with: `POST /v1/apps/hookd-ops/endpoints` subscribes to its events. Uids starting
 * with `hookd-` are reserved, but hookd finds the app by the id it keeps in the store, never by this uid: an app that
 * holds the uid some other way (renamed before the reservation) is not the ops app.
 */
export const OPS_APP_UID = 'hookd-ops';
/** The setting that holds the ops app's id. */
export const OPS_APP_SETTING = 'ops_app_id';
export const OPS_APP_NAME = 'hookd operations';

export interface OpsEventsDeps {
  store: Pick<AdminStore, 'findApp' | 'createApp' | 'publishMessage' | 'readSetting' | 'swapSetting' | 'deleteApp'>;
  clock: () => number;
  logger: Logger;
  /** How long an ops event's idempotency key keeps a repeat from publishing it again. */
  idempotencyWindowMs: number;
  metrics?: Metrics;
  /** Called after an ops event created deliveries, so a worker in this process sends them at once. */
  onDeliveriesDue?: () => void;
}

/** One attempt as the worker recorded it: what it needs to tell whether it ended in an ops event. */
export interface RecordedAttempt {
  appId: string;
  endpointId: string;
  url: string;
  messageId: string;
  eventType: string;
  deliveryId: string;
  attemptNumber: number;
  responseStatus: number | null;
  error: AttemptError | null;
  next: NextStep;
  recorded: RecordAttemptResult;
  now: number;
}

export interface FailingEndpoint {
  appId: string;
  endpointId: string;
  url: string;
  attempts: number;
  failures: number;
  threshold: number;
  /** When the episode was opened. */
  at: number;
}

export interface SilentAppAlert {
  appId: string;
  uid: string | null;
  name: string;
  lastEventAt: number | null;
  quietSince: number;
  silentAfterMs: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class OpsEvents {
  private app: Promise<App> | null = null;

  constructor(private readonly deps: OpsEventsDeps) {}

  /** The ops app, created on first use if missing; a uid conflict means another process created it first. */
  opsApp(): Promise<App> {
    this.app ??= this.findOrCreateApp().catch((error: unknown) => {
      this.app = null;
      throw error;
    });
    return this.app;
  }

  /** True when the app is the ops app itself: nothing is raised about its endpoints or messages, or ops events would feed on themselves. */
  async isOpsApp(appId: string): Promise<boolean> {
    return (await this.opsApp()).id === appId;
  }

  /** Raises what one recorded attempt calls for: `endpoint.disabled` if it disabled the endpoint, `message.attempt.exhausted` if its schedule ran out. */
  async attemptRecorded(a: RecordedAttempt): Promise<void> {
    const exhausted = a.recorded.finished && a.next.status === 'failed' && !a.next.disableEndpoint;
    if (a.recorded.disabled === null && !exhausted) return;
    if (await this.isOpsApp(a.appId)) return;
    if (a.recorded.disabled !== null) {
      const data = { appId: a.appId, endpointId: a.endpointId, url: a.url, reason: a.recorded.disabled, disabledAt: iso(a.now) };
      await this.publish('endpoint.disabled', data, `endpoint.disabled:${a.endpointId}:${a.now}`);
    }
    if (exhausted) {
      const data = {
        appId: a.appId,
        endpointId: a.endpointId,
        url: a.url,
        messageId: a.messageId,
        eventType: a.eventType,
        deliveryId: a.deliveryId,
        attempts: a.attemptNumber,
        lastResponseStatus: a.responseStatus,
        // The code to switch on (the README's attempt error table); lastError says it for people.
        lastErrorCode: a.error?.code ?? null,
        lastError: a.error?.message ?? (a.responseStatus === null ? null : `HTTP ${a.responseStatus}`),
        failedAt: iso(a.now),
      };
      await this.publish('message.attempt.exhausted', data, `message.attempt.exhausted:${a.deliveryId}:${a.attemptNumber}`);
    }
  }

  async endpointFailing(e: FailingEndpoint): Promise<void> {
    const data = {
      appId: e.appId,
      endpointId: e.endpointId,
      url: e.url,
      failureRate: e.failures / e.attempts,
      failures: e.failures,
      attempts: e.attempts,
      threshold: e.threshold,
      since: iso(e.at),
    };
    await this.publish('endpoint.failing', data, `endpoint.failing:${e.endpointId}:${e.at}`);
  }

  async ingestSilent(s: SilentAppAlert): Promise<void> {
    const data = {
      appId: s.appId,
      uid: s.uid,
      name: s.name,
      lastEventAt: iso(s.lastEventAt),
      quietSince: iso(s.quietSince),
      silentAfterSeconds: s.silentAfterMs / 1000,
    };
    await this.publish('ingest.silent', data, `ingest.silent:${s.appId}:${s.quietSince}`);
  }

  /** One audit log entry, as written (its secrets were masked before it was). */
  async auditEntry(entry: AuditEntry): Promise<void> {
    const data = { ...entry, at: iso(entry.at) };
    await this.publish('audit.entry', data, `audit.entry:${entry.id}`, 'info');
  }

  /** Publishes like the API does, envelope and all; the idempotency key makes a repeat of the same alert a no-op. */
  private async publish(
    type: OpsEventType,
    data: Record<string, unknown>,
    idempotencyKey: string,
    level: 'warn' | 'info' = 'warn',
  ): Promise<void> {
    const { store, clock, logger } = this.deps;
    const app = await this.opsApp();
    const now = clock();
    const payload = JSON.stringify({ type, timestamp: new Date(now).toISOString(), data });
    let result: Awaited<ReturnType<AdminStore['publishMessage']>>;
    try {
      const message: Message = { id: newId('msg', now), appId: app.id, type, payload, idempotencyKey, createdAt: now };
      result = await store.publishMessage({
        message,
        idempotencyWindowMs: this.deps.idempotencyWindowMs,
        // Endpoints of the ops app filter alerts like any endpoint.
        skip: skipByFilter(() => filterSubject(message)),
      });
    } catch (error) {
      this.app = null; // the ops app may have been deleted: find or create it again next time
      throw error;
    }
    if (result.duplicate) return;
    this.deps.metrics?.opsEventPublished(type);
    logger[level]({ opsEvent: type, messageId: result.message.id, ...data }, `ops event ${type}`);
    if (result.deliveries > 0) this.deps.onDeliveriesDue?.();
  }

  /**
   * The app whose id the store keeps; when there is none yet, or the operator deleted it, a new one is created and
   * its id swapped in. Processes racing here agree through the compare-and-set: a loser deletes nothing, it just
   * reads the winner's id (its own app keeps no uid if the uid was taken).
   */
  private async findOrCreateApp(): Promise<App> {
    const { store, clock, logger } = this.deps;
    for (let round = 0; round < 5; round++) {
      const keptId = await store.readSetting(OPS_APP_SETTING);
      const kept = keptId === null ? null : await store.findApp(keptId);
      if (kept && kept.id === keptId) return kept;
      const now = clock();
      const fresh = { id: newId('app', now), uid: OPS_APP_UID, name: OPS_APP_NAME, createdAt: now, updatedAt: now };
      let app: App;
      try {
        app = await store.createApp(fresh);
      } catch (error) {
        if (!(error instanceof StoreConflictError)) throw error;
        // Another process is creating it now, or an app holds the uid from before it was reserved: not ours either way.
        if (round < 2) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        logger.warn({ uid: OPS_APP_UID }, 'another app holds the uid hookd-ops; the ops app is created without a uid');
        app = await store.createApp({ ...fresh, uid: null });
      }
      if (await store.swapSetting(OPS_APP_SETTING, keptId, app.id)) return app;
      await store.deleteApp(app.id); // another process settled it first: use its app, leave no second one behind
    }
    throw new Error('could not settle which app is the ops app');
  }
}
