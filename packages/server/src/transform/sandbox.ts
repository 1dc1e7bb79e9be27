/**
 * One transformation's sandbox: a QuickJS runtime compiled to WebAssembly (not `node:vm`, which is no security
 * boundary), with its own memory and stack caps, a CPU deadline per run, and nothing of the host inside: no network,
 * no file system, no `process`, a clock fixed to the event's time and a seeded `Math.random`.
 */
import {
  DefaultIntrinsics,
  newQuickJSWASMModuleFromVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core';
import { TRANSFORMATION_LIMITS } from '../domain/index.js';

/**
 * One WebAssembly instance of the engine, shared by the sandboxes compiled in it. A failure that escapes QuickJS's
 * own checks (the host's stack overflowing inside it, an abort) leaves the instance in no known state: it is then
 * `broken`, abandoned whole (nothing in it is freed, since freeing can abort), and the next compile loads a new one.
 */
interface Engine {
  module: QuickJSWASMModule;
  broken: boolean;
}

let current: Promise<Engine> | null = null;

/**
 * The engine, loaded on first use (hookd without transformations never loads it) and warmed: V8 compiles
 * WebAssembly lazily, and that first compile must not count against a transformation's CPU time.
 */
function loadEngine(): Promise<Engine> {
  current ??= newQuickJSWASMModuleFromVariant(import('@jitl/quickjs-wasmfile-release-sync')).then((module) => {
    const context = module.newContext();
    const warm = context.evalCode(`${PRELUDE}((w) => ({ ...w, n: [1, 2].map((x) => x * 2) }), '{"a":"b"}', 0, 1)`);
    (warm.error ?? warm.value).dispose();
    context.dispose();
    return { module, broken: false };
  });
  return current;
}

/** Loads the engine ahead of the first compile (a transformation thread does so before it takes work). */
export async function warmUp(): Promise<void> {
  await loadEngine();
}

function abandon(broken: Engine): void {
  broken.broken = true;
  // A new instance for the next compile, unless one was loaded already.
  void current?.then((engine) => {
    if (engine === broken) current = null;
  });
}

/** Typed arrays stay out: a transformation has no use for them, and large buffers are slow to refuse at the cap. */
const INTRINSICS = { ...DefaultIntrinsics, TypedArrays: false };

/** The source broke a rule or a limit; the message says which, for the one who wrote it. */
export class TransformationError extends Error {}

/**
 * Evaluated before the user's source: fixes Date to the event's time and seeds Math.random per run, and returns
 * the function each run calls. It keeps its own JSON functions, so a source that replaces them changes only itself.
 */
const PRELUDE = `(() => {
  const RealDate = Date, parse = JSON.parse, stringify = JSON.stringify;
  let now = 0, seed = 1;
  function FixedDate(...args) {
    if (!new.target) return new RealDate(now).toString();
    return args.length === 0 ? new RealDate(now) : new RealDate(...args);
  }
  FixedDate.now = () => now;
  FixedDate.parse = RealDate.parse;
  FixedDate.UTC = RealDate.UTC;
  FixedDate.prototype = RealDate.prototype;
  globalThis.Date = FixedDate;
  Math.random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (handler, input, at, seeded) => {
    now = at;
    seed = seeded;
    const out = handler(parse(input));
    if (out === undefined) throw new TypeError('handler returned undefined: return the webhook, or null to skip');
    const text = stringify(out);
    if (text === undefined) throw new TypeError('handler returned something JSON cannot hold');
    return text;
  };
})()`;

/** A compiled transformation, kept warm across runs. Single-threaded: one run at a time, none overlapping. */
export class Sandbox {
  private constructor(
    private readonly engine: Engine,
    private readonly runtime: QuickJSRuntime,
    private readonly context: QuickJSContext,
    private readonly runner: QuickJSHandle,
    private readonly handler: QuickJSHandle,
  ) {}

  /** Evaluates the source (within the CPU cap) and finds its `handler`; TransformationError when it cannot. */
  static async compile(source: string): Promise<Sandbox> {
    if (source.length > TRANSFORMATION_LIMITS.sourceChars) {
      throw new TransformationError(`the transformation exceeds ${TRANSFORMATION_LIMITS.sourceChars} characters`);
    }
    const engine = await loadEngine();
    const runtime = engine.module.newRuntime();
    runtime.setMemoryLimit(TRANSFORMATION_LIMITS.memoryBytes);
    runtime.setMaxStackSize(TRANSFORMATION_LIMITS.stackBytes);
    const context = runtime.newContext({ intrinsics: INTRINSICS });
    const handles: QuickJSHandle[] = [];
    try {
      const runner = within(engine, runtime, () => evaluate(context, PRELUDE, 'prelude.js'));
      handles.push(runner);
      within(engine, runtime, () => evaluate(context, source, 'transformation.js')).dispose();
      const handler = context.getProp(context.global, 'handler');
      handles.push(handler);
      if (context.typeof(handler) !== 'function') {
        throw new TransformationError('the transformation must define function handler(webhook) { … return webhook; }');
      }
      return new Sandbox(engine, runtime, context, runner, handler);
    } catch (error) {
      if (engine.broken) throw error;
      for (const handle of handles) handle.dispose();
      context.dispose();
      runtime.dispose();
      throw error;
    }
  }

  /**
   * Calls the handler with `input` (JSON text) under the CPU cap, with Date.now() at `nowMs`; returns what it gave
   * back as JSON text. TransformationError when it threw or hit a limit: the sandbox is then spent (see `dispose`).
   */
  run(input: string, nowMs: number, seed: number): string {
    const { context } = this;
    return within(this.engine, this.runtime, () => {
      const args = [context.newString(input), context.newNumber(nowMs), context.newNumber(seed)];
      const result = context.callFunction(this.runner, context.undefined, [this.handler, ...args]);
      for (const arg of args) arg.dispose();
      const value = unwrap(context, result);
      const text = context.getString(value);
      value.dispose();
      return text;
    });
  }

  /** Whether this sandbox can run: false once its engine instance broke (see `Engine`). */
  get usable(): boolean {
    return !this.engine.broken;
  }

  dispose(): void {
    if (this.engine.broken) return;
    this.handler.dispose();
    this.runner.dispose();
    this.context.dispose();
    this.runtime.dispose();
  }
}

/**
 * CPU time so far: this thread's where Node has `process.threadCpuUsage` (not Node 20), else the process's, which on a
 * transformation thread also counts the other threads' work, so a busy hookd can stop a run early, never late.
 */
const cpuUsage: (since?: NodeJS.CpuUsage) => NodeJS.CpuUsage =
  (process as { threadCpuUsage?: typeof process.cpuUsage }).threadCpuUsage?.bind(process) ?? process.cpuUsage.bind(process);

/** Runs `work` with the CPU deadline set, and names what stopped it when a limit did. */
function within<T>(engine: Engine, runtime: QuickJSRuntime, work: () => T): T {
  // CPU time, so a busy machine does not cut a run short; and wall time, as a backstop ten times longer.
  const cpuStart = cpuUsage();
  const wallDeadline = performance.now() + 10 * TRANSFORMATION_LIMITS.cpuMs;
  let interrupted = false;
  runtime.setInterruptHandler(() => {
    const { user, system } = cpuUsage(cpuStart);
    interrupted = (user + system) / 1000 > TRANSFORMATION_LIMITS.cpuMs || performance.now() > wallDeadline;
    return interrupted;
  });
  try {
    return work();
  } catch (error) {
    if (error instanceof TransformationError) {
      if (!interrupted) throw error;
      throw new TransformationError(`the transformation ran past its ${TRANSFORMATION_LIMITS.cpuMs} ms of CPU time`);
    }
    // Not QuickJS's own refusal: the host's stack (deep recursion in native code) or an abort. The instance is spent.
    abandon(engine);
    const overflow = error instanceof RangeError;
    throw new TransformationError(
      overflow ? 'InternalError: stack overflow (nesting too deep)' : `the sandbox failed: ${String(error)}`,
    );
  } finally {
    if (!engine.broken) runtime.removeInterruptHandler();
  }
}

function evaluate(context: QuickJSContext, code: string, filename: string): QuickJSHandle {
  return unwrap(context, context.evalCode(code, filename, { type: 'global' }));
}

function unwrap(
  context: QuickJSContext,
  result: { error: QuickJSHandle; value?: undefined } | { value: QuickJSHandle; error?: undefined },
): QuickJSHandle {
  if (result.error === undefined) return result.value;
  const message = describe(context, result.error);
  result.error.dispose();
  throw new TransformationError(message);
}

/**
 * A thrown value as one line: `TypeError: x is not a function`, or what was thrown when it is no Error. Only the name
 * and message are read: a stack overflow's stack is huge, and copying it out would cost more than the run.
 */
function describe(context: QuickJSContext, thrown: QuickJSHandle): string {
  if (context.typeof(thrown) !== 'object') return `threw ${String(context.dump(thrown))}`;
  const part = (key: string) => {
    const handle = context.getProp(thrown, key);
    const text = context.typeof(handle) === 'string' ? context.getString(handle) : null;
    handle.dispose();
    return text;
  };
  const name = part('name');
  const message = part('message') ?? 'threw an object that is no Error';
  if (/out of memory/i.test(message)) {
    return `the transformation ran out of its ${TRANSFORMATION_LIMITS.memoryBytes / 1024 / 1024} MiB of memory`;
  }
  return name === null ? message : `${name}: ${message}`;
}
