import { afterEach, describe, expect, it } from 'vitest';
import { bytesOf, harness, pattern, step, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h.link.close();
});

describe('slicer', () => {
  it('cuts the stream into slices of average ± variation bytes, `delay` µs apart', async () => {
    h = harness({
      faults: [
        {
          type: 'slicer',
          stream: 'upstream',
          attributes: { average_size: 100, size_variation: 20, delay: 1000 },
        },
      ],
    });
    const { client, server } = await h.open();
    const data = pattern(3000);
    client.socket.write(data);
    await step(h.clock, 100);
    const sizes = server.received.map((r) => r.data.length);
    expect(bytesOf(server).equals(data)).toBe(true);
    sizes.slice(0, -1).forEach((n) => {
      expect(n).toBeGreaterThanOrEqual(80);
      expect(n).toBeLessThanOrEqual(120);
    });
    expect(sizes.at(-1)!).toBeLessThanOrEqual(120);
    expect(new Set(sizes).size).toBeGreaterThan(5);
    server.received.forEach((r, i) => expect(r.atMs).toBe(i)); // 1000 µs apart
  });

  it('applies a new slice size to the bytes still held', async () => {
    h = harness({
      faults: [
        { type: 'slicer', stream: 'upstream', attributes: { average_size: 100, delay: 1000 } },
      ],
    });
    const { client, server } = await h.open();
    client.socket.write(pattern(1000));
    await step(h.clock, 2); // slices at 0, 1, 2 ms
    h.link.updateFault('slicer_upstream', { attributes: { average_size: 10 } });
    await step(h.clock, 100);
    const sizes = server.received.map((r) => r.data.length);
    expect(sizes.slice(0, 3)).toEqual([100, 100, 100]);
    expect(sizes.slice(3).every((n) => n === 10)).toBe(true);
    expect(bytesOf(server).length).toBe(1000);
  });
});
