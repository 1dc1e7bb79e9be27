/**
 * DNS rebinding: a page on another site whose name starts resolving to 127.0.0.1 reaches the listener as its own
 * origin, and could read caught requests and replay them. Its requests still carry that site's name in Host, so the
 * listener's own page and API answer only Host values naming loopback or the address it is bound to, on its port.
 */
import { isIP } from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/** `host` is the --host given; `port` the one listened on. */
export function hostAllowed(header: string | undefined, host: string, port: number): boolean {
  if (!header) return false;
  const match = /^(\[[0-9a-f:.]+\]|[^:]+)(?::(\d+))?$/i.exec(header.trim().toLowerCase());
  if (!match || Number(match[2] ?? 80) !== port) return false;
  const name = match[1] as string;
  const bound = host.includes(':') && !host.startsWith('[') ? `[${host.toLowerCase()}]` : host.toLowerCase();
  if (LOOPBACK_NAMES.has(name) || name.endsWith('.localhost') || name === bound) return true;
  // Bound to every interface: any address of the machine, given as an address (a name could be a rebinding one).
  return WILDCARDS.has(bound) && isIP(name.replace(/^\[|\]$/g, '')) !== 0;
}
