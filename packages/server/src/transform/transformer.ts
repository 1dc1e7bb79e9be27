/**
 * Runs endpoints' transformations on worker threads, never on the main one: a run holds its thread for up to its CPU
 * cap, and an allocation QuickJS cannot interrupt can hold it for many seconds, while other endpoints' deliveries
 * must keep their pace. Each thread keeps its own warm sandboxes (an endpoint always goes to the same thread) and
 * runs one request at a time; here each run gets a wall-clock deadline, and a thread that overruns it is terminated,
 * its run answered with an error, and a fresh thread started for the runs queued behind it.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { TransformedRequest, TransformOutcome } from '../domain/index.js';
import type { ThreadReply, ThreadRequest } from './thread.js';

/** How many warm sandboxes a process keeps, at most (each holds up to its memory cap), shared out among threads. */
export const WARM_SANDBOXES = 64;

/** Threads per transformer: two let one endpoint's slow run leave the other's endpoints going, where cores allow. */
export const TRANSFORM_THREADS = Math.min(2, availableParallelism());

/**
 * How long one request may hold its thread. A compile and a run each stop themselves after their CPU cap (or 1 s of
 * wall time); a thread still busy past this is stuck where QuickJS does not check its limits, e.g. allocating.
 */
export const RUN_DEADLINE_MS = 2_000;

/**
 * Built, this module is a .js beside thread.js. Run from its .ts source under tsx (the tests), it is beside thread.ts,
 * which a worker on Node 20 cannot load: tsx's hooks do not reach worker threads there, so the thread registers them first.
 */
function newThread(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./thread.js', import.meta.url), { workerData });
  const [tsx, script] = [import.meta.resolve('tsx/esm/api'), new URL('./thread.ts', import.meta.url).href];
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(script)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Work = WithoutId<ThreadRequest>;

interface Job {
  work: Work;
  resolve: (outcome: unknown) => void;
  reject: (error: Error) => void;
  /** The answer when the run could not finish: its thread overran the deadline, failed, or was closed. */
  failed: (message: string) => unknown;
}

/** One thread and the requests waiting for it. */
class Lane {
  private worker: Worker | null = null;
  private ready = false;
  private readonly queue: Job[] = [];
  private current: { id: number; job: Job; timer: NodeJS.Timeout } | null = null;
  private lastId = 0;
  private closed = false;

  constructor(private readonly capacity: number) {}

  submit(work: Work, failed: (message: string) => unknown): Promise<unknown> {
    if (this.closed) return Promise.resolve(failed('hookd is stopping'));
    return new Promise((resolve, reject) => {
      this.queue.push({ work, resolve, reject, failed });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.resolve(job.failed('hookd is stopping'));
    this.finish('hookd is stopping');
    await this.stop();
  }

  private pump(): void {
    if (this.closed) return;
    if (this.current === null && this.queue.length > 0) {
      this.worker ??= this.start();
      const job = this.ready ? this.queue.shift() : undefined;
      if (job) {
        const id = ++this.lastId;
        const timer = setTimeout(() => this.overran(), RUN_DEADLINE_MS);
        this.current = { id, job, timer };
        this.worker.postMessage({ id, ...job.work } satisfies ThreadRequest);
      }
    }
    // An idle thread must not keep the process alive; a busy one must, or a CLI run would exit before its answer.
    if (this.current !== null || this.queue.length > 0) this.worker?.ref();
    else this.worker?.unref();
  }

  private start(): Worker {
    this.ready = false;
    const worker = newThread({ capacity: this.capacity });
    worker.on('message', (reply: ThreadReply) => {
      if (worker === this.worker) this.answer(reply);
    });
    worker.on('error', (error) => {
      if (worker === this.worker) this.lost(`the transformation thread failed: ${error.message}`);
    });
    worker.on('exit', (code) => {
      if (worker === this.worker) this.lost(`the transformation thread exited (code ${code})`);
    });
    return worker;
  }

  private answer(reply: ThreadReply): void {
    if ('ready' in reply) {
      this.ready = true;
    } else if (this.current?.id === reply.id) {
      const { job, timer } = this.current;
      clearTimeout(timer);
      this.current = null;
      if ('failure' in reply) job.reject(new Error(reply.failure));
      else job.resolve(reply.outcome);
    }
    this.pump();
  }

  /** The run overran: its thread is stuck in it, so the thread goes, with its warm sandboxes; the queue goes on. */
  private overran(): void {
    this.finish(`the transformation ran past its ${RUN_DEADLINE_MS} ms time limit and was stopped`);
    void this.stop();
    this.pump();
  }

  private lost(message: string): void {
    const starting = !this.ready;
    this.worker = null;
    this.finish(message);
    // A thread that died before it was ready would die again: the queue fails rather than restarting it forever.
    if (starting) for (const job of this.queue.splice(0)) job.resolve(job.failed(message));
    this.pump();
  }

  private finish(message: string): void {
    if (this.current === null) return;
    const { job, timer } = this.current;
    clearTimeout(timer);
    this.current = null;
    job.resolve(job.failed(message));
  }

  private async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }
}

export class Transformer {
  private readonly lanes: Lane[];

  /** `capacity` warm sandboxes at most, over `threads` threads, each started when first needed. */
  constructor(capacity = WARM_SANDBOXES, threads = TRANSFORM_THREADS) {
    this.lanes = Array.from({ length: threads }, () => new Lane(Math.ceil(capacity / threads)));
  }

  /**
   * The request that `source` makes of `request` for this key (an endpoint id), with Date.now() at `nowMs` and
   * Math.random seeded by `seed`: what to send, a cancel, or an error that says what went wrong.
   */
  transform(key: string, source: string, request: TransformedRequest, nowMs: number, seed = 1): Promise<TransformOutcome> {
    const work: Work = { kind: 'run', key, source, request, nowMs, seed };
    return this.laneOf(key).submit(work, (message) => ({ kind: 'error', message })) as Promise<TransformOutcome>;
  }

  /** What is wrong with `source` (see `transformationProblem`), checked on a thread like a run. */
  problem(source: string): Promise<string | null> {
    return this.laneOf('').submit({ kind: 'check', source }, (message) => message) as Promise<string | null>;
  }

  /** Stops every thread (a worker that stops); runs still waiting are answered with an error. */
  async close(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.close()));
  }

  /** The same thread for the same key, so its warm sandbox is found again. */
  private laneOf(key: string): Lane {
    let hash = 0;
    for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) | 0;
    return this.lanes[Math.abs(hash) % this.lanes.length] as Lane;
  }
}

// One thread for the process's checks and trials, idle (and not keeping the process alive) between them.
let spare: Transformer | null = null;
let trials = 0;

/** Whether `source` is a transformation hookd can run: null, or what is wrong with it (size, syntax, no handler). */
export function transformationProblem(source: string): Promise<string | null> {
  spare ??= new Transformer(1, 1);
  return spare.problem(source);
}

/** One run of `source` as `Transformer.transform` does it, in a sandbox of its own: a trial, nothing kept warm. */
export function tryTransformation(source: string, request: TransformedRequest, nowMs: number): Promise<TransformOutcome> {
  spare ??= new Transformer(1, 1);
  return spare.transform(`trial ${++trials}`, source, request, nowMs);
}
