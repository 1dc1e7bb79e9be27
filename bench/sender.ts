/**
 * A sender the drains measure beside hookd, in a child process of its own (the do-it-yourself senders, the floor
 * sender): it says so once its deliveries are queued, sends them on `start`, and exits on `stop`.
 */
import type { ChildProcess } from 'node:child_process';
import { killHard } from '../packages/server/test/helpers/processes.js';
import { type CpuMeter, type Groups, type MeteredDrain, meteredDrain } from './cpu.js';
import { type Receivers, waitFor } from './loopback.js';

/** Waits until `child` has queued, meters its drain of `perReceiver` deliveries to each receiver, and stops it. */
export async function senderDrain(
  child: ChildProcess,
  what: string,
  receivers: Receivers,
  meter: CpuMeter,
  groups: () => Groups,
  perReceiver: number,
): Promise<MeteredDrain> {
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`bench: ${what} exited (${code}) before queueing`)));
    });
    return await meteredDrain(receivers, meter, groups, async () => {
      child.send('start');
      await waitFor(() => receivers.arrivals.every((map) => map.size >= perReceiver), 180_000, `${what} to drain`);
    });
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.connected) child.send('stop');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    await killHard(child);
  }
}
