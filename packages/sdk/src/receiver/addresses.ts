/**
 * IP address sets (addresses and CIDR ranges, IPv4 and IPv6) on node:net's BlockList, and the one
 * rule for who the client is: the socket's peer, unless trusted proxies vouch for someone further out.
 */
import { BlockList, isIP } from 'node:net';
import { ReceiverConfigError, type ReceiverConfigErrorCode } from './errors.js';

const MAPPED_DOTTED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;
const V4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/;
const V6_BRACKETED = /^\[([^\]]+)\](?::\d+)?$/;

/** One spelling per address: IPv4-mapped IPv6 becomes IPv4, zone ids, brackets and ports are dropped. */
export function normalizeAddress(raw: string): string {
  let address = raw.trim();
  address = V6_BRACKETED.exec(address)?.[1] ?? V4_WITH_PORT.exec(address)?.[1] ?? address;
  const zone = address.indexOf('%');
  if (zone > 0) address = address.slice(0, zone);
  const dotted = MAPPED_DOTTED.exec(address)?.[1];
  if (dotted !== undefined) return dotted;
  const hex = MAPPED_HEX.exec(address);
  if (hex?.[1] !== undefined && hex[2] !== undefined) {
    const high = Number.parseInt(hex[1], 16);
    const low = Number.parseInt(hex[2], 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return address.toLowerCase();
}

export interface AddressSet {
  has(address: string | undefined): boolean;
}

/** Parses `entries` once; throws ReceiverConfigError with `code` on the first entry that is not an address or range. */
export function addressSet(entries: readonly string[], code: ReceiverConfigErrorCode): AddressSet {
  const list = new BlockList();
  for (const entry of entries) addEntry(list, entry, code);
  return {
    has(address) {
      if (address === undefined) return false;
      const normalized = normalizeAddress(address);
      const family = isIP(normalized);
      return family !== 0 && list.check(normalized, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

function addEntry(list: BlockList, entry: string, code: ReceiverConfigErrorCode): void {
  const [rawAddress = '', rawPrefix, extra] = entry.trim().split('/');
  const invalid = () => new ReceiverConfigError(code, `"${entry}" is not an IP address or CIDR range`);
  if (extra !== undefined) throw invalid();
  const address = normalizeAddress(rawAddress);
  const family = isIP(address);
  if (family === 0) throw invalid();
  if (rawPrefix === undefined) {
    list.addAddress(address, family === 4 ? 'ipv4' : 'ipv6');
    return;
  }
  if (!/^\d{1,3}$/.test(rawPrefix)) throw invalid();
  let prefix = Number(rawPrefix);
  // A mapped range written in IPv6 form (::ffff:10.0.0.0/104) is an IPv4 range.
  if (family === 4 && isIP(rawAddress.trim()) === 6) {
    if (prefix < 96) throw invalid();
    prefix -= 96;
  }
  if (prefix > (family === 4 ? 32 : 128)) throw invalid();
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
}

/** Who the client is, given the socket's peer and X-Forwarded-For (client first, nearest proxy last). */
export type ClientAddressResolver = (socketAddress: string | undefined, forwardedFor: string | undefined) => string | undefined;

export function clientAddressResolver(trustProxy: number | readonly string[] | undefined): ClientAddressResolver {
  if (trustProxy === undefined) return (socket) => (socket === undefined ? undefined : normalizeAddress(socket));
  if (typeof trustProxy === 'number' && !(Number.isInteger(trustProxy) && trustProxy >= 0)) {
    throw new ReceiverConfigError('trust_proxy_invalid', `trustProxy must be a count of hops (0 or more), got ${trustProxy}`);
  }
  const trusted = typeof trustProxy === 'number' ? undefined : addressSet(trustProxy, 'trust_proxy_invalid');
  return (socket, forwardedFor) => {
    if (socket === undefined) return undefined;
    const hops = (forwardedFor ?? '')
      .split(',')
      .map((hop) => hop.trim())
      .filter((hop) => hop !== '')
      .map(normalizeAddress);
    const chain = [...hops, normalizeAddress(socket)];
    if (trusted === undefined) return chain[Math.max(0, chain.length - 1 - (trustProxy as number))];
    // Walk out from the socket while each hop is a trusted proxy; the first untrusted one is the client.
    let index = chain.length - 1;
    while (index > 0 && trusted.has(chain[index])) index--;
    return chain[index];
  };
}
