/**
 * Ships the audit log out: every interval, a worker process publishes the entries written since the last shipped one
 * as `audit.entry` ops events, so an operator can send them to another system. The store keeps how far shipping got
 * (compare and set, so processes shipping at once agree), and each event's idempotency key is its entry's id, so an
 * entry two processes both picked up is published once.
 */
import type { Logger } from 'pino';
import type { AuditEntry, Timers } from '../domain/index.js';
import type { AdminStore, OpsStore } from '../store/index.js';
import type { OpsEvents } from './events.js';
import { Periodic } from './periodic.js';

/** The setting that holds the id of the last entry shipped. */
export const AUDIT_SHIPPED_SETTING = 'audit_shipped_through';
/**
 * Entries are shipped once they are this old: an entry's id is taken when its change starts, and a change that commits
 * late must not land behind an entry already shipped.
 */
const SETTLE_MS = 2_000;
const BATCH = 200;

export interface AuditShipperDeps {
  store: Pick<OpsStore, 'auditEntriesAfter'> & Pick<AdminStore, 'readSetting' | 'swapSetting'>;
  ops: Pick<OpsEvents, 'auditEntry'>;
  intervalMs: number;
  logger: Logger;
  clock: () => number;
  timers?: Timers;
}

export class AuditShipper {
  private readonly periodic: Periodic;

  constructor(private readonly deps: AuditShipperDeps) {
    const failure = 'shipping audit entries failed; trying again at the next interval';
    const { intervalMs, logger, timers } = deps;
    this.periodic = new Periodic(() => this.ship(), { intervalMs, logger, failure, timers });
  }

  start(): void {
    this.periodic.start();
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** Publishes what is due, batch after batch; how many entries this call shipped. */
  async ship(): Promise<number> {
    const { store, ops, clock } = this.deps;
    let shipped = 0;
    for (;;) {
      const through = await store.readSetting(AUDIT_SHIPPED_SETTING);
      const entries: AuditEntry[] = await store.auditEntriesAfter(through, clock() - SETTLE_MS, BATCH);
      const last = entries.at(-1);
      if (!last) return shipped;
      for (const entry of entries) await ops.auditEntry(entry);
      shipped += entries.length;
      // Another process moved the mark meanwhile: its next batch, or ours, starts from where it is now.
      await store.swapSetting(AUDIT_SHIPPED_SETTING, through, last.id);
      if (entries.length < BATCH || this.periodic.stopping) return shipped;
    }
  }
}
