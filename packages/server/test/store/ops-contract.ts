/**
 * The Store contract for ops events, run against every implementation from contract.ts: what recordAttempt says it
 * did, failure rates over the latest attempts, the compare-and-set writes that keep an alert to one per episode, apps
 * gone quiet, and the schema version.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Endpoint, type NextStep, newId } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { anApp, anAttempt, anEndpoint, T0, withOpenStore } from './fixtures.js';

const MINUTE = 60_000;

export function opsContract(open: () => Promise<Store>): void {
  describe('ops events', () => {
    const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

    async function seed(store: Store, endpointCount = 1) {
      const app = await store.createApp(anApp());
      const endpoints: Endpoint[] = [];
      for (let i = 0; i < endpointCount; i++)
        endpoints.push(await store.createEndpoint(anEndpoint(app.id, { url: `http://127.0.0.1:9/hook-${i}` })));
      return { app, endpoints };
    }

    async function publish(store: Store, appId: string, at: number) {
      const payload = JSON.stringify({ type: 'order.created', timestamp: new Date(at).toISOString(), data: {} });
      const message = { id: newId('msg', at), appId, type: 'order.created', payload, idempotencyKey: null, createdAt: at };
      return (await store.publishMessage({ message, idempotencyWindowMs: 0 })).message;
    }

    /** Claims what is due at `at` (at most `limit`), answers each with `status`, and returns what recording said. */
    async function attempt(
      store: Store,
      at: number,
      status: number | null,
      next: NextStep,
      limit = 100,
      disableAfterMs?: number,
    ) {
      const claimed = await store.claimDueDeliveries({ now: at, limit, leaseMs: 30_000, endpointCap: 100, inFlight: new Map() });
      const results = [];
      for (const item of claimed) {
        results.push(
          await store.recordAttempt({
            attempt: anAttempt(item.delivery.id, {
              number: item.delivery.attemptCount + 1,
              startedAt: at,
              responseStatus: status,
              error: status === null ? { code: 'headers_timeout', message: 'no response headers within 30000 ms' } : null,
            }),
            leaseToken: item.leaseToken,
            next,
            now: at,
            disableAfterMs,
          }),
        );
      }
      return results;
    }

    test('recordAttempt says whether the delivery moved on, and a stale lease moves nothing', () =>
      withStore(async (store) => {
        const { app } = await seed(store);
        await publish(store, app.id, T0);
        const [claimed] = await store.claimDueDeliveries({ now: T0, limit: 1, leaseMs: 1, endpointCap: 10, inFlight: new Map() });
        assert.ok(claimed);
        const [reclaimed] = await store.claimDueDeliveries({
          now: T0 + 5,
          limit: 1,
          leaseMs: 1_000,
          endpointCap: 10,
          inFlight: new Map(),
        });
        assert.ok(reclaimed, 'the first lease ran out and another worker took the delivery');
        const stale = await store.recordAttempt({
          attempt: anAttempt(claimed.delivery.id, { responseStatus: 500 }),
          leaseToken: claimed.leaseToken,
          next: { status: 'failed' },
          now: T0 + 6,
        });
        assert.deepEqual(stale, { finished: false, disabled: null });
        const current = await store.recordAttempt({
          attempt: anAttempt(reclaimed.delivery.id, { number: 2, responseStatus: 500 }),
          leaseToken: reclaimed.leaseToken,
          next: { status: 'failed' },
          now: T0 + 7,
        });
        assert.deepEqual(current, { finished: true, disabled: null });
        const gone = await store.recordAttempt({
          attempt: anAttempt('dlv_deleted'),
          leaseToken: 'nobody',
          next: { status: 'succeeded' },
          now: T0 + 8,
        });
        assert.deepEqual(gone, { finished: false, disabled: null }, 'a delivery that no longer exists');
      }));

    test('of two attempts answered 410 at once, only the one that disabled the endpoint gets the reason', () =>
      withStore(async (store) => {
        const { app, endpoints } = await seed(store);
        await publish(store, app.id, T0);
        await publish(store, app.id, T0);
        const results = await attempt(store, T0, 410, { status: 'failed', disableEndpoint: 'the endpoint answered 410 Gone' });
        assert.deepEqual(results, [
          { finished: true, disabled: 'the endpoint answered 410 Gone' },
          { finished: true, disabled: null },
        ]);
        const endpoint = await store.findEndpoint(app.id, (endpoints[0] as Endpoint).id);
        assert.equal(endpoint?.disabledReason, 'the endpoint answered 410 Gone');
      }));

    test('the attempt that disables a failing endpoint gets the reason; the others do not', () =>
      withStore(async (store) => {
        const { app } = await seed(store);
        for (let i = 0; i < 3; i++) await publish(store, app.id, T0);
        const retry = (at: number): NextStep => ({ status: 'pending', nextAttemptAt: at });
        assert.deepEqual(await attempt(store, T0, 500, retry(T0), 100, 1_000), [
          { finished: true, disabled: null },
          { finished: true, disabled: null },
          { finished: true, disabled: null },
        ]);
        const results = await attempt(store, T0 + 1_000, 500, retry(T0 + 1_000), 1, 1_000);
        assert.deepEqual(results, [{ finished: true, disabled: `failed without a success since ${new Date(T0).toISOString()}` }]);
        assert.deepEqual(await attempt(store, T0 + 2_000, 500, retry(T0 + 2_000), 100, 1_000), [], 'nothing left to claim');
      }));

    test('failure rates cover endpoints attempted since the time asked, over their latest attempts', () =>
      withStore(async (store) => {
        const { app, endpoints } = await seed(store, 3);
        const [flaky, healthy] = endpoints as [Endpoint, Endpoint, Endpoint];
        // Three rounds, a minute apart, one delivery per endpoint each: the flaky one fails the last two.
        for (let round = 0; round < 3; round++) {
          const at = T0 + round * MINUTE;
          await publish(store, app.id, at);
          const claimed = await store.claimDueDeliveries({
            now: at,
            limit: 10,
            leaseMs: 1_000,
            endpointCap: 10,
            inFlight: new Map(),
          });
          for (const item of claimed) {
            if (item.endpoint.id !== flaky.id && item.endpoint.id !== healthy.id) continue; // the third is never attempted
            const fails = item.endpoint.id === flaky.id && round > 0;
            await store.recordAttempt({
              attempt: anAttempt(item.delivery.id, {
                startedAt: at,
                responseStatus: fails && round === 1 ? 503 : fails ? null : 200,
              }),
              leaseToken: item.leaseToken,
              next: fails ? { status: 'failed' } : { status: 'succeeded' },
              now: at,
            });
          }
        }
        const byEndpoint = async (since: number, window: number) =>
          Object.fromEntries(
            (await store.endpointFailureRates({ since, window })).map((r) => [
              r.endpointId,
              [r.attempts, r.failures, r.failingAlertedAt],
            ]),
          );
        assert.deepEqual(await byEndpoint(T0, 20), { [flaky.id]: [3, 2, null], [healthy.id]: [3, 0, null] });
        assert.deepEqual(await byEndpoint(T0, 2), { [flaky.id]: [2, 2, null], [healthy.id]: [2, 0, null] }, 'latest two');
        assert.deepEqual(await byEndpoint(T0 + 2 * MINUTE + 1, 20), {}, 'nothing attempted since');
        const [rate] = await store
          .endpointFailureRates({ since: T0 + 2 * MINUTE, window: 20 })
          .then((rates) => rates.filter((r) => r.endpointId === flaky.id));
        assert.deepEqual(rate, {
          endpointId: flaky.id,
          appId: app.id,
          url: flaky.url,
          attempts: 3,
          failures: 2,
          failingAlertedAt: null,
        });
      }));

    test('a failing episode opens once and closes once, whoever tries at the same time', () =>
      withStore(async (store) => {
        const { endpoints } = await seed(store);
        const ep = (endpoints[0] as Endpoint).id;
        const opened = await Promise.all([store.openFailingEpisode(ep, T0), store.openFailingEpisode(ep, T0 + 1)]);
        assert.deepEqual(
          opened.filter((won) => won),
          [true],
          'exactly one opener wins',
        );
        const at = opened[0] ? T0 : T0 + 1;
        assert.equal(await store.openFailingEpisode(ep, T0 + 2), false, 'an open episode is not opened again');
        assert.equal(await store.closeFailingEpisode(ep, at + 100), false, 'only the episode that is open closes');
        assert.equal(await store.closeFailingEpisode(ep, at), true);
        assert.equal(await store.closeFailingEpisode(ep, at), false, 'closed once');
        assert.equal(await store.openFailingEpisode(ep, T0 + 3), true, 'a later episode opens again');
      }));

    test('apps that asked for it are silent once quiet long enough, and alerted once per silence', () =>
      withStore(async (store) => {
        const quiet = await store.createApp({ ...anApp(T0), alertWhenSilent: true });
        const busy = await store.createApp({ ...anApp(T0), alertWhenSilent: true });
        const unasked = await store.createApp(anApp(T0));
        assert.equal(quiet.alertWhenSilent, true);
        assert.equal((await store.findApp(unasked.id))?.alertWhenSilent, false);
        await publish(store, busy.id, T0 + 30 * MINUTE);
        await publish(store, unasked.id, T0);
        const silentAt = async (at: number) =>
          (await store.silentApps(at)).map((s) => [s.appId, s.lastEventAt, s.quietSince, s.silenceAlertedAt]);

        assert.deepEqual(await silentAt(T0), [], 'quiet since before T0: none');
        assert.deepEqual(await silentAt(T0 + 1), [[quiet.id, null, T0, null]], 'never had an event: counted from creation');
        assert.deepEqual(
          (await silentAt(T0 + 30 * MINUTE + 1)).sort(),
          [
            [quiet.id, null, T0, null],
            [busy.id, T0 + 30 * MINUTE, T0 + 30 * MINUTE, null],
          ].sort(),
        );

        const marks = await Promise.all([store.markAppSilent(quiet.id, null, T0), store.markAppSilent(quiet.id, null, T0)]);
        assert.deepEqual(marks.sort(), [false, true], 'one of two racing checks alerts');
        assert.deepEqual(await silentAt(T0 + 30 * MINUTE + 1), [[busy.id, T0 + 30 * MINUTE, T0 + 30 * MINUTE, null]]);

        await publish(store, quiet.id, T0 + 40 * MINUTE); // a new event ends the silence
        assert.deepEqual(await silentAt(T0 + 40 * MINUTE), [[busy.id, T0 + 30 * MINUTE, T0 + 30 * MINUTE, null]]);
        assert.deepEqual(
          (await silentAt(T0 + 40 * MINUTE + 1)).find((s) => s[0] === quiet.id),
          [quiet.id, T0 + 40 * MINUTE, T0 + 40 * MINUTE, T0],
        );
        assert.equal(await store.markAppSilent(quiet.id, T0, null), true, 'set back, as when publishing the alert failed');

        const updated = await store.updateApp(busy.id, { alertWhenSilent: false }, T0 + 50 * MINUTE);
        assert.equal(updated?.alertWhenSilent, false);
        assert.equal((await store.updateApp(busy.id, { name: 'renamed' }, T0 + 51 * MINUTE))?.alertWhenSilent, false);
        assert.deepEqual(
          (await silentAt(T0 + 60 * MINUTE)).map((s) => s[0]),
          [quiet.id],
          'an app that stopped asking is not listed',
        );
      }));

    test('the schema version is the one this code expects once migrated', () =>
      withStore(async (store) => {
        const version = await store.schemaVersion();
        assert.ok(version.expected >= 6);
        assert.deepEqual(version, { applied: version.expected, expected: version.expected });
      }));
  });
}
