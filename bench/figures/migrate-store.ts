/**
 * Moving to PostgreSQL: the time the built `hookd migrate-store` takes to copy a stopped SQLite hookd holding
 * MESSAGES messages, each with one delivery and one recorded attempt (seeded as for `memory`, then an attempt per
 * delivery), into an empty PostgreSQL database, counts and checksums checked. No baseline: the bound is what an
 * operator can wait for in a maintenance window.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { TEST_MASTER_KEY } from '../../packages/server/test/helpers/hookd.js';
import { bounded, type Figure, type Row } from '../figure.js';
import { createDatabase, Deployment, seedBacklog } from '../hookd.js';
import { seededJsonBody, seededRandom } from '../seeded.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HOOKD = fileURLToPath(new URL('../../packages/server/bin/hookd.js', import.meta.url));
const SEED = 0x5eed_0019;
const MESSAGES = 100_000;
const BOUND_S = 60;

/** One failed attempt recorded per seeded delivery, as a retry would leave it. */
function seedAttempts(path: string): void {
  const db = new Sqlite(path);
  try {
    db.prepare(`
      INSERT INTO attempts (id, delivery_id, number, started_at, duration_ms, request_headers, response_status,
        response_body, endpoint_id, error_code, error_message)
      SELECT 'att' || substr(id, 4), id, 1, created_at, 12, '{"content-type":"application/json"}', 503,
        'busy', endpoint_id, 'http_status', 'HTTP 503'
      FROM deliveries`).run();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

const figure: Figure = {
  name: 'migrate-store',
  description: `time for hookd migrate-store to move ${MESSAGES.toLocaleString('en-US')} messages from SQLite to PostgreSQL`,
  async run(): Promise<Row[]> {
    if (spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' }).status !== 0)
      throw new Error('bench: build failed');
    const sqlite = await createDatabase('SQLite');
    const postgres = await createDatabase('PostgreSQL');
    try {
      const deployment = new Deployment(sqlite.url);
      await deployment.prepareBacklog(['http://127.0.0.1:9/never'], seededJsonBody(seededRandom(SEED), 1024));
      const path = sqlite.url.slice('sqlite:'.length);
      seedBacklog(path, MESSAGES);
      seedAttempts(path);
      const began = performance.now();
      const moved = spawnSync(process.execPath, [HOOKD, 'migrate-store', '--from', path, '--to', postgres.url], {
        env: { ...process.env, HOOKD_MASTER_KEY: TEST_MASTER_KEY },
        encoding: 'utf8',
      });
      const seconds = (performance.now() - began) / 1000;
      if (moved.status !== 0) throw new Error(`bench: migrate-store exited ${moved.status}\n${moved.stderr}`);
      const rows = Number(/copied (\d+) rows/.exec(moved.stderr)?.[1]);
      return [
        bounded({
          figure: `migrate-store, ${MESSAGES.toLocaleString('en-US')} messages (1 delivery and 1 attempt each), SQLite to PostgreSQL`,
          value: seconds,
          unit: 's',
          better: 'lower',
          bound: BOUND_S,
          details: { messages: MESSAGES, rows, rowsPerSecond: Math.round(rows / seconds), output: moved.stderr },
        }),
      ];
    } finally {
      await sqlite.drop();
      await postgres.drop();
    }
  },
};

export default figure;
