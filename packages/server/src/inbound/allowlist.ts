/** A source's IP allowlist: CIDR ranges, IPv4 and IPv6; an IPv4-mapped IPv6 peer is judged as IPv4. */
import { inNetworks, type Network, parseNetworks } from '../domain/index.js';

/** Throws a message naming the first entry that is not an address or a CIDR range. */
export function parseAllowlist(entries: readonly string[]): Network[] {
  return entries.map((entry) => {
    try {
      return parseNetworks([entry])[0] as Network;
    } catch {
      throw new Error(`${JSON.stringify(entry)} is not an IP address or CIDR range`);
    }
  });
}

/** Whether `address` is inside one of `networks`; an empty list allows every address. */
export function isAllowed(networks: readonly Network[], address: string | undefined): boolean {
  if (networks.length === 0) return true;
  return address !== undefined && inNetworks(address, networks);
}
