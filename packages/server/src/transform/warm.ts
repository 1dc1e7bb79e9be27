/**
 * Inside a transformation thread (see `thread.ts`): runs endpoints' transformations in sandboxes kept warm: one per endpoint and source version, reused across
 * deliveries, the least recently used closed past a bound. A sandbox whose run failed (a throw, a limit) is closed:
 * a limit can leave it in any state, and the next run compiles afresh.
 */
import { createHash } from 'node:crypto';
import { judgeTransformed, setNewest, type TransformedRequest, type TransformOutcome, webhookOf } from '../domain/index.js';
import { Sandbox, TransformationError } from './sandbox.js';

export class WarmSandboxes {
  private readonly warm = new Map<string, { version: string; sandbox: Sandbox }>();

  constructor(private readonly capacity: number) {}

  /**
   * The request that `source` makes of `request` for this key (an endpoint id), with Date.now() at `nowMs` and
   * Math.random seeded by `seed`: what to send, a cancel, or an error that says what went wrong.
   */
  async transform(key: string, source: string, request: TransformedRequest, nowMs: number, seed = 1): Promise<TransformOutcome> {
    let sandbox: Sandbox;
    try {
      sandbox = await this.sandboxFor(key, source);
    } catch (error) {
      if (error instanceof TransformationError) return { kind: 'error', message: error.message };
      throw error;
    }
    let returned: string;
    try {
      returned = sandbox.run(JSON.stringify(webhookOf(request)), nowMs, seed);
    } catch (error) {
      this.close(key);
      if (error instanceof TransformationError) return { kind: 'error', message: error.message };
      throw error;
    }
    return judgeTransformed(returned, request);
  }

  /** Closes the key's sandbox, or every one. */
  close(key?: string): void {
    for (const [k, entry] of this.warm) {
      if (key !== undefined && k !== key) continue;
      entry.sandbox.dispose();
      this.warm.delete(k);
    }
  }

  private async sandboxFor(key: string, source: string): Promise<Sandbox> {
    const version = createHash('sha256').update(source).digest('base64url');
    const entry = this.warm.get(key);
    if (entry?.version === version && entry.sandbox.usable) {
      // Most recently used goes last: the first in the map is the one to close when full.
      this.warm.delete(key);
      this.warm.set(key, entry);
      return entry.sandbox;
    }
    if (entry) this.close(key);
    const sandbox = await Sandbox.compile(source);
    // Another run for this key may have compiled it meanwhile: keep one, close the other.
    const raced = this.warm.get(key);
    if (raced) {
      sandbox.dispose();
      return raced.sandbox;
    }
    setNewest(this.warm, key, { version, sandbox }, this.capacity, (_, closed) => closed.sandbox.dispose());
    return sandbox;
  }
}

/** Whether `source` is a transformation hookd can run: null, or what is wrong with it (size, syntax, no handler). */
export async function transformationProblem(source: string): Promise<string | null> {
  try {
    (await Sandbox.compile(source)).dispose();
    return null;
  } catch (error) {
    if (error instanceof TransformationError) return error.message;
    throw error;
  }
}
