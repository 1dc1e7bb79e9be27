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
  assert.equal(new ClaimGate(4).mayFindWork, true);
});

test('a claim that came back short closes the gate; a hint opens it again', () => {
  const gate = new ClaimGate(4);
  gate.claimStarting();
  gate.exhausted(seen([]), now());
  assert.equal(gate.mayFindWork, false);
  gate.hint();
  assert.equal(gate.mayFindWork, true);
});

test('a hint that arrives while a claim runs keeps the gate open after it', () => {
  const gate = new ClaimGate(4);
  gate.claimStarting();
  gate.hint(); // a publish during the claim: the claim may not have seen it
  gate.exhausted(seen([]), now());
  assert.equal(gate.mayFindWork, true);
});

test('a freed slot of an endpoint below its cap costs no claim', () => {
  const gate = new ClaimGate(4);
  gate.claimStarting();
  gate.exhausted(seen([['ep', 'app']]), now(new Map([['ep', 1]])));
  assert.equal(gate.slotFreed(slot('ep', 0)), false);
});

test('an endpoint at its cap is refilled once half its slots are back, not one slot at a time', () => {
  const gate = new ClaimGate(4);
  gate.claimStarting();
  const claimed: [string, string][] = [1, 2, 3, 4].map(() => ['ep', 'app']);
  gate.exhausted(seen(claimed), now(new Map([['ep', 4]])));
  assert.equal(gate.mayFindWork, false);
  assert.equal(gate.slotFreed(slot('ep', 3)), false);
  assert.equal(gate.slotFreed(slot('ep', 2)), true, 'half the cap is back');
});

test('an endpoint already down to half its cap when the claim ends is refilled at once', () => {
  const gate = new ClaimGate(4);
  gate.claimStarting();
  const claimed: [string, string][] = [1, 2, 3, 4].map(() => ['ep', 'app']);
  gate.exhausted(seen(claimed), now(new Map([['ep', 2]])));
  assert.equal(gate.mayFindWork, true);
});

test('an app at its cap is refilled once half its slots are back', () => {
  const gate = new ClaimGate(100);
  gate.claimStarting();
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
  const gate = new ClaimGate(4);
  gate.claimStarting();
  gate.exhausted(seen([['ep', 'app']]), now(new Map([['ep', 1]])));
  assert.equal(gate.slotFreed(slot('ep', 0, { limited: true })), true);
});
