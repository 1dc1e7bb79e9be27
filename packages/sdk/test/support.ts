/** Small helpers shared by the SDK's tests. */

/**
 * A clock a test moves by hand, with the timers that go with it (pass it as `timers`): `advance` runs the timers that
 * fall due on the way, soonest first, each seeing the clock at its due time. A timer set for a time already reached
 * fires on the next turn, as a real one would, so a test that advances before the code sets its timer cannot stall it.
 */
export function manualClock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let now = start;
  let lastId = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        let next: [number, { at: number; fn: () => void }] | undefined;
        for (const entry of timers) if (entry[1].at <= until && (next === undefined || entry[1].at < next[1].at)) next = entry;
        if (next === undefined) break;
        timers.delete(next[0]);
        now = next[1].at;
        next[1].fn();
      }
      now = until;
    },
    setTimeout(fn: () => void, ms: number): unknown {
      const id = ++lastId;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      if (ms <= 0) {
        setImmediate(() => {
          if (timers.delete(id)) fn();
        });
      }
      return id;
    },
    clearTimeout(handle: unknown): void {
      timers.delete(handle as number);
    },
    /** When each waiting timer falls due, soonest first. */
    pending(): number[] {
      return [...timers.values()].map((t) => t.at).sort((a, b) => a - b);
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
