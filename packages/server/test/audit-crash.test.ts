/**
 * kill -9 while changes are being made: after a restart, every change that exists has its audit entry and every entry
 * its change, on SQLite and on PostgreSQL. The entry is written in the change's own transaction, so a process killed
 * between the two leaves both or neither.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { callApi } from './helpers/hookd.js';
import { createTestDatabase } from './helpers/postgres.js';
import { killHard, spawnServing } from './helpers/processes.js';

const TOKEN = 'audit-crash-token-0123456789abcdefghij';

for (const backend of ['SQLite', 'PostgreSQL'] as const) {
  test(`${backend}: a change killed mid-stream exists with its audit entry or not at all`, { timeout: 180_000 }, async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hookd-audit-crash-'));
    const db = backend === 'PostgreSQL' ? await createTestDatabase() : null;
    const settings = { HOOKD_DATA_DIR: dataDir, HOOKD_ADMIN_TOKEN: TOKEN, ...(db ? { HOOKD_DATABASE_URL: db.url } : {}) };
    let child: ChildProcess | null = null;
    t.after(async () => {
      if (child) await killHard(child);
      await db?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    let served = await spawnServing(settings);
    child = served.child;
    assert.equal((await callApi(served.base, TOKEN, 'POST', '/v1/apps', { uid: 'crash', name: 'Crash' })).status, 201);

    // Eight loops create endpoints and edit them until the process dies under them.
    let created = 0;
    const maker = async (n: number) => {
      for (let i = 0; ; i++) {
        try {
          const answer = await callApi(served.base, TOKEN, 'POST', '/v1/apps/crash/endpoints', {
            url: `http://127.0.0.1:9/hook-${n}-${i}`,
          });
          if (answer.status !== 201) return;
          created++;
          await callApi(served.base, TOKEN, 'PATCH', `/v1/apps/crash/endpoints/${answer.body.id}`, { description: `edit ${i}` });
        } catch {
          return; // the process is gone
        }
      }
    };
    const makers = Array.from({ length: 8 }, (_, n) => maker(n));
    while (created < 40) await new Promise((resolve) => setTimeout(resolve, 10));
    await killHard(child);
    await Promise.all(makers);

    served = await spawnServing(settings);
    child = served.child;
    const endpoints = new Map<string, string>();
    for (let after: string | null = null; ; ) {
      const query: string = after === null ? '?limit=100' : `?limit=100&after=${encodeURIComponent(after)}`;
      const page = (await callApi(served.base, TOKEN, 'GET', `/v1/apps/crash/endpoints${query}`)).body;
      for (const ep of page.data as { id: string; description: string }[]) endpoints.set(ep.id, ep.description);
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    const entries: { action: string; target: string; changes: Record<string, { after?: unknown }> }[] = [];
    for (let cursor: string | null = null; ; ) {
      const query: string = cursor === null ? '?limit=100' : `?limit=100&after=${encodeURIComponent(cursor)}`;
      const page = (await callApi(served.base, TOKEN, 'GET', `/v1/audit-log${query}`)).body;
      entries.push(...page.data);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    assert.ok(endpoints.size >= 40, `${endpoints.size} endpoints made before the kill`);
    const createdEntries = new Set(entries.filter((e) => e.action === 'endpoint.created').map((e) => e.target));
    assert.deepEqual(
      [...createdEntries].sort(),
      [...endpoints.keys()].sort(),
      'every endpoint has its entry, and no entry lacks its endpoint',
    );
    // Each endpoint is edited once at most: its description is what its one edit entry says, or the default.
    for (const [id, description] of endpoints) {
      const edits = entries.filter((e) => e.action === 'endpoint.updated' && e.target === id);
      assert.ok(edits.length <= 1);
      assert.equal(
        description,
        edits[0]?.changes.description?.after ?? '',
        `endpoint ${id}: its description and its entries agree`,
      );
    }
  });
}
