/**
 * Where the CPU of a run goes, read from /proc (Linux): the user+system time of some processes (with their
 * descendants) and of the PostgreSQL backends serving one database, sampled twice and subtracted.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { reachPostgres } from '../packages/server/test/helpers/postgres.js';
import { arrivalRate, type Receivers, WARMUP_ARRIVALS } from './loopback.js';

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

/** The processes whose command name (/proc/<pid>/comm) is `name`: a server the bench did not start, like Redis. */
export function pidsNamed(name: string): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) return [];
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name ? [pid] : [];
    } catch {
      return [];
    }
  });
}

/** Processes to meter, by name (`api`, `worker`, `sender`, `redis`): each name's CPU is reported on its own. */
export type Groups = Record<string, readonly number[]>;

/** What pg_stat_database counts of a run's work: rows read and written, and commits. */
const COUNTERS = ['tup_fetched', 'tup_returned', 'tup_inserted', 'tup_updated', 'xact_commit'] as const;
/** How long after a run its counts have all reached pg_stat_database. */
export const STATS_SETTLE_MS = 11_000;

/** CPU ticks so far, per process of each group, and of the database's backends (null without a database). */
export interface CpuSample {
  groups: Record<string, Map<number, number>>;
  postgres: Map<number, number> | null;
}

/**
 * CPU spent between two samples, in ms, per group and as `postgres` for the backends: a process only in the later
 * sample started in between and counts whole.
 */
export type CpuSpent = Record<string, number>;

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
 * Samples the CPU of groups of processes and, given a PostgreSQL database, of its backends (found in
 * pg_stat_activity through a connection to the maintenance database, so the sampling's own backend is not counted).
 */
export class CpuMeter {
  private constructor(
    private readonly admin: pg.Client | null,
    private readonly database: string,
  ) {}

  /** `databaseUrl` null (SQLite, Redis): processes only. */
  static async open(databaseUrl: string | null): Promise<CpuMeter> {
    if (databaseUrl === null) return new CpuMeter(null, '');
    const adminUrl = await reachPostgres();
    if (adminUrl === null) throw new Error('bench: no PostgreSQL to read backends from');
    const admin = new pg.Client({ connectionString: adminUrl });
    admin.on('error', () => {});
    await admin.connect();
    return new CpuMeter(admin, decodeURIComponent(new URL(databaseUrl).pathname.slice(1)));
  }

  async sample(groups: Groups): Promise<CpuSample> {
    const sampled = Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, ticksOf(withDescendants(pids))]));
    if (this.admin === null) return { groups: sampled, postgres: null };
    const { rows } = await this.admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [
      this.database,
    ]);
    return { groups: sampled, postgres: ticksOf(rows.map((row) => row.pid)) };
  }

  /**
   * The database's counters from pg_stat_database: rows fetched and returned, inserted and updated, commits; empty
   * without a database. A busy backend adds its counts at most once a second, an idle one up to 10 s later (PostgreSQL
   * 15), so a count over a run is read STATS_SETTLE_MS after its end.
   */
  async counters(): Promise<Record<string, number>> {
    if (this.admin === null) return {};
    const { rows } = await this.admin.query<Record<string, string>>(
      `SELECT ${COUNTERS.join(', ')} FROM pg_stat_database WHERE datname = $1`,
      [this.database],
    );
    return Object.fromEntries(COUNTERS.map((name) => [name, Number(rows[0]?.[name] ?? 0)]));
  }

  static spent(before: CpuSample, after: CpuSample): CpuSpent {
    const spent: CpuSpent = {};
    for (const [name, ticks] of Object.entries(after.groups)) spent[name] = spentMs(before.groups[name] ?? new Map(), ticks);
    if (after.postgres) spent.postgres = spentMs(before.postgres ?? new Map(), after.postgres);
    return spent;
  }

  close(): Promise<void> {
    return this.admin?.end() ?? Promise.resolve();
  }
}

/** Each group's CPU in whole µs (from ms), and their sum as `total`: how the drain figures report it. */
export function inMicroseconds(cpuMs: CpuSpent): { groups: Record<string, number>; total: number } {
  const groups = Object.fromEntries(Object.entries(cpuMs).map(([group, ms]) => [group, Math.round(ms * 1000)]));
  return { groups, total: Object.values(groups).reduce((sum, us) => sum + us, 0) };
}

/** Each group's CPU per unit (delivery, event), in ms. */
export function perUnit(spent: CpuSpent, units: number): CpuSpent {
  return Object.fromEntries(Object.entries(spent).map(([name, ms]) => [name, ms / units]));
}

/** The CPU of a drain: its rate, and each group's CPU per delivery (ms) over the stretch its rate is measured on. */
export interface MeteredDrain {
  rate: number;
  cpuMsPer: CpuSpent;
  /** This process's CPU per delivery (ms): the receivers answering, and the bench's own waiting. */
  receiversMsPer: number;
  /** The metered stretch on the monotonic clock, in µs (a `--cpu-prof` profile's sample times are on it too). */
  stretch: Stretch;
}

export interface Stretch {
  fromUs: number;
  toUs: number;
}

/** Now on the monotonic clock, in µs: the clock of process.hrtime and of V8's profiles. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

const arrived = (receivers: Receivers) => receivers.arrivals.reduce((sum, map) => sum + map.size, 0);

/**
 * Clears the receivers, runs `deliver` (which resolves once every delivery arrived, WARMUP_ARRIVALS of them and then
 * the measured ones), and samples the CPU once the warm-up has arrived and again at the end: the same stretch as
 * arrivalRate's. `groups` is read after the warm-up, when every process of the drain runs.
 */
export async function meteredDrain(
  receivers: Receivers,
  meter: CpuMeter,
  groups: () => Groups,
  deliver: () => Promise<void>,
): Promise<MeteredDrain> {
  receivers.clear();
  let over = false;
  let metered: Groups = {};
  const warm = (async (): Promise<[CpuSample, number, NodeJS.CpuUsage, number] | null> => {
    while (!over && arrived(receivers) < WARMUP_ARRIVALS) await new Promise((r) => setTimeout(r, 2));
    if (over) return null;
    metered = groups();
    return [await meter.sample(metered), arrived(receivers), process.cpuUsage(), monotonicUs()];
  })();
  try {
    await deliver();
  } finally {
    over = true;
  }
  const end = await meter.sample(metered);
  const toUs = monotonicUs();
  const count = arrived(receivers);
  const start = await warm;
  if (start === null) throw new Error(`bench: the drain ended before its ${WARMUP_ARRIVALS} warm-up deliveries had arrived`);
  // Not from /proc: this process's descendants are the hookd processes measured above.
  const own = process.cpuUsage(start[2]);
  return {
    rate: arrivalRate(receivers, undefined, start[1]),
    cpuMsPer: perUnit(CpuMeter.spent(start[0], end), count - start[1]),
    receiversMsPer: (own.user + own.system) / 1000 / (count - start[1]),
    stretch: { fromUs: start[3], toUs },
  };
}
