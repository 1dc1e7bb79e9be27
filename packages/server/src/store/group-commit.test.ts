import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupCommit } from './group-commit.js';

/** Runners that double numbers and log each batch; a batch holding `bad` fails, as does `bad` alone. */
function doubling(bad = Number.NaN) {
  const batches: number[][] = [];
  const alone: number[] = [];
  return {
    batches,
    alone,
    runners: {
      async many(inputs: number[]) {
        batches.push(inputs);
        if (inputs.includes(bad)) throw new Error(`bad input ${bad}`);
        return inputs.map((n) => n * 2);
      },
      async one(input: number) {
        alone.push(input);
        if (input === bad) throw new Error(`bad input ${bad}`);
        return input * 2;
      },
    },
  };
}

test('calls made in one turn run as one batch, each resolving with its own result', async () => {
  const { runners, batches, alone } = doubling();
  const run = groupCommit(runners);
  assert.deepEqual(await Promise.all([run(1), run(2), run(3)]), [2, 4, 6]);
  assert.deepEqual(batches, [[1, 2, 3]]);
  assert.deepEqual(alone, []);
  assert.deepEqual(await Promise.all([run(4), run(5)]), [8, 10]);
  assert.deepEqual(
    batches,
    [
      [1, 2, 3],
      [4, 5],
    ],
    'the next turn is a batch of its own',
  );
});

test('a call alone runs through `one`, or as a batch of one when `one` is unset', async () => {
  const { runners, batches, alone } = doubling();
  assert.equal(await groupCommit(runners)(7), 14);
  assert.deepEqual([batches, alone], [[], [7]]);
  assert.equal(await groupCommit({ many: runners.many })(8), 16);
  assert.deepEqual(batches, [[8]]);
});

test('a batch that fails runs each call alone, so one bad call fails only itself', async () => {
  const { runners, batches, alone } = doubling(2);
  const run = groupCommit(runners);
  const results = await Promise.allSettled([run(1), run(2), run(3)]);
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
    [2, 'bad input 2', 6],
  );
  assert.deepEqual(batches, [[1, 2, 3]]);
  assert.deepEqual(alone, [1, 2, 3]);
});

test('a failure that fails every call rejects the whole batch, running none of it again', async () => {
  const away = Object.assign(new Error('the database is away'), { code: 'ECONNREFUSED' });
  const alone: number[] = [];
  const run = groupCommit<number, number>(
    {
      many: async () => {
        throw away;
      },
      one: async (n) => {
        alone.push(n);
        return n;
      },
    },
    { failsEveryCall: (error) => error === away },
  );
  const results = await Promise.allSettled([run(1), run(2)]);
  assert.deepEqual(
    results.map((r) => r.status === 'rejected' && r.reason),
    [away, away],
  );
  assert.deepEqual(alone, []);
});

test('a burst larger than maxBatch runs as several batches', async () => {
  const { runners, batches } = doubling();
  const run = groupCommit(runners, { maxBatch: 2 });
  assert.deepEqual(await Promise.all([1, 2, 3, 4, 5].map(run)), [2, 4, 6, 8, 10]);
  assert.deepEqual(
    batches,
    [
      [1, 2],
      [3, 4],
    ],
    'the fifth call, alone in its batch, runs through `one`',
  );
});

test('with maxRunning, calls made while batches run wait and go together in the next one', async () => {
  const batches: number[][] = [];
  const release: (() => void)[] = [];
  const run = groupCommit(
    {
      async many(inputs: number[]) {
        batches.push(inputs);
        await new Promise<void>((resolve) => release.push(resolve));
        return inputs;
      },
    },
    { maxRunning: 1 },
  );
  const first = Promise.all([run(1), run(2)]);
  await new Promise((resolve) => setImmediate(resolve));
  // The first batch runs: these three wait, over several turns, for it to end.
  const rest = [run(3), run(4)];
  await new Promise((resolve) => setImmediate(resolve));
  rest.push(run(5));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(batches, [[1, 2]]);
  release.shift()?.();
  assert.deepEqual(await first, [1, 2]);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(batches, [
    [1, 2],
    [3, 4, 5],
  ]);
  release.shift()?.();
  assert.deepEqual(await Promise.all(rest), [3, 4, 5]);
});
