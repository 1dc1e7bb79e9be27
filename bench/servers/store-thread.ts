/**
 * hookd's store on a thread of its own: `storeOnThread(url)` opens the store in a worker thread and returns an object
 * whose every method posts the call there and resolves with its answer. The calls of one turn cross as one message,
 * and their answers come back as one (by structured clone), so the store's group commit still sees them together.
 * For the floor sender's `BENCH_STORE_THREAD=1`: what taking the store's work off the sending thread buys.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { openStore, type Store } from '../../packages/server/src/store/index.js';

interface Call {
  id: number;
  method: string;
  args: unknown[];
}

type Answer = { id: number; result: unknown } | { id: number; error: string };

/** Collects what `send` is given during a turn and sends it as one array at its end. */
function perTurn<T>(send: (batch: T[]) => void): (item: T) => void {
  let batch: T[] = [];
  return (item) => {
    batch.push(item);
    if (batch.length > 1) return;
    setImmediate(() => {
      const sent = batch;
      batch = [];
      send(sent);
    });
  };
}

export async function storeOnThread(url: string): Promise<Store> {
  // The bench runs TypeScript through tsx, whose loader a worker thread of Node 20 does not inherit: register it first.
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: { url } });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  worker.on('message', (answers: Answer[]) => {
    for (const answer of answers) {
      const call = waiting.get(answer.id);
      waiting.delete(answer.id);
      if ('error' in answer) call?.reject(new Error(answer.error));
      else call?.resolve(answer.result);
    }
  });
  const post = perTurn<Call>((calls) => worker.postMessage(calls));
  let next = 0;
  const call = (method: string, args: unknown[]) =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      post({ id, method, args });
    });
  return new Proxy({} as Store, {
    // Not a promise: `await` looks for `then`.
    get: (_target, method: string) =>
      method === 'then'
        ? undefined
        : method === 'close'
          ? async () => {
              await call('close', []);
              await worker.terminate();
            }
          : (...args: unknown[]) => call(method, args),
  });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const store = (await openStore((workerData as { url: string }).url)) as unknown as Record<
    string,
    (...args: unknown[]) => Promise<unknown>
  >;
  const answer = perTurn<Answer>((answers) => port.postMessage(answers));
  port.on('message', (calls: Call[]) => {
    for (const { id, method, args } of calls) {
      // Through a promise, so that a call that throws at once (no such method) is answered as an error too.
      Promise.resolve()
        .then(() => (store[method] as (...a: unknown[]) => Promise<unknown>)(...args))
        .then(
          (result) => answer({ id, result }),
          (error) => answer({ id, error: String(error) }),
        );
    }
  });
  port.postMessage('open');
}
