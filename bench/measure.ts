/**
 * Throughput of synchronous operations, measured fairly: every contender is timed in many short slices,
 * alternating with the others in a rotating order, so drift in the machine's state touches all alike.
 */

export interface Contender {
  name: string;
  /** One operation; what it returns is kept, so the work cannot be optimised away. */
  op(): unknown;
}

export interface ThroughputOptions {
  /** Rounds; each times every contender once, in an order that rotates between rounds. */
  rounds: number;
  /** How long each contender runs in a round. */
  sliceMs: number;
  /** Untimed run of each contender first, so every one is compiled and warm. */
  warmupMs: number;
}

export interface Throughput {
  name: string;
  /**
   * Operations per CPU second of this process in its best round. Other work on the machine only ever
   * slows a slice down (cache misses, migrations), so the best round is the closest to the code's own
   * speed, as `timeit` reasons; the median is kept beside it.
   */
  best: number;
  median: number;
  perRound: number[];
  /** Operations per wall-clock second, median over the rounds: lower than the above when the machine is busy. */
  medianPerWallSecond: number;
}

interface Slice {
  perCpuSecond: number;
  perWallSecond: number;
}

let sink: unknown;

/** Runs `op` for about `ms` of wall time, counting in batches so the clock stays out of the loop. */
function runFor(op: () => unknown, ms: number): Slice {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  let count = 0;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 64; i++) sink = op();
    count += 64;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpuStart);
  return { perCpuSecond: count / ((cpu.user + cpu.system) / 1e6), perWallSecond: count / (Number(now - start) / 1e9) };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function measureThroughput(contenders: readonly Contender[], options: ThroughputOptions): Throughput[] {
  for (const c of contenders) runFor(c.op, options.warmupMs);
  const slices: Slice[][] = contenders.map(() => []);
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const index = (k + round) % contenders.length;
      (slices[index] as Slice[]).push(runFor((contenders[index] as Contender).op, options.sliceMs));
    }
  }
  if (sink === Symbol.for('never')) console.log(sink);
  return contenders.map((c, i) => {
    const mine = slices[i] as Slice[];
    const perRound = mine.map((slice) => slice.perCpuSecond);
    return {
      name: c.name,
      best: Math.max(...perRound),
      median: median(perRound),
      perRound,
      medianPerWallSecond: median(mine.map((slice) => slice.perWallSecond)),
    };
  });
}
