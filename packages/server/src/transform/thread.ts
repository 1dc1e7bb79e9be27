/**
 * A transformation thread's script: holds warm sandboxes and runs one request at a time for the main thread, which
 * keeps the deadline (see `transformer.ts`). It loads the engine first and says `ready`, so that load never counts
 * against a run's time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TransformedRequest } from '../domain/index.js';
import { warmUp } from './sandbox.js';
import { transformationProblem, WarmSandboxes } from './warm.js';

export type ThreadRequest =
  | { id: number; kind: 'run'; key: string; source: string; request: TransformedRequest; nowMs: number; seed: number }
  | { id: number; kind: 'check'; source: string };

export type ThreadReply = { ready: true } | { id: number; outcome: unknown } | { id: number; failure: string };

const port = parentPort;
if (port === null) throw new Error('thread.ts is a worker thread script');
const sandboxes = new WarmSandboxes((workerData as { capacity: number }).capacity);

port.on('message', async (job: ThreadRequest) => {
  let reply: ThreadReply;
  try {
    const outcome =
      job.kind === 'run'
        ? await sandboxes.transform(job.key, job.source, job.request, job.nowMs, job.seed)
        : await transformationProblem(job.source);
    reply = { id: job.id, outcome };
  } catch (error) {
    reply = { id: job.id, failure: String(error) };
  }
  port.postMessage(reply);
});

await warmUp();
port.postMessage({ ready: true } satisfies ThreadReply);
