import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { addressSet, clientAddressResolver, normalizeAddress } from './addresses.js';
import { ReceiverConfigError } from './errors.js';

test('mapped IPv4, zone ids, brackets and ports are reduced to the bare address', () => {
  assert.equal(normalizeAddress('::ffff:10.1.2.3'), '10.1.2.3');
  assert.equal(normalizeAddress('::FFFF:0a01:0203'), '10.1.2.3');
  assert.equal(normalizeAddress('fe80::1%eth0'), 'fe80::1');
  assert.equal(normalizeAddress('[2001:DB8::1]:443'), '2001:db8::1');
  assert.equal(normalizeAddress(' 203.0.113.5:8080 '), '203.0.113.5');
});

test('a set holds addresses and ranges of both families; mapped IPv4 is matched as IPv4', () => {
  const set = addressSet(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32', '::1', '::ffff:172.16.0.0/108'], 'allow_ips_invalid');
  for (const inside of [
    '10.255.0.1',
    '::ffff:10.0.0.1',
    '192.0.2.7',
    '2001:db8:ffff::1',
    '::1',
    '172.16.5.5',
    '::ffff:172.31.0.1',
  ]) {
    assert.equal(set.has(inside), true, inside);
  }
  for (const outside of ['11.0.0.1', '192.0.2.8', '2001:db9::1', '::2', '172.32.0.1', 'garbage', '', undefined]) {
    assert.equal(set.has(outside), false, String(outside));
  }
});

test('property: an IPv4 address is in its own /24, whether written as IPv4 or mapped IPv6', () => {
  fc.assert(
    fc.property(fc.ipV4(), (address) => {
      const [a, b, c] = address.split('.');
      const set = addressSet([`${a}.${b}.${c}.0/24`], 'allow_ips_invalid');
      return set.has(address) && set.has(`::ffff:${address}`);
    }),
  );
});

test('entries that are not addresses or ranges are refused with the code given', () => {
  for (const entry of ['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/8/1', '10.0.0.0/x', 'localhost', '::ffff:10.0.0.0/64']) {
    assert.throws(
      () => addressSet([entry], 'trust_proxy_invalid'),
      (error: unknown) => error instanceof ReceiverConfigError && error.code === 'trust_proxy_invalid',
      entry,
    );
  }
});

test('without trustProxy the socket is the client, whatever X-Forwarded-For says', () => {
  const resolve = clientAddressResolver(undefined);
  assert.equal(resolve('::ffff:127.0.0.1', '10.0.0.1'), '127.0.0.1');
  assert.equal(resolve(undefined, '10.0.0.1'), undefined);
});

test('a hop count takes the address that many hops out, and never past the first', () => {
  const forwarded = '198.51.100.1, 203.0.113.9, 10.0.0.2';
  assert.equal(clientAddressResolver(0)('10.0.0.1', forwarded), '10.0.0.1');
  assert.equal(clientAddressResolver(1)('10.0.0.1', forwarded), '10.0.0.2');
  assert.equal(clientAddressResolver(2)('10.0.0.1', forwarded), '203.0.113.9');
  assert.equal(clientAddressResolver(9)('10.0.0.1', forwarded), '198.51.100.1');
  assert.equal(clientAddressResolver(1)('10.0.0.1', undefined), '10.0.0.1');
});

test('a list of trusted proxies is walked from the socket out; the first untrusted hop is the client', () => {
  const resolve = clientAddressResolver(['10.0.0.0/8', '::1']);
  assert.equal(resolve('::1', '198.51.100.1, 203.0.113.9, 10.0.0.2'), '203.0.113.9');
  assert.equal(resolve('203.0.113.50', '10.1.1.1'), '203.0.113.50', 'an untrusted socket is the client');
  assert.equal(resolve('10.0.0.1', '10.0.0.3, 10.0.0.2'), '10.0.0.3', 'all trusted: the furthest hop');
  assert.equal(resolve('10.0.0.1', 'unknown, 10.0.0.2'), 'unknown', 'a hop that is not an address stops the walk');
});
