import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNetworks, refusedAddressReason } from './addresses.js';

const none = parseNetworks('');

const refused: [address: string, reason: string][] = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'carrierGradeNat'],
  ['169.254.169.254', 'linkLocal'],
  ['0.0.0.0', 'unspecified'],
  ['224.0.0.1', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['::1', 'loopback'],
  ['::', 'unspecified'],
  ['fe80::1', 'linkLocal'],
  ['fc00::1', 'uniqueLocal'],
  ['fd00:ec2::254', 'uniqueLocal'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:169.254.169.254', 'linkLocal'],
  ['::ffff:10.0.0.1', 'private'],
  ['::7f00:1', 'ipv4Compatible'],
  ['::808:808', 'ipv4Compatible'],
];

for (const [address, reason] of refused) {
  test(`refuses ${address} as ${reason} when no network is allowed`, () => {
    assert.equal(refusedAddressReason(address, none), reason);
  });
}

test('lets globally routable unicast addresses through', () => {
  assert.equal(refusedAddressReason('8.8.8.8', none), null);
  assert.equal(refusedAddressReason('93.184.216.34', none), null);
  assert.equal(refusedAddressReason('2606:4700::1', none), null);
  assert.equal(refusedAddressReason('::ffff:8.8.8.8', none), null);
});

test('refuses what is not an IP address as invalid', () => {
  assert.equal(refusedAddressReason('localhost', none), 'invalid');
  assert.equal(refusedAddressReason('', none), 'invalid');
  assert.equal(refusedAddressReason('127.0.0.1/8', none), 'invalid');
});

test('an allowed network lets its own addresses through and no others', () => {
  const loopback = parseNetworks('127.0.0.0/8');
  assert.equal(refusedAddressReason('127.0.0.5', loopback), null);
  assert.equal(refusedAddressReason('10.0.0.1', loopback), 'private');
  assert.equal(refusedAddressReason('::1', loopback), 'loopback');
  assert.equal(refusedAddressReason('169.254.169.254', loopback), 'linkLocal');
});

test('an allowed IPv4 network also allows its IPv4-mapped IPv6 form', () => {
  const loopback = parseNetworks('127.0.0.0/8');
  assert.equal(refusedAddressReason('::ffff:127.0.0.1', loopback), null);
  assert.equal(refusedAddressReason('::ffff:7f00:5', loopback), null);
  assert.equal(refusedAddressReason('::ffff:10.0.0.1', loopback), 'private');
});

test('an allowed IPv6 network lets only its addresses through', () => {
  const networks = parseNetworks('::1/128, fd00::/8');
  assert.equal(refusedAddressReason('::1', networks), null);
  assert.equal(refusedAddressReason('fd00:ec2::254', networks), null);
  assert.equal(refusedAddressReason('fc00::1', networks), 'uniqueLocal');
  assert.equal(refusedAddressReason('127.0.0.1', networks), 'loopback');
});

test('parseNetworks reads a comma-separated list, bare addresses as single hosts', () => {
  const networks = parseNetworks(' 10.0.0.0/8 ,, ::1/128,192.168.1.7 ');
  assert.deepEqual(
    networks.map(([address, bits]) => `${address.toString()}/${bits}`),
    ['10.0.0.0/8', '::1/128', '192.168.1.7/32'],
  );
  assert.equal(refusedAddressReason('192.168.1.7', networks), null);
  assert.equal(refusedAddressReason('192.168.1.8', networks), 'private');
});

test('parseNetworks takes an array and an empty list', () => {
  assert.deepEqual(parseNetworks([]), []);
  assert.deepEqual(parseNetworks(''), []);
  assert.equal(parseNetworks(['127.0.0.0/8', '::1']).length, 2);
});

test('parseNetworks throws on a malformed entry', () => {
  assert.throws(() => parseNetworks('10.0.0.0/33'));
  assert.throws(() => parseNetworks('not-a-network'));
  assert.throws(() => parseNetworks('10.0.0.0/8,localhost'));
});
