/**
 * Runs one role's contract against both stores, as BullMQ runs the same test files against every backend: SQLite in
 * a temporary folder, PostgreSQL in a test database of this file's own, with a fresh file or schema per store opened.
 * Without a PostgreSQL the second run is skipped, except under CI, where it fails.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openStore, type Store } from '../../src/store/index.js';
import { createTestDatabase, POSTGRES_UNREACHABLE, reachPostgres } from '../helpers/postgres.js';

export type OpenStore = () => Promise<Store>;

export async function runAgainstBothStores(role: string, contract: (open: OpenStore) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-store-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  describe(`${role} contract: SQLite`, () => contract(() => openStore(`sqlite:${join(dir, `store-${n++}.db`)}`)));

  const adminUrl = await reachPostgres();
  if (adminUrl === null) {
    if (process.env.CI === 'true')
      test(`PostgreSQL is reachable for the ${role} contract`, () => assert.fail(POSTGRES_UNREACHABLE));
    else test(`${role} contract: PostgreSQL`, { skip: POSTGRES_UNREACHABLE }, () => {});
    return;
  }
  const database = await createTestDatabase(adminUrl);
  after(() => database.drop());
  describe(`${role} contract: PostgreSQL`, () => contract(async () => openStore(await database.freshSchema(), { poolSize: 3 })));
}
