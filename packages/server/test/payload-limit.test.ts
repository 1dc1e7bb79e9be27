/**
 * The payload size limit at publish: an event whose delivered body (`{type, timestamp, data}`) is over
 * HOOKD_MAX_PAYLOAD is refused with 413 payload_too_large and nothing is stored; separate from the body limit.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { loadConfig, type RawSettings } from '../src/index.js';
import { startTestHookd } from './helpers/hookd.js';

async function setup(t: TestContext, settings: RawSettings = {}) {
  const server = await startTestHookd(settings);
  t.after(() => server.close());
  assert.equal((await server.call('POST', '/v1/apps', { uid: 'acme', name: 'Acme' })).status, 201);
  return server;
}

/** The size in bytes of the body hookd would deliver for this event (timestamps are always 24 characters). */
const envelopeBytes = (type: string, data: unknown) =>
  Buffer.byteLength(JSON.stringify({ type, timestamp: '2026-01-01T00:00:00.000Z', data }));

test('HOOKD_MAX_PAYLOAD defaults to 256 KiB and is read from the environment', () => {
  assert.equal(loadConfig({}).maxPayloadBytes, 262_144);
  assert.equal(loadConfig({ env: { HOOKD_MAX_PAYLOAD: '1000' } }).maxPayloadBytes, 1000);
  assert.throws(() => loadConfig({ env: { HOOKD_MAX_PAYLOAD: '0' } }), /HOOKD_MAX_PAYLOAD \(--max-payload\)/);
});

test('an event up to the limit is published; one byte more is refused with 413 payload_too_large, counting bytes', async (t) => {
  const server = await setup(t, { maxPayload: 1024 });
  const filler = (n: number) => 'x'.repeat(n);
  const base = envelopeBytes('order.created', { s: '' });
  const fits = await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { s: filler(1024 - base) } });
  assert.equal(fits.status, 202);

  const over = await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { s: filler(1025 - base) } });
  assert.equal(over.status, 413);
  assert.equal(over.body.error.code, 'payload_too_large');
  assert.match(over.body.error.message, /1025 bytes.*limit of 1024/);

  // 'é' is two bytes in UTF-8: fewer characters than the limit, more bytes.
  const wide = await server.call('POST', '/v1/apps/acme/events', { type: 'order.created', data: { s: 'é'.repeat(600) } });
  assert.equal(wide.status, 413);
  assert.equal(wide.body.error.code, 'payload_too_large');

  const listed = await server.call('GET', '/v1/apps/acme/events');
  assert.equal(listed.body.data.length, 1, 'a refused event is not stored');
  assert.equal(listed.body.data[0].id, fits.body.id);
});

test('with the defaults, the payload limit (256 KiB) is checked apart from the request body limit (1 MiB)', async (t) => {
  const server = await setup(t);
  const underBody = await server.call('POST', '/v1/apps/acme/events', { type: 'a.b', data: 'x'.repeat(300_000) });
  assert.equal(underBody.status, 413);
  assert.equal(underBody.body.error.code, 'payload_too_large');
  const overBody = await server.call('POST', '/v1/apps/acme/events', { type: 'a.b', data: 'x'.repeat(1_100_000) });
  assert.equal(overBody.status, 413);
  assert.equal(overBody.body.error.code, 'body_too_large');
  const fits = await server.call('POST', '/v1/apps/acme/events', { type: 'a.b', data: 'x'.repeat(262_000) });
  assert.equal(fits.status, 202);
});
