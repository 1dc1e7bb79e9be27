/**
 * Where a hookd process's CPU goes, from the profile node's `--cpu-prof` writes (a .cpuprofile: a call tree and the
 * leaf node of each sample): each sample is charged to the component of the frame nearest its leaf that belongs to
 * one, skipping the database drivers' own frames (their time is the statement's, charged to its caller: the claim or
 * the record). Only samples inside the stretch the CPU was metered on count, so start-up and warm-up are left out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stretch } from './cpu.js';

interface CallFrame {
  functionName: string;
  url: string;
}

interface Profile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  /** µs on the monotonic clock, as process.hrtime's. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Components in the order the issue names them, each known by where its frames come from. */
const COMPONENTS: [string, (frame: CallFrame) => boolean][] = [
  ['claim', (f) => /store\/(sqlite|postgres)\/claim\.[jt]s|delivery\/claim-gate\.[jt]s/.test(f.url)],
  ['sign', (f) => /sdk\/(src|dist)\/.*sign|internal\/crypto/.test(f.url)],
  [
    'HTTP',
    (f) =>
      /undici|node:(net|stream|_http|http)|internal\/(net|streams|http|stream_base)/.test(f.url) || /^write/.test(f.functionName),
  ],
  ['record', (f) => /record-attempt\.[jt]s|group-commit\.[jt]s/.test(f.url)],
  [
    'timers/promises',
    (f) =>
      /internal\/(timers|abort_controller|event_target|process\/task_queues)/.test(f.url) ||
      f.functionName === '(runMicrotasks)' ||
      f.functionName === 'runMicrotasks',
  ],
  ['logging', (f) => /pino/.test(f.url)],
  ['GC', (f) => f.functionName === '(garbage collector)'],
  ['worker', (f) => /delivery\/(worker|send|dispatchers|addresses|failures)\.[jt]s/.test(f.url)],
];
/** Frames whose time belongs to whoever called them. */
const TRANSPARENT = /node_modules\/(better-sqlite3|pg|pg-[a-z]+)\//;
export const IDLE = '(idle)';

/** Microseconds per component (and `other`, and `(idle)`) of one profile's samples inside `stretch`. */
export function componentsOf(profile: Profile, stretch: Stretch): Record<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const componentOf = new Map<number, string>();
  const classify = (leaf: number): string => {
    const known = componentOf.get(leaf);
    if (known !== undefined) return known;
    let found = 'other';
    let driver = false;
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const frame = (byId.get(id) as Profile['nodes'][number]).callFrame;
      if (frame.functionName === IDLE) {
        found = IDLE;
        break;
      }
      if (TRANSPARENT.test(frame.url)) {
        driver = true;
        continue;
      }
      const component = COMPONENTS.find(([, test]) => test(frame));
      if (component) {
        // A database driver's own work, reached from its socket or from the microtask queue (writing a statement's
        // parameters, parsing its rows), is the store's, not the HTTP client's or the promises'.
        found = driver && (component[0] === 'HTTP' || component[0] === 'timers/promises') ? 'store I/O' : component[0];
        break;
      }
    }
    if (found === 'other' && driver) found = 'store I/O';
    componentOf.set(leaf, found);
    return found;
  };
  const spent: Record<string, number> = {};
  let at = profile.startTime;
  profile.samples.forEach((leaf, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < stretch.fromUs || at > stretch.toUs) return;
    const component = classify(leaf);
    // A sample's time is the delta to the next one.
    spent[component] = (spent[component] ?? 0) + (profile.timeDeltas[i + 1] ?? 0);
  });
  return spent;
}

/** The profiles of main threads in `dir` (node names them CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile). */
export function mainThreadProfiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name))
    .map((name) => join(dir, name));
}

/** The components of every main-thread profile in `dir` inside `stretch`, summed, in µs. */
export function componentsIn(dir: string, stretch: Stretch): Record<string, number> {
  const total: Record<string, number> = {};
  for (const file of mainThreadProfiles(dir)) {
    for (const [component, us] of Object.entries(componentsOf(JSON.parse(readFileSync(file, 'utf8')) as Profile, stretch))) {
      total[component] = (total[component] ?? 0) + us;
    }
  }
  return total;
}
