import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResolvedAddress } from '../delivery/index.js';
import { parseNetworks, type Requester, type Source } from '../domain/index.js';
import { type NewSource, StoreConflictError } from '../store/index.js';
import { type ApiError, createSource, type SourceInput } from './index.js';

/** Who the actions are told asked: the audit log's fields, not checked here. */
const WHO: Requester = { actor: 'admin', address: '127.0.0.1', requestId: 'req-test' };

const NOW = Date.UTC(2026, 0, 1);

/** The two store methods creating a source uses, recording each write; `taken` names fail as the store's unique index would. */
function deps(options: { limit?: number; existing?: string; taken?: string } = {}) {
  const writes: NewSource[] = [];
  return {
    writes,
    clock: () => NOW,
    config: { allowedNetworks: parseNetworks(''), maxEndpointsPerApp: options.limit ?? 100 },
    resolve: async (host: string): Promise<ResolvedAddress[]> => {
      if (host === 'internal.example') return [{ address: '10.0.0.7', family: 4 }];
      throw new Error(`ENOTFOUND ${host}`);
    },
    store: {
      async findSource(idOrName: string) {
        return idOrName === options.existing ? ({ name: idOrName } as Source) : null;
      },
      async createSourceWithDestinations(input: NewSource) {
        if (input.source.name === options.taken) throw new StoreConflictError('name');
        writes.push(input);
        return { ...input, app: { alertWhenSilent: false, maxInFlight: null, ...input.app } };
      },
    },
  };
}

const github = (fields: Partial<SourceInput> = {}): SourceInput => ({
  name: 'github',
  scheme: 'github',
  secrets: ['s1'],
  destinations: [{ url: 'HTTPS://Example.com/a', events: ['push', 'push'] }, { url: 'https://example.com/b' }],
  ...fields,
});
const refusedWith = (code: string) => (error: ApiError) => error.code === code;

test('createSource writes the app, its destinations and the source in one call, all in the same app', async () => {
  const d = deps();
  const { source, destinations } = await createSource(d, WHO, github({ forwardHeaders: ['X-Custom', 'x-custom'] }));
  assert.equal(d.writes.length, 1);
  const [write] = d.writes as [NewSource];
  assert.equal(write.app.name, 'source github');
  assert.equal(source.appId, write.app.id);
  assert.deepEqual(source.forwardHeaders, ['x-custom']);
  assert.deepEqual(
    destinations.map((ep) => [ep.appId, ep.url, ep.events, ep.description]),
    [
      [write.app.id, 'https://example.com/a', ['push'], 'destination of source github'],
      [write.app.id, 'https://example.com/b', null, 'destination of source github'],
    ],
  );
});

test('createSource checks everything before it writes anything', async () => {
  const d = deps({ existing: 'taken', limit: 1 });
  await assert.rejects(createSource(d, WHO, github({ name: 'src_x' })), refusedWith('validation_failed'));
  await assert.rejects(createSource(d, WHO, github({ secrets: [] })), refusedWith('validation_failed'));
  await assert.rejects(createSource(d, WHO, github({ scheme: 'none' })), refusedWith('validation_failed'));
  await assert.rejects(createSource(d, WHO, github({ allowIps: ['nonsense'] })), refusedWith('validation_failed'));
  await assert.rejects(createSource(d, WHO, github({ forwardHeaders: ['authorization'] })), refusedWith('validation_failed'));
  await assert.rejects(
    createSource(d, WHO, github({ destinations: [{ url: 'http://internal.example/' }] })),
    refusedWith('url_not_allowed'),
  );
  await assert.rejects(createSource(d, WHO, github({ destinations: [{ url: 'ftp://x/' }] })), refusedWith('invalid_url'));
  await assert.rejects(
    createSource(d, WHO, github({ destinations: [{ url: 'https://example.com/', events: ['bad filter'] }] })),
    refusedWith('invalid_event_type'),
  );
  await assert.rejects(createSource(d, WHO, github({ name: 'taken' })), refusedWith('source_name_taken'));
  await assert.rejects(createSource(d, WHO, github()), refusedWith('endpoint_limit_reached'));
  assert.deepEqual(d.writes, []);
});

test('createSource answers source_name_taken when the name is taken between the check and the write', async () => {
  const d = deps({ taken: 'github' });
  await assert.rejects(createSource(d, WHO, github()), refusedWith('source_name_taken'));
});
