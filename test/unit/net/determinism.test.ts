import { describe, expect, it } from 'vitest';
import { harness, pattern, step } from './harness';

/** Runs 30 connections through toxicity-0.5 latency and a lossy upstream; returns what happened. */
async function run(seed: number) {
  const h = harness({
    seed,
    faults: [
      {
        type: 'latency',
        toxicity: 0.5,
        stream: 'upstream',
        attributes: { latency: 20, jitter: 10 },
      },
      { type: 'loss', stream: 'upstream', attributes: { p: 0.05, r: 0.5, segment_size: 100 } },
    ],
  });
  const arrivals: number[][] = [];
  for (let i = 0; i < 30; i++) {
    const { client, server } = await h.open();
    client.socket.write(pattern(1000, i));
    await step(h.clock, 10_000);
    arrivals.push(server.received.map((r) => r.atMs));
  }
  const withLatency = h.link
    .connections()
    .filter((c) => c.faults.includes('latency_upstream'))
    .map((c) => c.id);
  const stalled = h.link.counters().chunksStalled;
  await h.link.close();
  return { withLatency, arrivals, stalled };
}

describe('seeded fault decisions', () => {
  it('makes the same decisions for the same seed and different ones for another', async () => {
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(b).toEqual(a);
    expect(a.withLatency.length).toBeGreaterThan(5);
    expect(a.withLatency.length).toBeLessThan(25);
    expect(a.stalled).toBeGreaterThan(0);
    expect(c.withLatency).not.toEqual(a.withLatency);
    expect(c.arrivals).not.toEqual(a.arrivals);
  });
});
