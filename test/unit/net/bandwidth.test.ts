import { afterEach, describe, expect, it } from 'vitest';
import { bytesOf, harness, pattern, step, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h.link.close();
});

const delivered = (p: { received: { data: Buffer }[] }): number =>
  p.received.reduce((n, r) => n + r.data.length, 0);

describe('bandwidth', () => {
  it('spreads N bytes over N / rate seconds (rate in KB/s, 1 KB = 1000 bytes)', async () => {
    h = harness({ faults: [{ type: 'bandwidth', stream: 'upstream', attributes: { rate: 10 } }] });
    const { client, server } = await h.open();
    const data = pattern(50_000);
    client.socket.write(data);
    await step(h.clock, 2500);
    expect(delivered(server)).toBe(25_000);
    await step(h.clock, 2499);
    expect(delivered(server)).toBeLessThan(50_000);
    await step(h.clock, 1);
    expect(bytesOf(server).equals(data)).toBe(true);
    // Slices of at most 100 ms of wire time, each landing when its last byte would have.
    for (const r of server.received) {
      expect(r.data.length).toBeLessThanOrEqual(1000);
      expect(r.atMs % 100).toBe(0);
    }
  });

  it('applies a new rate to the bytes not yet sent', async () => {
    h = harness({ faults: [{ type: 'bandwidth', stream: 'upstream', attributes: { rate: 10 } }] });
    const { client, server } = await h.open();
    client.socket.write(pattern(50_000));
    await step(h.clock, 1000);
    expect(delivered(server)).toBe(10_000);
    h.link.updateFault('bandwidth_upstream', { attributes: { rate: 20 } });
    await step(h.clock, 1999);
    expect(delivered(server)).toBeLessThan(50_000);
    await step(h.clock, 1);
    expect(delivered(server)).toBe(50_000);
  });

  it('bounds what a slow link holds by pausing the sender (back-pressure)', async () => {
    h = harness({
      heldBytesMax: 8192,
      faults: [{ type: 'bandwidth', stream: 'upstream', attributes: { rate: 1 } }],
    });
    const { client, server } = await h.open();
    const data = pattern(64 * 1024);
    let refused = 0;
    for (let i = 0; i < 64; i++) {
      if (!client.socket.write(data.subarray(i * 1024, (i + 1) * 1024))) refused++;
    }
    let heldMax = 0;
    for (let t = 0; t < 70; t++) {
      await step(h.clock, 1000);
      heldMax = Math.max(heldMax, h.link.counters().bytesHeld);
    }
    expect(refused).toBeGreaterThan(0);
    expect(heldMax).toBeLessThanOrEqual(8192 + 1024);
    expect(h.link.counters().backpressurePauses).toBeGreaterThan(0);
    expect(h.connectionEvents.some((e) => e.kind === 'backpressure')).toBe(true);
    expect(bytesOf(server).equals(data)).toBe(true);
  });
});
