/** Rewrites every stored secret in one transaction: the start-up encryption and `hookd keys rotate`. */
import type pg from 'pg';
import { RewriteCount, type SecretRewrite } from '../secret-rows.js';
import { inTransaction } from './pool.js';

// FOR UPDATE: a rotation's rewrite and an API write of the same row wait for each other, and neither is lost.
const ENDPOINTS = 'SELECT id, secret, previous_secret FROM endpoints ORDER BY id FOR UPDATE';
const SET_ENDPOINT = 'UPDATE endpoints SET secret = $1, previous_secret = $2 WHERE id = $3';
const CREDENTIALS = 'SELECT endpoint_id, credentials FROM endpoint_credentials ORDER BY endpoint_id FOR UPDATE';
const SET_CREDENTIALS = 'UPDATE endpoint_credentials SET credentials = $1 WHERE endpoint_id = $2';
const SOURCES = 'SELECT id, secrets FROM sources ORDER BY id FOR UPDATE';
const SET_SOURCE = 'UPDATE sources SET secrets = $1 WHERE id = $2';

export function secretQueries(pool: pg.Pool) {
  return {
    rewriteSecrets(rewrite: SecretRewrite): Promise<number> {
      return inTransaction(pool, async (client) => {
        const count = new RewriteCount(rewrite);
        const endpoints = await client.query<{ id: string; secret: string; previous_secret: string | null }>(ENDPOINTS);
        for (const row of endpoints.rows) {
          const next = count.endpoint(row.secret, row.previous_secret);
          if (next) await client.query(SET_ENDPOINT, [next.secret, next.previous, row.id]);
        }
        const credentials = await client.query<{ endpoint_id: string; credentials: string }>(CREDENTIALS);
        for (const row of credentials.rows) {
          const next = count.credentials(row.credentials);
          if (next !== null) await client.query(SET_CREDENTIALS, [next, row.endpoint_id]);
        }
        const sources = await client.query<{ id: string; secrets: string }>(SOURCES);
        for (const row of sources.rows) {
          const next = count.sourceSecrets(row.secrets);
          if (next !== null) await client.query(SET_SOURCE, [next, row.id]);
        }
        return count.changed;
      });
    },
  };
}
