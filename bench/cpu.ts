/**
 * Where the CPU of a run goes, read from /proc (Linux): the user+system time of some processes (with their
 * descendants) and of the PostgreSQL backends serving one database, sampled twice and subtracted.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { reachPostgres } from '../packages/server/test/helpers/postgres.js';

/** Clock ticks per second, the unit of utime and stime in /proc/<pid>/stat. */
const TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface Stat {
  ppid: number;
  ticks: number;
}

/** utime+stime and the parent of a process, or null once it is gone. */
function stat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The name (field 2) is in parentheses and may hold spaces: the fields that follow are counted from its end.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

/** The processes and every descendant of theirs (tsx may run helpers beside a node process). */
function withDescendants(roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const ppid = stat(pid)?.ppid;
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const all = [...roots];
  for (let i = 0; i < all.length; i++) all.push(...(children.get(all[i] as number) ?? []));
  return all;
}

/** CPU ticks so far, per process. */
export type CpuSample = { processes: Map<number, number>; postgres: Map<number, number> };

/** CPU spent between two samples, in ms: a process only in the later sample started in between and counts whole. */
export interface CpuSpent {
  processesMs: number;
  postgresMs: number;
}

function ticksOf(pids: readonly number[]): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    const found = stat(pid);
    if (found) ticks.set(pid, found.ticks);
  }
  return ticks;
}

function spentMs(before: Map<number, number>, after: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, now] of after) ticks += now - (before.get(pid) ?? 0);
  return (ticks * 1000) / TICKS_PER_S;
}

/**
 * Samples the CPU of some processes and of the backends of one database (found in pg_stat_activity, through a
 * connection to the maintenance database, so the sampling's own backend is not counted).
 */
export class CpuMeter {
  private constructor(
    private readonly admin: pg.Client,
    private readonly database: string,
  ) {}

  static async open(databaseUrl: string): Promise<CpuMeter> {
    const adminUrl = await reachPostgres();
    if (adminUrl === null) throw new Error('bench: no PostgreSQL to read backends from');
    const admin = new pg.Client({ connectionString: adminUrl });
    admin.on('error', () => {});
    await admin.connect();
    return new CpuMeter(admin, decodeURIComponent(new URL(databaseUrl).pathname.slice(1)));
  }

  async sample(processes: readonly number[]): Promise<CpuSample> {
    const { rows } = await this.admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [
      this.database,
    ]);
    return { processes: ticksOf(withDescendants(processes)), postgres: ticksOf(rows.map((row) => row.pid)) };
  }

  static spent(before: CpuSample, after: CpuSample): CpuSpent {
    return { processesMs: spentMs(before.processes, after.processes), postgresMs: spentMs(before.postgres, after.postgres) };
  }

  close(): Promise<void> {
    return this.admin.end();
  }
}
