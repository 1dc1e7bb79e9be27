/**
 * Which IP addresses an endpoint may reach (SSRF rules). Only globally routable unicast
 * addresses pass, unless an operator allowed a network; IPv4-mapped IPv6 is judged as IPv4.
 */
import ipaddr from 'ipaddr.js';

export type Network = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses `10.0.0.0/8,::1/128` (a bare address means just itself); throws on a bad entry. */
export function parseNetworks(list: string | readonly string[]): Network[] {
  const entries = typeof list === 'string' ? list.split(',') : list;
  return entries
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      if (entry.includes('/')) return ipaddr.parseCIDR(entry);
      const address = ipaddr.parse(entry);
      return [address, address.kind() === 'ipv4' ? 32 : 128] as Network;
    });
}

/** Unmaps `::ffff:a.b.c.d` so it is judged by its IPv4 rules. */
function canonical(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(address)) return null;
  const parsed = ipaddr.parse(address);
  return parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
    ? (parsed as ipaddr.IPv6).toIPv4Address()
    : parsed;
}

function within(ip: ipaddr.IPv4 | ipaddr.IPv6, networks: readonly Network[]): boolean {
  return networks.some(([network, bits]) => network.kind() === ip.kind() && ip.match(network, bits));
}

/** Why an address is refused (`loopback`, `private`, `linkLocal`, …), or null when it may be reached. */
export function refusedAddressReason(address: string, allowed: readonly Network[]): string | null {
  const ip = canonical(address);
  if (!ip) return 'invalid';
  if (within(ip, allowed)) return null;
  const range = ip.range();
  if (range !== 'unicast') return range;
  // ::a.b.c.d (IPv4-compatible, deprecated) is "unicast" to ipaddr.js, yet never a public host.
  const ipv4Compatible = ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0);
  return ipv4Compatible ? 'ipv4Compatible' : null;
}

/** ipaddr.js range names (`linkLocal`, `uniqueLocal`) in words a reader of an error message knows. */
const REASON_WORDS: Record<string, string> = {
  loopback: 'loopback',
  private: 'private-network',
  linkLocal: 'link-local (cloud metadata)',
  uniqueLocal: 'private-network (IPv6 unique local)',
  carrierGradeNat: 'carrier-grade NAT',
  unspecified: 'unspecified (0.0.0.0 or ::)',
  broadcast: 'broadcast',
  multicast: 'multicast',
  reserved: 'reserved',
  ipv4Compatible: 'IPv4-compatible IPv6',
  invalid: 'invalid',
};

/** A refusal reason from `refusedAddressReason` in words: `linkLocal` → `link-local (cloud metadata)`. */
export function describeRefusedReason(reason: string): string {
  return REASON_WORDS[reason] ?? reason.replace(/([a-z])([A-Z0-9])/g, '$1 $2').toLowerCase();
}
