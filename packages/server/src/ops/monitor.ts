/**
 * The ops monitor: every interval, judges the endpoints attempted since the last check (`endpoint.failing`) and the
 * apps that asked to hear about silence (`ingest.silent`). Each alert is claimed with a compare-and-set in the store
 * before it is published, so of several worker processes checking at once exactly one raises it.
 */
import type { Logger } from 'pino';
import { type FailingRule, failingEpisodeStep, type Timers } from '../domain/index.js';
import type { EndpointFailureRate, OpsStore, SilentApp } from '../store/index.js';
import type { OpsEvents } from './events.js';
import { Periodic } from './periodic.js';

export interface OpsMonitorDeps {
  store: Pick<OpsStore, 'endpointFailureRates' | 'openFailingEpisode' | 'closeFailingEpisode' | 'silentApps' | 'markAppSilent'>;
  ops: Pick<OpsEvents, 'opsApp' | 'endpointFailing' | 'ingestSilent'>;
  failing: FailingRule;
  /** An app that asked for it hears `ingest.silent` once no event has come for this long. */
  silentAfterMs: number;
  intervalMs: number;
  /** Attempts are judged by their start but stored at their end: each check looks back this much further (the lease). */
  lookbackMs: number;
  logger: Logger;
  clock: () => number;
  /** The timers for the interval; the global ones unless a test drives time. */
  timers?: Timers;
}

export interface CheckResult {
  /** `endpoint.failing` episodes this check opened (and raised). */
  failing: number;
  /** Episodes it closed: the endpoint's failure rate is back at or below the threshold. */
  recovered: number;
  /** `ingest.silent` alerts it raised. */
  silent: number;
}

export class OpsMonitor {
  private readonly periodic: Periodic;
  /** When the last successful check started; attempts since then (less the lookback) are judged next. */
  private checkedAt: number | null = null;

  constructor(private readonly deps: OpsMonitorDeps) {
    const failure = 'the ops check failed; trying again at the next interval';
    const { intervalMs, logger, timers } = deps;
    this.periodic = new Periodic(() => this.check(), { intervalMs, logger, failure, timers });
  }

  /** Checks at once, then every interval, until stopped. */
  start(): void {
    this.periodic.start();
  }

  /** Resolves once the check in progress, if any, has ended. */
  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** One check. Store errors reach the caller; an alert that could not be published is released for the next check. */
  async check(): Promise<CheckResult> {
    const { clock, intervalMs, lookbackMs } = this.deps;
    const now = clock();
    const opsAppId = (await this.deps.ops.opsApp()).id;
    const since = (this.checkedAt ?? now - intervalMs) - lookbackMs;
    const result: CheckResult = { failing: 0, recovered: 0, silent: 0 };
    const rates = await this.deps.store.endpointFailureRates({ since, window: this.deps.failing.window });
    for (const rate of rates) {
      if (rate.appId === opsAppId) continue; // never alert about the ops endpoints themselves
      const step = failingEpisodeStep(rate.attempts, rate.failures, rate.failingAlertedAt !== null, this.deps.failing);
      if (step === 'open' && (await this.openEpisode(rate, now))) result.failing++;
      if (step === 'close' && (await this.deps.store.closeFailingEpisode(rate.endpointId, rate.failingAlertedAt as number))) {
        result.recovered++;
        this.deps.logger.info({ endpointId: rate.endpointId, appId: rate.appId }, 'endpoint recovered from failing');
      }
    }
    for (const app of await this.deps.store.silentApps(now - this.deps.silentAfterMs)) {
      if (app.appId !== opsAppId && (await this.alertSilence(app))) result.silent++;
    }
    this.checkedAt = now;
    return result;
  }

  private async openEpisode(rate: EndpointFailureRate, now: number): Promise<boolean> {
    const { store, ops, failing, logger } = this.deps;
    if (!(await store.openFailingEpisode(rate.endpointId, now))) return false; // another process raised it
    try {
      await ops.endpointFailing({ ...rate, threshold: failing.threshold, at: now });
      return true;
    } catch (error) {
      await store.closeFailingEpisode(rate.endpointId, now);
      logger.error({ err: error, endpointId: rate.endpointId }, 'raising endpoint.failing failed; trying at the next check');
      return false;
    }
  }

  private async alertSilence(app: SilentApp): Promise<boolean> {
    const { store, ops, silentAfterMs, logger } = this.deps;
    if (!(await store.markAppSilent(app.appId, app.silenceAlertedAt, app.quietSince))) return false;
    try {
      await ops.ingestSilent({ ...app, silentAfterMs });
      return true;
    } catch (error) {
      await store.markAppSilent(app.appId, app.quietSince, app.silenceAlertedAt);
      logger.error({ err: error, appId: app.appId }, 'raising ingest.silent failed; trying at the next check');
      return false;
    }
  }
}
