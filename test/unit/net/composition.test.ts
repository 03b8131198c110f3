import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/main/engine/rng/rng';
import { bytesOf, harness, pattern, step, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h.link.close();
});

describe('stages composed', () => {
  it('keep both byte streams intact while faults are stacked, changed and removed mid-flow', async () => {
    h = harness({
      heldBytesMax: 16 * 1024,
      faults: [
        { type: 'latency', stream: 'both', attributes: { latency: 40, jitter: 30 } },
        {
          type: 'slicer',
          stream: 'both',
          attributes: { average_size: 300, size_variation: 200, delay: 500 },
        },
        { type: 'loss', attributes: { p: 0.05, r: 0.5, h: 0.2, segment_size: 500 } },
        { type: 'bandwidth', stream: 'both', attributes: { rate: 200 } },
      ],
    });
    const { client, server } = await h.open();
    const up = pattern(200_000, 1);
    const down = pattern(150_000, 2);
    const script = new Rng('composition');
    let sentUp = 0;
    let sentDown = 0;
    for (let t = 0; t < 400; t++) {
      if (sentUp < up.length) {
        const n = 1 + script.int(2000);
        client.socket.write(up.subarray(sentUp, sentUp + n));
        sentUp = Math.min(up.length, sentUp + n);
      }
      if (sentDown < down.length) {
        const n = 1 + script.int(1500);
        server.socket.write(down.subarray(sentDown, sentDown + n));
        sentDown = Math.min(down.length, sentDown + n);
      }
      if (t === 100) h.link.updateFault('latency_both', { attributes: { latency: 5, jitter: 0 } });
      if (t === 150) h.link.removeFault('slicer_both');
      if (t === 200) h.link.addFault({ type: 'timeout', stream: 'upstream' });
      if (t === 230) h.link.removeFault('timeout_upstream');
      if (t === 260) h.link.updateFault('bandwidth_both', { attributes: { rate: 50 } });
      if (t === 300) h.link.removeFault('loss_both');
      await step(h.clock, 1 + script.int(20));
    }
    for (let i = 0; i < 200 && h.link.counters().bytesHeld > 0; i++) await step(h.clock, 1000);
    await step(h.clock, 60_000);
    expect(bytesOf(server).equals(up)).toBe(true);
    expect(bytesOf(client).equals(down)).toBe(true);
    expect(h.link.counters()).toMatchObject({
      bytesUpDelivered: up.length,
      bytesDownDelivered: down.length,
      bytesHeld: 0,
      bytesDropped: 0,
    });
    expect(h.link.counters().chunksStalled).toBeGreaterThan(0);
    expect(h.link.counters().backpressurePauses).toBeGreaterThan(0);
  });
});
