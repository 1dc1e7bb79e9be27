/**
 * Deliveries through an HTTP CONNECT proxy (HOOKD_EGRESS_PROXY), so they leave from the proxy's known addresses.
 * The SSRF rules still hold, and the proxy cannot bend them: hookd resolves the endpoint's host itself, checks every
 * address, and asks the proxy for a tunnel to one checked IP address, never to a name the proxy would resolve
 * again (peers hand the proxy the name and skip their own guard). A refused address never reaches the proxy. TLS
 * runs end to end inside the tunnel, with the endpoint's host name for SNI and the certificate check.
 */
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { type buildConnector, errors } from 'undici';
import type { Network } from '../domain/index.js';
import { hostOf, type Resolver, resolveAllowed } from './addresses.js';
import type { ClientTls } from './dispatchers.js';

/** The proxy could not be reached, or would not open the tunnel: attempt error `proxy_failed`. */
export class ProxyError extends Error {
  readonly code = 'proxy_failed';
}

export interface ProxyOptions {
  /** `http://[user:password@]host:port` (or `https://` for TLS to the proxy itself). */
  proxy: URL;
  allowed: readonly Network[];
  resolve: Resolver;
  connectTimeoutMs: number;
  /** The endpoint's client certificate, presented inside the tunnel. */
  tls?: ClientTls | null;
}

/** An undici `connect` function that opens every connection through the proxy, to a checked address. */
export function proxyConnector(options: ProxyOptions): buildConnector.connector {
  return (target, callback) => {
    let settled = false;
    let socket: Socket | undefined;
    const finish = (error: Error | null, connected?: Socket) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        socket?.destroy();
        callback(error, null);
      } else callback(null, connected as Socket);
    };
    const timer = setTimeout(
      () =>
        finish(new errors.ConnectTimeoutError(`no connection through the egress proxy within ${options.connectTimeoutMs} ms`)),
      options.connectTimeoutMs,
    );
    tunnel(options, target, (opened) => {
      socket = opened;
    }).then(
      (connected) => finish(null, connected),
      (error: Error) => finish(error),
    );
  };
}

async function tunnel(
  { proxy, allowed, resolve, tls }: ProxyOptions,
  target: buildConnector.Options,
  opened: (socket: Socket) => void,
): Promise<Socket> {
  const host = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
  // Throws AddressRefusedError (address_not_allowed) before the proxy hears of the request.
  const [address] = await resolveAllowed(host, allowed, resolve);
  if (!address) throw Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' });
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  const authority = `${address.family === 6 ? `[${address.address}]` : address.address}:${port}`;

  const socket = await openProxy(proxy, opened);
  const credentials = proxy.username
    ? `Proxy-Authorization: Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}\r\n`
    : '';
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${credentials}\r\n`);
  const status = await readConnectAnswer(socket);
  if (status < 200 || status > 299) {
    throw new ProxyError(`the egress proxy answered ${status} to CONNECT ${authority} (for ${host})`);
  }
  if (target.protocol !== 'https:') return socket;
  const servername = target.servername || (isIP(host) ? undefined : host);
  const secure = tlsConnect({ socket, servername, ALPNProtocols: ['http/1.1'], ...tls });
  opened(secure);
  await new Promise<void>((ready, fail) => {
    secure.once('secureConnect', ready);
    secure.once('error', fail);
  });
  return secure;
}

function openProxy(proxy: URL, opened: (socket: Socket) => void): Promise<Socket> {
  const port = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80);
  const host = hostOf(proxy);
  const socket =
    proxy.protocol === 'https:'
      ? tlsConnect({ host, port, servername: isIP(host) ? undefined : host })
      : tcpConnect({ host, port });
  opened(socket);
  return new Promise((ready, fail) => {
    socket.once(proxy.protocol === 'https:' ? 'secureConnect' : 'connect', () => ready(socket));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      fail(new ProxyError(`cannot reach the egress proxy ${proxy.host}: ${error.code ?? error.message}`)),
    );
  });
}

/** Reads the proxy's answer to CONNECT up to its blank line; the tunnel's bytes start after it. */
function readConnectAnswer(socket: Socket): Promise<number> {
  return new Promise((answered, fail) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 16_384) done(new ProxyError('the egress proxy sent an answer to CONNECT with no end'));
        return;
      }
      // A proxy speaks first after its answer only if something is wrong; bytes past it belong to the tunnel.
      const rest = Buffer.from(head.slice(end + 4), 'latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]);
      if (!Number.isInteger(status))
        return done(new ProxyError('the egress proxy answered CONNECT with something that is not HTTP'));
      done(null, status);
      if (rest.length > 0) socket.unshift(rest);
    };
    const onClose = () => done(new ProxyError('the egress proxy closed the connection before answering CONNECT'));
    const onError = (error: Error) => done(new ProxyError(`the egress proxy connection failed: ${error.message}`));
    function done(error: Error | null, status?: number) {
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      // Held until the HTTP client (or TLS) takes the socket over, so no byte of the tunnel is dropped.
      socket.pause();
      if (error) fail(error);
      else answered(status as number);
    }
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onError);
  });
}
