import { afterEach, describe, expect, it } from 'vitest';
import { bytesOf, harness, step, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h.link.close();
});

describe('latency', () => {
  it('adds exactly `latency` ms to every chunk, in both directions it is put on', async () => {
    h = harness({ faults: [{ type: 'latency', stream: 'both', attributes: { latency: 100 } }] });
    const { client, server } = await h.open();
    client.socket.write('ping');
    await step(h.clock, 99);
    expect(server.received).toEqual([]);
    await step(h.clock, 1);
    expect(server.received.map((r) => [r.atMs, r.data.toString()])).toEqual([[100, 'ping']]);

    await step(h.clock, 50);
    server.socket.write('pong');
    await step(h.clock, 100);
    expect(client.received.map((r) => [r.atMs, r.data.toString()])).toEqual([[250, 'pong']]);
  });

  it('keeps jitter within ± jitter and never reorders the stream', async () => {
    h = harness({
      faults: [{ type: 'latency', stream: 'upstream', attributes: { latency: 100, jitter: 40 } }],
    });
    const { client, server } = await h.open();
    const sentAt: number[] = [];
    for (let i = 0; i < 50; i++) {
      sentAt.push(h.clock.now());
      client.socket.write(Buffer.from([i]));
      await step(h.clock, 7);
    }
    await step(h.clock, 200);
    expect([...bytesOf(server)]).toEqual([...Array(50).keys()]);
    server.received.forEach((r, i) => {
      const waited = r.atMs - sentAt[r.data[0]!]!;
      expect(waited).toBeGreaterThanOrEqual(60);
      // Order is kept: a chunk may wait for the one ahead of it, never longer than 140 + 7 ms.
      expect(waited).toBeLessThanOrEqual(147);
      if (i > 0) expect(r.atMs).toBeGreaterThanOrEqual(server.received[i - 1]!.atMs);
    });
    const distinct = new Set(server.received.map((r, i) => r.atMs - sentAt[i]!));
    expect(distinct.size).toBeGreaterThan(10);
  });
});
