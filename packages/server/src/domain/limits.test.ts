import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AllowanceInput, claimAllowance, NO_LIMITS, rateNextAt } from './limits.js';

const base: AllowanceInput = {
  limits: NO_LIMITS,
  inFlightEverywhere: 0,
  inFlightHere: 0,
  capHere: 10,
  rateNextAt: null,
  now: 1_000,
};

test('the allowance is the tightest of the worker’s cap, the endpoint’s cap, FIFO and the rate', () => {
  assert.equal(claimAllowance({ ...base, inFlightHere: 4 }), 6);
  assert.equal(claimAllowance({ ...base, limits: { ...NO_LIMITS, maxInFlight: 3 }, inFlightEverywhere: 1 }), 2);
  assert.equal(claimAllowance({ ...base, limits: { ...NO_LIMITS, maxInFlight: 3 }, inFlightEverywhere: 5 }), 0);
  assert.equal(claimAllowance({ ...base, limits: { ...NO_LIMITS, fifo: true } }), 1);
  assert.equal(claimAllowance({ ...base, limits: { ...NO_LIMITS, fifo: true }, inFlightEverywhere: 1 }), 0);
  // 1,000/s in batches of 100 ms is 100, but the worker has room for 10.
  assert.equal(claimAllowance({ ...base, limits: { ...NO_LIMITS, rateLimit: 1_000 } }), 10);
  assert.equal(claimAllowance({ ...base, limits: { ...NO_LIMITS, rateLimit: 30 } }), 3);
  assert.equal(claimAllowance({ ...base, limits: { ...NO_LIMITS, rateLimit: 1 } }), 1, 'a slow rate still starts one');
  assert.equal(claimAllowance({ ...base, limits: { ...NO_LIMITS, rateLimit: 30 }, rateNextAt: 1_001 }), 0);
});

test('the rate schedules the next start from the last slot, not from a late claim, and idles into no burst', () => {
  assert.equal(rateNextAt(20, null, 2, 1_000), 1_100);
  assert.equal(rateNextAt(20, 1_100, 2, 1_120), 1_200, 'a claim 20 ms late keeps the pace');
  assert.equal(rateNextAt(20, 1_100, 2, 9_000), 9_050, 'long idle saves up half a batch');
  assert.equal(rateNextAt(3, null, 1, 0), 333);
});
