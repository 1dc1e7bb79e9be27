import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyOverrides, parseOverride, readFixture } from './fixtures.js';

test('--set values are JSON when they parse, text otherwise', () => {
  assert.deepEqual(parseOverride('data.amount=5000'), { path: ['data', 'amount'], value: 5000 });
  assert.deepEqual(parseOverride('data.ok=false'), { path: ['data', 'ok'], value: false });
  assert.deepEqual(parseOverride('data.name=Ada Lovelace'), { path: ['data', 'name'], value: 'Ada Lovelace' });
  assert.deepEqual(parseOverride('data.code="007"'), { path: ['data', 'code'], value: '007' });
  assert.deepEqual(parseOverride('data.eq=a=b'), { path: ['data', 'eq'], value: 'a=b' });
  assert.throws(() => parseOverride('=1'), /not path=value/);
  assert.throws(() => parseOverride('data..x=1'), /not path=value/);
});

test('applyOverrides changes a copy, makes missing objects, refuses prototype paths', () => {
  const payload = { type: 'invoice.paid', data: { amount: 1 } };
  const changed = applyOverrides(payload, ['data.amount=5000', 'data.meta.by=cli']);
  assert.deepEqual(changed, { type: 'invoice.paid', data: { amount: 5000, meta: { by: 'cli' } } });
  assert.equal(payload.data.amount, 1, 'the original is untouched');
  assert.throws(() => applyOverrides(payload, ['__proto__.polluted=1']), /not a path/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('readFixture takes {provider, event, payload}, or a bare event body as Standard Webhooks', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-fixture-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const full = join(dir, 'full.json');
  writeFileSync(full, JSON.stringify({ provider: 'github', event: 'push', payload: { ref: 'refs/heads/main' } }));
  assert.deepEqual(readFixture(full), { provider: 'github', event: 'push', payload: { ref: 'refs/heads/main' } });
  const bare = join(dir, 'bare.json');
  writeFileSync(bare, JSON.stringify({ type: 'user.created', data: {} }));
  assert.deepEqual(readFixture(bare), {
    provider: 'standard',
    event: 'user.created',
    payload: { type: 'user.created', data: {} },
  });
  const unknown = join(dir, 'unknown.json');
  writeFileSync(unknown, JSON.stringify({ provider: 'paypal', payload: {} }));
  assert.throws(() => readFixture(unknown), /unknown provider "paypal"/);
});
