/**
 * The virtual driver settles the real event loop between clock steps: a step that starts no
 * I/O costs one turn, work that moves no bytes for a while is still waited for, an HTTP/2
 * exchange over a link lands at the same lab times whether the clock is driven at once or in
 * slices, and with a real socket open the quiet-turn rule still decides.
 */
import http2 from 'node:http2';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { driveVirtual, settle } from '../../../src/main/engine/clock/driver';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { Link } from '../../../src/main/engine/net/link';
import { Rng } from '../../../src/main/engine/rng/rng';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An activity function that also counts how often the driver asked (once per turn, at most). */
function counted(): { activity: () => number; calls: () => number } {
  let calls = 0;
  return { activity: () => ((calls += 1), 0), calls: () => calls };
}

/** Runs `fn` after `hops` event-loop turns, none of which moves anything the driver counts. */
function afterTurns(hops: number, fn: () => void): void {
  if (hops === 0) fn();
  else setImmediate(() => afterTurns(hops - 1, fn));
}

describe('driveVirtual', () => {
  it('settles a step that starts no I/O in one event-loop turn', async () => {
    const clock = new VirtualClock(0);
    let fired = 0;
    for (let i = 1; i <= 50; i++) clock.schedule(i, () => (fired += 1));
    const { activity, calls } = counted();
    const steps = await driveVirtual(clock, { untilMs: 100, activity });
    expect(fired).toBe(50);
    expect(steps).toBe(51);
    // One look at the activity per settle (before its single turn): 50 steps, the settle
    // before the first and the one after the last. Three quiet turns each would be 4 per settle.
    expect(calls()).toBe(52);
  });

  it('waits for work that moves nothing for longer than the quiet turns', async () => {
    const clock = new VirtualClock(0);
    let finished = false;
    let seenAtOne: boolean | null = null;
    clock.schedule(0, () => afterTurns(12, () => (finished = true)));
    clock.schedule(1, () => (seenAtOne = finished));
    await driveVirtual(clock, { untilMs: 10, activity: () => 0 });
    // Three quiet turns in a row would have let the clock reach 1 ms after turn 3 of 12.
    expect(seenAtOne).toBe(true);
  });

  it('lands an HTTP/2 exchange over a link at the same lab times driven at once or in slices', async () => {
    async function exchange(sliceMs: number | null): Promise<number[]> {
      const clock = new VirtualClock(0);
      const link = new Link(
        {
          id: 'l1',
          faults: [{ type: 'latency', stream: 'both', attributes: { latency: 7, jitter: 3 } }],
        },
        clock,
        new Rng(5),
      );
      let moved = 0;
      link.onTraffic((_direction, bytes) => (moved += bytes));
      const server = http2.createServer();
      server.on('stream', (stream) => {
        stream.respond({ ':status': 200 });
        stream.end('pong');
      });
      const times: number[] = [];
      const session = http2.connect('http://lab.invalid', {
        createConnection: () => link.connectInMemory((socket) => server.emit('connection', socket)),
      });
      session.on('remoteSettings', () => times.push(clock.now()));
      clock.schedule(50, () => {
        const request = session.request({ ':path': '/ping' });
        request.on('response', () => times.push(clock.now()));
        request.on('data', () => {});
        request.on('end', () => {
          times.push(clock.now());
          session.close();
        });
      });
      const activity = (): number => moved;
      if (sliceMs === null) await driveVirtual(clock, { untilMs: 400, activity });
      else
        for (let t = sliceMs; t <= 400; t += sliceMs)
          await driveVirtual(clock, { untilMs: t, activity });
      await link.close();
      server.close();
      return times;
    }
    const atOnce = await exchange(null);
    expect(atOnce).toHaveLength(3);
    expect(atOnce[1]).toBeGreaterThan(50); // the answer took the link's latency both ways
    expect(await exchange(1)).toEqual(atOnce);
    expect(await exchange(13)).toEqual(atOnce);
  });

  it('counts quiet turns while a real socket is open', async () => {
    const server = net.createServer((socket) => cleanups.push(() => void socket.destroy()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as net.AddressInfo;
    const client = net.connect(port, '127.0.0.1');
    cleanups.push(() => void client.destroy());
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    const { activity, calls } = counted();
    await settle(activity, 3);
    // The first look, then one after each of three quiet turns: bytes could still be on the wire.
    expect(calls()).toBe(4);
  });
});
