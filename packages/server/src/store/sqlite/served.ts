/**
 * A SQLite file that a hookd process has open carries a marker beside it, `<file>.pid`, holding that process's id:
 * what `hookd migrate-store` checks before it copies the file, since a copy of a file still being written loses what
 * is written after. A marker whose process is gone (killed with SIGKILL) does not count.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { privateFiles } from '../files.js';

const markerOf = (path: string) => `${path}.pid`;

/**
 * Marks the file as open by this process; the returned function removes the marker. A live process's marker stays
 * (`hookd keys rotate` beside a running hookd must not unmark the file when it ends).
 */
export function markServed(path: string): () => void {
  if (servedBy(path) !== null) return () => {};
  const marker = markerOf(path);
  writeFileSync(marker, `${process.pid}\n`, { mode: 0o600 });
  privateFiles(marker); // one an older start left keeps its mode otherwise
  return () => rmSync(marker, { force: true });
}

/** The id of the live process that has the file open, or null. */
export function servedBy(path: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(markerOf(path), 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}
