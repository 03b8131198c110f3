/**
 * Cleartext HTTP/1.1 and h2c on one port, told apart by the connection preface (RFC 9113
 * §3.4: an h2c client with prior knowledge opens with `PRI * HTTP/2.0`; an HTTP/1.1 client
 * opens with a method token, and no method is `PRI`). Hand-written: node's http2 server falls
 * back to HTTP/1.1 only by TLS ALPN, and no library in package.json reads a preface.
 *
 * The first bytes are read in JS and put back with `unshift`: node:http2 feeds bytes already
 * buffered on a socket to its session before its native reads start (lib/internal/http2/
 * core.js, "Socket already has some buffered data"), and node:http parses them like any other.
 * The socket must arrive paused (`pauseOnConnect`), so no byte is read before we look.
 */
import type { Socket } from 'node:net';
import type { Clock } from '../clock/clock';

const H2_PREFACE_START = Buffer.from('PRI ', 'latin1');

/** How long a connection may stay silent before its first bytes say which protocol it speaks. */
export const PREFACE_WAIT_MS = 10_000;

export type Preface = 'h2' | 'http1';

/**
 * Waits for enough of the first bytes of `socket` to tell h2c from HTTP/1.1, puts them back
 * and calls `then` with the answer. A connection that stays silent for `PREFACE_WAIT_MS` or
 * ends first is closed: neither server ever sees it.
 */
export function sniffPreface(socket: Socket, clock: Clock, then: (kind: Preface) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const done = (): void => {
    timer.cancel();
    socket.off('readable', onReadable);
    socket.off('end', drop);
  };
  const drop = (): void => {
    done();
    socket.destroy();
  };
  const onReadable = (): void => {
    for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read()) {
      chunks.push(chunk);
      size += chunk.length;
    }
    const head = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    const seen = Math.min(head.length, H2_PREFACE_START.length);
    const h2 = head.subarray(0, seen).equals(H2_PREFACE_START.subarray(0, seen));
    // A few bytes that could still start either: wait for more.
    if (h2 && seen < H2_PREFACE_START.length) return;
    done();
    socket.unshift(head);
    then(h2 ? 'h2' : 'http1');
  };
  const timer = clock.schedule(PREFACE_WAIT_MS, drop);
  socket.on('readable', onReadable);
  socket.once('end', drop);
  socket.once('close', done);
}
