/** Store contract, secrets: every stored secret passes through one rewrite in one transaction (encryption, rotation). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type EndpointCredentials, newId } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { anApp, anEndpoint, aSource, T0, withOpenStore } from './fixtures.js';

const upper = (value: string) => value.toUpperCase();

export function secretsContract(open: () => Promise<Store>): void {
  const withStore = (run: (store: Store) => Promise<void>) => withOpenStore(open, run);

  describe('secrets', () => {
    test('rewriteSecrets passes each secret through the function and leaves every other field alone', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        const plain = await store.createEndpoint(anEndpoint(app.id, { id: newId('ep', T0), secret: 'whsec_a' }));
        const credentials: EndpointCredentials = {
          auth: { type: 'oauth2', tokenUrl: 'https://a/t', clientId: 'id', clientSecret: 'cs', scope: null, audience: null },
          clientCertificate: { certificate: 'cert', privateKey: 'key', ca: 'ca' },
          secretHeaders: { 'X-Key': 'hv' },
        };
        const withCredentials = await store.createEndpoint(
          anEndpoint(app.id, { id: newId('ep', T0 + 1), secret: 'whsec_b', headers: { 'X-Plain': 'shown' } }),
          100,
          credentials,
        );
        await store.rotateEndpointSecret(app.id, withCredentials.id, 'whsec_c', T0 + 60_000, T0 + 2);
        const basic = await store.createEndpoint(anEndpoint(app.id, { id: newId('ep', T0 + 3), secret: 'whsec_d' }), 100, {
          auth: { type: 'basic', username: 'user', password: 'pw' },
          clientCertificate: null,
          secretHeaders: {},
        });
        const source = aSource(app.id, { secrets: ['s1', 's2'] });
        await store.createSource(source);

        // 3 endpoint secrets + 1 previous secret + oauth (secret, key, header) + basic password + 2 source secrets.
        assert.equal(await store.rewriteSecrets(upper), 10);
        assert.equal((await store.findEndpoint(app.id, plain.id))?.secret, 'WHSEC_A');
        const rotated = await store.findEndpoint(app.id, withCredentials.id);
        assert.deepEqual(
          [rotated?.secret, rotated?.previousSecret, rotated?.headers],
          ['WHSEC_C', 'WHSEC_B', { 'X-Plain': 'shown' }],
        );
        assert.deepEqual(
          await store.endpointCredentials([withCredentials.id, basic.id]),
          new Map<string, EndpointCredentials>([
            [
              withCredentials.id,
              {
                auth: {
                  type: 'oauth2',
                  tokenUrl: 'https://a/t',
                  clientId: 'id',
                  clientSecret: 'CS',
                  scope: null,
                  audience: null,
                },
                clientCertificate: { certificate: 'cert', privateKey: 'KEY', ca: 'ca' },
                secretHeaders: { 'X-Key': 'HV' },
              },
            ],
            [basic.id, { auth: { type: 'basic', username: 'user', password: 'PW' }, clientCertificate: null, secretHeaders: {} }],
          ]),
        );
        assert.deepEqual((await store.findSource('github'))?.secrets, ['S1', 'S2']);
        assert.equal(await store.rewriteSecrets(upper), 0, 'nothing left to change');
      }));

    test('a rewrite that throws changes nothing', () =>
      withStore(async (store) => {
        const app = await store.createApp(anApp());
        await store.createEndpoint(anEndpoint(app.id, { id: newId('ep', T0), secret: 'whsec_a' }));
        await store.createEndpoint(anEndpoint(app.id, { id: newId('ep', T0 + 1), secret: 'whsec_b' }));
        let calls = 0;
        await assert.rejects(
          store.rewriteSecrets((value) => {
            if (++calls === 2) throw new Error('no key');
            return upper(value);
          }),
          /no key/,
        );
        const page = await store.listEndpoints(app.id, { limit: 10 });
        assert.deepEqual(page.data.map((e) => e.secret).sort(), ['whsec_a', 'whsec_b']);
      }));
  });
}
