/** Test helpers for links: a VirtualClock link, in-memory peers that record what they get. */
import type { Duplex } from 'node:stream';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { Link, type LinkOptions } from '../../../src/main/engine/net';
import type { ConnectionEvent, FaultEvent, LinkStateEvent } from '../../../src/main/engine/net';
import { Rng } from '../../../src/main/engine/rng/rng';

/** One side of a connection as the application sees it. */
export interface Peer {
  socket: Duplex;
  /** Every chunk received, with the clock time it arrived. */
  received: { atMs: number; data: Buffer }[];
  /** Clock time of 'end', or null. */
  endedAtMs: number | null;
  closed: boolean;
  error: (Error & { code?: string }) | null;
}

export function peer(socket: Duplex, clock: VirtualClock): Peer {
  const p: Peer = { socket, received: [], endedAtMs: null, closed: false, error: null };
  socket.on('data', (data: Buffer) => p.received.push({ atMs: clock.now(), data }));
  socket.on('end', () => (p.endedAtMs = clock.now()));
  socket.on('close', () => (p.closed = true));
  socket.on('error', (e) => (p.error = e));
  return p;
}

/** All bytes a peer received, as one buffer. */
export function bytesOf(p: Peer): Buffer {
  return Buffer.concat(p.received.map((r) => r.data));
}

/** Lets node's stream machinery run (nextTicks, microtasks, immediates). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Advances the virtual clock, then lets streams settle. */
export async function step(clock: VirtualClock, ms: number): Promise<void> {
  clock.advance(ms);
  await settle();
}

export interface Harness {
  clock: VirtualClock;
  link: Link;
  faultEvents: FaultEvent[];
  stateEvents: LinkStateEvent[];
  connectionEvents: ConnectionEvent[];
  /** Opens an in-memory connection and waits until both sides flow. */
  open(): Promise<{ client: Peer; server: Peer }>;
}

export function harness(options: Partial<LinkOptions> & { seed?: number } = {}): Harness {
  const clock = new VirtualClock(0);
  const { seed, ...linkOptions } = options;
  const link = new Link({ id: 'l1', ...linkOptions }, clock, new Rng(seed ?? 1));
  const h: Harness = {
    clock,
    link,
    faultEvents: [],
    stateEvents: [],
    connectionEvents: [],
    async open() {
      let server: Peer | null = null;
      const client = peer(
        link.connectInMemory((s) => (server = peer(s, clock))),
        clock,
      );
      await settle();
      return { client, server: server! };
    },
  };
  link.addListener({
    onFault: (e) => h.faultEvents.push(e),
    onState: (e) => h.stateEvents.push(e),
    onConnection: (e) => h.connectionEvents.push(e),
  });
  return h;
}

/** A buffer of `n` bytes with a recognisable pattern. */
export function pattern(n: number, seed = 0): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}
