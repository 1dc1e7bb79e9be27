import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostAllowed } from './listen-hosts.js';

test('the listen page answers Host values naming loopback or the bound address, on its port only', () => {
  for (const host of ['127.0.0.1:9000', 'localhost:9000', 'LOCALHOST:9000', '[::1]:9000', 'app.localhost:9000']) {
    assert.ok(hostAllowed(host, '127.0.0.1', 9000), host);
  }
  for (const host of [
    undefined,
    '',
    'evil.example:9000',
    '127.0.0.1:9001',
    '127.0.0.1',
    'localhost.evil.example:9000',
    '10.0.0.5:9000',
  ]) {
    assert.ok(!hostAllowed(host, '127.0.0.1', 9000), String(host));
  }
  assert.ok(hostAllowed('devbox.lan:9000', 'devbox.lan', 9000), 'the --host name');
  assert.ok(hostAllowed('[::1]:9000', '::1', 9000));
  assert.ok(hostAllowed('192.168.1.20:9000', '0.0.0.0', 9000), 'bound everywhere: any address');
  assert.ok(!hostAllowed('rebind.example:9000', '0.0.0.0', 9000), 'bound everywhere: still no other name');
  assert.ok(hostAllowed('localhost', '127.0.0.1', 80), 'no port is port 80');
});
