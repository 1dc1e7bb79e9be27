/**
 * A receiver on 127.0.0.1 that misbehaves on purpose, one fault per path (`/hang`, `/reset`, …), written on a raw
 * `net` server so it can break HTTP in ways an HTTP server library would not let it.
 */
import { createServer, type Socket } from 'node:net';

export const FAULTS = [
  'ok',
  'status-500',
  'status-503',
  'status-429',
  'status-410',
  'redirect',
  'hang',
  'stall-body',
  'trickle',
  'huge-body',
  'reset',
  'close',
  'invalid-http',
] as const;
export type Fault = (typeof FAULTS)[number];

export interface FaultReceiverOptions {
  /** Where `/redirect` points (`Location`); default the cloud metadata address. */
  redirectTo?: string;
  /** `Retry-After` of `/status-429` and `/status-503`, in seconds; default none. */
  retryAfterSeconds?: number;
  /** `/huge-body` announces and tries to send this many bytes; default 50 MiB. */
  hugeBytes?: number;
  /** `/trickle` sends one body byte this often; default 1000 ms. */
  trickleMs?: number;
}

export interface FaultReceiver {
  /** `http://127.0.0.1:<port>`; append `/<fault>`. */
  base: string;
  urlFor(fault: Fault): string;
  /** Requests received, by fault. */
  hits: Map<Fault, number>;
  /** Body bytes `/huge-body` managed to hand to the socket before the client went away. */
  hugeBytesWritten: number;
  close(): Promise<void>;
}

const CRLF = '\r\n';

export async function startFaultReceiver(options: FaultReceiverOptions = {}): Promise<FaultReceiver> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const hits = new Map<Fault, number>();
  const state = { hugeBytesWritten: 0 };
  const hugeBytes = options.hugeBytes ?? 50 * 1024 * 1024;
  const retryAfter = options.retryAfterSeconds === undefined ? '' : `Retry-After: ${options.retryAfterSeconds}${CRLF}`;

  const answer = (socket: Socket, status: string, extra = '', body = 'ok') =>
    socket.write(`HTTP/1.1 ${status}${CRLF}${extra}Content-Length: ${Buffer.byteLength(body)}${CRLF}${CRLF}${body}`);
  const every = (ms: number, tick: () => void) => {
    const timer = setInterval(tick, ms);
    timers.add(timer);
    return timer;
  };

  function behave(socket: Socket, fault: Fault): void {
    hits.set(fault, (hits.get(fault) ?? 0) + 1);
    switch (fault) {
      case 'ok':
        return void answer(socket, '200 OK');
      case 'status-500':
        return void answer(socket, '500 Internal Server Error', '', 'boom');
      case 'status-503':
        return void answer(socket, '503 Service Unavailable', retryAfter);
      case 'status-429':
        return void answer(socket, '429 Too Many Requests', retryAfter);
      case 'status-410':
        return void answer(socket, '410 Gone');
      case 'redirect':
        return void answer(
          socket,
          '302 Found',
          `Location: ${options.redirectTo ?? 'http://169.254.169.254/latest/meta-data'}${CRLF}`,
        );
      case 'hang':
        return; // never a byte back
      case 'stall-body':
        return void socket.write(`HTTP/1.1 200 OK${CRLF}Content-Length: 100${CRLF}${CRLF}`);
      case 'trickle': {
        socket.write(`HTTP/1.1 200 OK${CRLF}Content-Length: 3600${CRLF}${CRLF}`);
        const timer = every(options.trickleMs ?? 1000, () => socket.write('x'));
        socket.once('close', () => clearInterval(timer));
        return;
      }
      case 'huge-body': {
        socket.write(`HTTP/1.1 200 OK${CRLF}Content-Length: ${hugeBytes}${CRLF}${CRLF}`);
        const chunk = Buffer.alloc(64 * 1024, 'a');
        let left = hugeBytes;
        // Writes only as fast as the client reads: what reaches the socket is what hookd took in.
        const pump = () => {
          while (left > 0 && !socket.destroyed) {
            const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
            left -= piece.length;
            state.hugeBytesWritten += piece.length;
            if (!socket.write(piece)) return void socket.once('drain', pump);
          }
        };
        pump();
        return;
      }
      case 'reset':
        return void socket.resetAndDestroy();
      case 'close':
        return void socket.end();
      case 'invalid-http':
        return void socket.end(`HELLO THERE${CRLF}this is not http${CRLF}${CRLF}`);
    }
  }

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    let buffered = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      buffered = Buffer.concat([buffered, data]);
      // One request at a time on a connection: headers, then Content-Length bytes of body.
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.subarray(end + 4 + length);
        const path = head.split(' ')[1] ?? '/';
        const fault = path.slice(1).split('?')[0] as Fault;
        behave(socket, FAULTS.includes(fault) ? fault : 'ok');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    urlFor: (fault) => `${base}/${fault}`,
    hits,
    get hugeBytesWritten() {
      return state.hugeBytesWritten;
    },
    async close() {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
