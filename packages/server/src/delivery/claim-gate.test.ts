import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClaimGate } from './claim-gate.js';

const none = new Map<string, number>();
const seen = (claimed: [string, string][], inFlight = none, appInFlight = none) => ({
  inFlight,
  appInFlight,
  claimed: claimed.map(([endpointId, appId]) => ({ endpointId, appId })),
});
const now = (inFlight = none, appInFlight = none, appCaps = none) => ({ inFlight, appInFlight, appCaps });
const counts = (by: Record<string, number>) => new Map(Object.entries(by));
const times = (n: number, claimed: [string, string]) => Array.from({ length: n }, () => claimed);
const slot = (endpointId: string, left: number, more: Partial<{ limited: boolean; appLeft: number; appCap: number }> = {}) => ({
  endpointId,
  left,
  appId: 'app',
  limited: false,
  appLeft: 0,
  appCap: 100,
  ...more,
});

test('a fresh gate lets the first claim look', () => {
  assert.equal(new ClaimGate(4, 4).mayFindWork, true);
});

test('a claim that came back short closes the gate; a hint opens it again', () => {
  const gate = new ClaimGate(4, 4);
  gate.claimStarting(10, now());
  gate.exhausted(seen([]), now());
  assert.equal(gate.mayFindWork, false);
  gate.hint();
  assert.equal(gate.mayFindWork, true);
});

test('a hint that arrives while a claim runs keeps the gate open after it', () => {
  const gate = new ClaimGate(4, 4);
  gate.claimStarting(10, now());
  gate.hint(); // a publish during the claim: the claim may not have seen it
  gate.exhausted(seen([]), now());
  assert.equal(gate.mayFindWork, true);
});

test('a freed slot of an endpoint below its cap costs no claim', () => {
  const gate = new ClaimGate(4, 4);
  gate.claimStarting(10, now());
  gate.exhausted(seen([['ep', 'app']]), now(new Map([['ep', 1]])));
  assert.equal(gate.slotFreed(slot('ep', 0)), false);
});

test('an endpoint at its cap is refilled once half its slots are back, not one slot at a time', () => {
  const gate = new ClaimGate(4, 4);
  gate.claimStarting(10, now());
  const claimed: [string, string][] = [1, 2, 3, 4].map(() => ['ep', 'app']);
  gate.exhausted(seen(claimed), now(new Map([['ep', 4]])));
  assert.equal(gate.mayFindWork, false);
  assert.equal(gate.slotFreed(slot('ep', 3)), false);
  assert.equal(gate.slotFreed(slot('ep', 2)), true, 'half the cap is back');
});

test('an endpoint already down to half its cap when the claim ends is refilled at once', () => {
  const gate = new ClaimGate(4, 4);
  gate.claimStarting(10, now());
  const claimed: [string, string][] = [1, 2, 3, 4].map(() => ['ep', 'app']);
  gate.exhausted(seen(claimed), now(new Map([['ep', 2]])));
  assert.equal(gate.mayFindWork, true);
});

test('an app at its cap is refilled once half its slots are back', () => {
  const gate = new ClaimGate(100, 100);
  gate.claimStarting(10, now());
  const claimed: [string, string][] = [
    ['a', 'app'],
    ['b', 'app'],
  ];
  gate.exhausted(
    seen(claimed),
    now(
      new Map([
        ['a', 1],
        ['b', 1],
      ]),
      new Map([['app', 2]]),
      new Map([['app', 2]]),
    ),
  );
  assert.equal(gate.mayFindWork, false);
  assert.equal(gate.slotFreed(slot('a', 0, { appLeft: 1, appCap: 2 })), true);
});

test('a slot freed at an endpoint with limits of its own (FIFO) always opens the gate', () => {
  const gate = new ClaimGate(4, 4);
  gate.claimStarting(10, now());
  gate.exhausted(seen([['ep', 'app']]), now(new Map([['ep', 1]])));
  assert.equal(gate.slotFreed(slot('ep', 0, { limited: true })), true);
});

test('a claim asks for every free slot until one comes back short, and after a hint', () => {
  const gate = new ClaimGate(4, 4);
  assert.equal(gate.claimStarting(10, now()).limit, 10);
  // It took all it asked for: more may be due anywhere.
  assert.equal(gate.claimStarting(6, now()).limit, 6);
  gate.exhausted(seen([]), now());
  gate.hint();
  assert.equal(gate.claimStarting(10, now()).limit, 10);
});

test('a refill asks only for the room of the endpoints refilled, not for every free slot', () => {
  const gate = new ClaimGate(4, 4);
  gate.claimStarting(10, now());
  gate.exhausted(seen(times(4, ['ep', 'app'])), now(counts({ ep: 4 })));
  assert.equal(gate.slotFreed(slot('ep', 2)), true);
  assert.equal(gate.claimStarting(8, now(counts({ ep: 2 }))).limit, 2);
  // Taking those two put it at its cap again: nothing else was due, so the gate closes however many it took.
  gate.exhausted(seen(times(2, ['ep', 'app']), counts({ ep: 2 })), now(counts({ ep: 4 })));
  assert.equal(gate.mayFindWork, false);
});

test('a refill due while a refill claim runs is asked for by the next claim', () => {
  const gate = new ClaimGate(4, 4);
  gate.claimStarting(10, now());
  gate.exhausted(seen([...times(4, ['a', 'app']), ...times(4, ['b', 'app'])]), now(counts({ a: 4, b: 4 })));
  gate.slotFreed(slot('a', 2));
  assert.equal(gate.claimStarting(8, now(counts({ a: 2, b: 4 }))).limit, 2);
  assert.equal(gate.slotFreed(slot('b', 2)), true);
  gate.exhausted(seen(times(2, ['a', 'app']), counts({ a: 2, b: 3 })), now(counts({ a: 4, b: 2 })));
  assert.equal(gate.mayFindWork, true);
  assert.equal(gate.claimStarting(6, now(counts({ a: 4, b: 2 }))).limit, 2);
});

test('an app refilled asks for the room under its cap; a hint meanwhile widens the claim again', () => {
  const gate = new ClaimGate(100, 100);
  gate.claimStarting(10, now());
  const app = counts({ app: 2 });
  gate.exhausted(
    seen([
      ['a', 'app'],
      ['b', 'app'],
    ]),
    now(counts({ a: 1, b: 1 }), app, app),
  );
  assert.equal(gate.slotFreed(slot('a', 0, { appLeft: 1, appCap: 2 })), true);
  assert.equal(gate.claimStarting(10, now(counts({ b: 1 }), counts({ app: 1 }), app)).limit, 1);
  gate.hint();
  gate.exhausted(seen([]), now());
  assert.equal(gate.claimStarting(10, now()).limit, 10);
});

test('a refill claims ahead, up to twice the cap, and the endpoint is refilled once half of that is back', () => {
  const gate = new ClaimGate(4, 16);
  assert.deepEqual(gate.claimStarting(10, now()), { limit: 10, endpointCap: 4 });
  gate.exhausted(seen(times(4, ['ep', 'app'])), now(counts({ ep: 4 })));
  assert.equal(gate.slotFreed(slot('ep', 2)), true);
  assert.deepEqual(gate.claimStarting(10, now(counts({ ep: 2 }))), { limit: 6, endpointCap: 8 });
  gate.exhausted(seen(times(6, ['ep', 'app']), counts({ ep: 2 })), now(counts({ ep: 8 })));
  assert.equal(gate.mayFindWork, false);
  assert.equal(gate.slotFreed(slot('ep', 5)), false);
  assert.equal(gate.slotFreed(slot('ep', 4)), true, 'half of the 8 it held is back');
});

test('a claim after a hint takes each endpoint only to its cap: new work is not kept waiting behind a claim ahead', () => {
  const gate = new ClaimGate(4, 16);
  gate.claimStarting(10, now());
  gate.exhausted(seen(times(4, ['ep', 'app'])), now(counts({ ep: 4 })));
  gate.slotFreed(slot('ep', 2));
  gate.hint();
  assert.deepEqual(gate.claimStarting(10, now(counts({ ep: 2 }))), { limit: 10, endpointCap: 4 });
});

test('no claim ahead when the process could not hold twice the cap of every endpoint it serves', () => {
  const gate = new ClaimGate(4, 15);
  gate.claimStarting(10, now());
  gate.exhausted(seen([...times(4, ['a', 'app']), ...times(4, ['b', 'app'])]), now(counts({ a: 4, b: 4 })));
  assert.equal(gate.slotFreed(slot('a', 2)), true);
  assert.deepEqual(gate.claimStarting(10, now(counts({ a: 2, b: 4 }))), { limit: 2, endpointCap: 4 });
});
