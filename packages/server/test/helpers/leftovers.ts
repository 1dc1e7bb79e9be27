/**
 * Servers a test started and did not close, closed after the test file's last test. A test that fails before its
 * own close() would otherwise leave a server listening, and the file's process would wait on it, its failure
 * unreported, until the runner's timeout. Only in a test file's process: the bench loads these helpers too.
 */
import { after } from 'node:test';

const open = new Set<() => Promise<void>>();

if (/\.test\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  after(async () => {
    const failed = (await Promise.allSettled([...open].map((close) => close()))).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  });
}

/** `close` made safe to call more than once, and called after the file's last test unless the test called it. */
export function closedAtEnd(close: () => Promise<void>): () => Promise<void> {
  let closed: Promise<void> | undefined;
  const once = () => {
    open.delete(once);
    closed ??= close();
    return closed;
  };
  open.add(once);
  return once;
}
