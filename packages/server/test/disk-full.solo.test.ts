/**
 * The SQLite file's disk fills up mid-run: publishes are refused with 503 store_full (nothing acknowledged is
 * lost), and service resumes by itself once space returns. The file lives on a small tmpfs mounted for the test:
 * it needs root (as CI has), and is skipped with a message where mounting is not permitted. A solo test: it
 * mounts a filesystem.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { eventually, startTestHookd } from './helpers/hookd.js';
import { startReceiver } from './helpers/receiver.js';

function tryMount(dir: string, size: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error).trim();
  }
}

test('a full disk refuses publishes with 503 store_full, loses nothing acknowledged, and recovers when space returns', {
  timeout: 90_000,
}, async (t) => {
  const mount = mkdtempSync(join(tmpdir(), 'hookd-full-'));
  const refused = tryMount(mount, '16m');
  if (refused !== null) {
    rmSync(mount, { recursive: true, force: true });
    t.skip(`cannot mount a tmpfs here (needs root): ${refused}`);
    return;
  }
  const receiver = await startReceiver();
  const server = await startTestHookd({ databaseUrl: `sqlite:${join(mount, 'hookd.db')}` });
  t.after(async () => {
    await server.close().catch(() => {});
    await receiver.close();
    execFileSync('umount', ['-l', mount]);
    rmSync(mount, { recursive: true, force: true });
  });
  await server.call('POST', '/v1/apps', { uid: 'full', name: 'Full' });
  await server.call('POST', '/v1/apps/full/endpoints', { url: receiver.url });

  // Fill the filesystem but for 1 MiB, so a few dozen publishes fit before it is full.
  const filler = join(mount, 'filler');
  const free = () => {
    const s = statfsSync(mount);
    return s.bavail * s.bsize;
  };
  writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 1024 * 1024)));
  const data = { blob: 'x'.repeat(8 * 1024) };
  const acknowledged: string[] = [];
  let fullAnswer: { status: number; body: { error: { code: string; message: string } } } | null = null;
  for (let i = 0; i < 2_000 && fullAnswer === null; i++) {
    const answer = await server.call('POST', '/v1/apps/full/events', { type: 'disk.test', data: { ...data, i } });
    if (answer.status === 202) acknowledged.push(answer.body.id);
    else fullAnswer = answer;
  }
  assert.ok(fullAnswer, 'the disk never filled');
  assert.equal(fullAnswer.status, 503, JSON.stringify(fullAnswer.body));
  assert.equal(fullAnswer.body.error.code, 'store_full');
  assert.match(fullAnswer.body.error.message, /disk is full/);
  const acknowledgedWhileFilling = acknowledged.length;
  // Still full. A publish may yet fit where a failed write or a checkpoint left room in the WAL file (the space a
  // write was refused for is not given back), so each answer is either stored (202, and must arrive) or refused the
  // same way, never anything else, until the room is used up and five in a row are refused.
  let refusedInARow = 0;
  for (let i = 0; i < 500 && refusedInARow < 5; i++) {
    const again = await server.call('POST', '/v1/apps/full/events', { type: 'disk.test', data: { ...data, again: i } });
    if (again.status === 202) {
      acknowledged.push(again.body.id);
      refusedInARow = 0;
      continue;
    }
    assert.equal(again.status, 503, JSON.stringify(again.body));
    assert.equal(again.body.error.code, 'store_full');
    refusedInARow++;
  }
  assert.equal(refusedInARow, 5, 'a full disk keeps refusing publishes once the room left in the files is used');
  const acknowledgedWhileFull = acknowledged.length - acknowledgedWhileFilling;
  assert.equal((await server.call('GET', '/v1/apps/full')).status, 200, 'reads still work');

  // Space returns: publishing resumes by itself, no restart.
  rmSync(filler);
  const resumedAt = Date.now();
  await eventually(
    async () => {
      const answer = await server.call('POST', '/v1/apps/full/events', { type: 'disk.test', data: { after: true } });
      if (answer.status !== 202) return undefined;
      acknowledged.push(answer.body.id);
      return true;
    },
    10_000,
    'publishing to resume',
  );
  for (let i = 0; i < 20; i++) {
    const answer = await server.call('POST', '/v1/apps/full/events', { type: 'disk.test', data: { after: i } });
    assert.equal(answer.status, 202);
    acknowledged.push(answer.body.id);
  }
  await eventually(
    () => {
      const seen = new Set(receiver.requests.map((r) => r.headers['webhook-id'] as string));
      return acknowledged.every((id) => seen.has(id)) ? true : undefined;
    },
    30_000,
    `all ${acknowledged.length} acknowledged messages to arrive`,
  );
  await server.hookd.close();
  const db = new Database(join(mount, 'hookd.db'), { readonly: true });
  const integrity = db.pragma('integrity_check', { simple: true });
  const kept = (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
  db.close();
  assert.equal(integrity, 'ok');
  assert.equal(kept, acknowledged.length, 'the file holds every acknowledged message and nothing else');
  const ids = receiver.requests.map((r) => r.headers['webhook-id'] as string);
  t.diagnostic(
    `${acknowledgedWhileFilling} acknowledged before the disk filled, then 503 store_full (${acknowledgedWhileFull} more fitted after the first refusal); resumed ${Date.now() - resumedAt} ms after space returned; ` +
      `${acknowledged.length} acknowledged, ${ids.length} received, ${ids.length - new Set(ids).size} duplicates, integrity ${integrity}`,
  );
});
