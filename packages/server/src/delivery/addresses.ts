/**
 * SSRF guard at the network edge: resolves a URL's host and refuses addresses the rules forbid.
 * The same resolver feeds the socket, so the address checked is the address connected to.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { describeRefusedReason, type Network, refusedAddressReason } from '../domain/index.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses; injectable so tests can play DNS. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** What an operator can do about a refusal: the setting that allows the network, named as flag and variable. */
function allowHint(address: string | undefined): string {
  const cidr = address === undefined ? '<cidr>' : `${address}/${isIP(address) === 6 ? 128 : 32}`;
  return `to allow it (local development), start hookd with --allow-networks ${cidr} or HOOKD_ALLOW_NETWORKS=${cidr}`;
}

export class AddressRefusedError extends Error {
  readonly code = 'address_refused';
  constructor(
    readonly host: string,
    readonly reason: string,
    readonly address?: string,
  ) {
    const at = address !== undefined && address !== host ? ` (${address})` : '';
    super(
      `${host} resolves to a ${describeRefusedReason(reason)} address${at}, which endpoints may not reach; ${allowHint(address)}`,
    );
  }
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

function assertAllowed(host: string, address: string, allowed: readonly Network[]): void {
  const reason = refusedAddressReason(address, allowed);
  if (reason) throw new AddressRefusedError(host, reason, address);
}

/** Throws AddressRefusedError if any address `host` stands for is forbidden; returns the addresses. */
export async function resolveAllowed(host: string, allowed: readonly Network[], resolve: Resolver): Promise<ResolvedAddress[]> {
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolve(host);
  for (const { address } of addresses) assertAllowed(host, address, allowed);
  return addresses;
}

/** Checks a host that is an IP literal: sockets skip the lookup for those. */
export function assertLiteralAllowed(host: string, allowed: readonly Network[]): void {
  if (isIP(host)) assertAllowed(host, host, allowed);
}

/** A `net.connect` lookup that only ever hands the socket checked addresses. */
export function guardedLookup(allowed: readonly Network[], resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolveAllowed(hostname, allowed, resolve).then(
      (addresses) => {
        const wanted = options.family ? addresses.filter((a) => a.family === options.family) : addresses;
        if (wanted.length === 0) {
          const error = Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
          return callback(error, '', 0);
        }
        if (options.all) return (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, wanted);
        const first = wanted[0] as ResolvedAddress;
        callback(null, first.address, first.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };
}
