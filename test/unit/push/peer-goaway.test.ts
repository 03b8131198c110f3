/**
 * A client's GOAWAY(NO_ERROR) with a request's HEADERS right behind it in one read
 * (push/goaway.ts). Node 20's http2 closes the server's session on the GOAWAY from inside its
 * receive callback, then refuses the next stream with a RST_STREAM it flushes re-entrantly —
 * freeing the stream nghttp2 is still parsing: `serve`'s native aborts under fleet load. The
 * service keeps the session open instead, so the request is answered, not refused. Raw frames
 * over a plain socket: node's own client never puts the two in one write on demand.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startService } from '../../helpers/h2';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const TYPE = { HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, GOAWAY: 7 } as const;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;
const ACK = 0x1;

function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head.writeUInt8(type, 3);
  head.writeUInt8(flags, 4);
  head.writeUInt32BE(streamId, 5);
  return Buffer.concat([head, payload]);
}

/** HPACK literal without indexing, name from the static table (RFC 7541 §6.2.2). */
function literal(nameIndex: number, value: string): Buffer {
  return Buffer.concat([Buffer.from([nameIndex, value.length]), Buffer.from(value, 'latin1')]);
}

interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** Sends `bytes` in one write; resolves with the frames read until stream 1 is answered. */
function exchange(port: number, bytes: Buffer): Promise<Frame[]> {
  return new Promise((resolve, reject) => {
    const frames: Frame[] = [];
    let pending = Buffer.alloc(0);
    const socket = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => finish(new Error('no answer on stream 1 in 5 s')), 5_000);
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(frames);
    };
    socket.on('error', finish);
    socket.on('close', () => finish());
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 9) {
        const length = pending.readUIntBE(0, 3);
        if (pending.length < 9 + length) break;
        const f: Frame = {
          type: pending.readUInt8(3),
          flags: pending.readUInt8(4),
          streamId: pending.readUInt32BE(5) & 0x7fffffff,
          payload: pending.subarray(9, 9 + length),
        };
        pending = pending.subarray(9 + length);
        frames.push(f);
        if (f.streamId === 1 && (f.type === TYPE.HEADERS || f.type === TYPE.RST_STREAM)) finish();
      }
    });
  });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("a client's GOAWAY followed by a request in the same read", () => {
  it('is answered (201, the subscription made), not refused, and the service keeps serving', async () => {
    const { service, events } = await startService();
    cleanups.push(() => service.stop());
    const port = Number(new URL(service.url).port);
    const goaway = Buffer.alloc(8); // last stream id 0, NO_ERROR
    const subscribe = Buffer.concat([
      Buffer.from([0x83, 0x86]), // :method POST, :scheme http (static table 3, 6)
      literal(4, '/subscribe'), // :path
      literal(1, `127.0.0.1:${port}`), // :authority
    ]);
    const frames = await exchange(
      port,
      Buffer.concat([
        PREFACE,
        frame(TYPE.SETTINGS, 0, 0, Buffer.alloc(0)),
        frame(TYPE.GOAWAY, 0, 0, goaway),
        frame(TYPE.HEADERS, END_STREAM | END_HEADERS, 1, subscribe),
        frame(TYPE.SETTINGS, ACK, 0, Buffer.alloc(0)),
      ]),
    );
    const answer = frames.filter((f) => f.streamId === 1).map((f) => f.type);
    expect(answer).toEqual([TYPE.HEADERS]);
    expect(events.filter((e) => e.kind === 'subscription.created')).toHaveLength(1);
    // Another connection is served as before.
    const again = await exchange(
      port,
      Buffer.concat([
        PREFACE,
        frame(TYPE.SETTINGS, 0, 0, Buffer.alloc(0)),
        frame(TYPE.HEADERS, END_STREAM | END_HEADERS, 1, subscribe),
      ]),
    );
    expect(again.filter((f) => f.streamId === 1).map((f) => f.type)).toEqual([TYPE.HEADERS]);
  });
});
