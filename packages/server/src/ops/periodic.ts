/** The loop behind the background jobs (retention, the ops monitor): a task at once, then every interval, until stopped. */
import type { Logger } from 'pino';
import { SYSTEM_TIMERS, type Timers } from '../domain/index.js';

export class Periodic {
  private active = false;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;

  /** A task that throws is logged with `failure` and runs again at the next interval. */
  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly options: { intervalMs: number; logger: Logger; failure: string; timers?: Timers },
  ) {}

  start(): void {
    if (this.active || this.stopped) return;
    this.active = true;
    this.loop = this.run();
  }

  /** Resolves once the task in progress, if any, has ended; a task may check `stopping` to end early. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (!this.active) return;
    this.active = false;
    this.wakeUp?.();
    await this.loop;
  }

  /** Ends the wait in progress, if any: the task runs again now rather than at the next interval. */
  wake(): void {
    this.wakeUp?.();
  }

  get stopping(): boolean {
    return this.stopped;
  }

  /** Waits `ms`, or less if the loop is stopped meanwhile. */
  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const timers = this.options.timers ?? SYSTEM_TIMERS;
    return new Promise<void>((resolve) => {
      const finish = () => {
        timers.clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = timers.setTimeout(finish, ms);
      this.wakeUp = finish;
    });
  }

  private async run(): Promise<void> {
    while (this.active) {
      try {
        await this.task();
      } catch (error) {
        this.options.logger.error({ err: error }, this.options.failure);
      }
      await this.sleep(this.options.intervalMs);
    }
  }
}
