import { afterEach, describe, expect, it } from 'vitest';
import {
  GilbertElliott,
  gilbertElliottLossRate,
  type GilbertElliottParams,
} from '../../../src/main/engine/net';
import { Rng } from '../../../src/main/engine/rng/rng';
import { bytesOf, harness, pattern, settle, step, type Harness } from './harness';

describe('Gilbert-Elliott model', () => {
  const SEGMENTS = 200_000;
  const cases: [string, GilbertElliottParams, number][] = [
    ['bursty', { p: 0.01, r: 0.1, h: 0.3, k: 0.995 }, 0.01],
    ['simple Gilbert (h=0, k=1)', { p: 0.02, r: 0.25, h: 0, k: 1 }, 0.01],
    ['Bernoulli 2 % (Comcast mapping)', { p: 0, r: 1, h: 0.98, k: 0.98 }, 0.002],
  ];
  it.each(cases)('%s: long-run loss matches p/(p+r)(1−h) + r/(p+r)(1−k)', (_, params, tol) => {
    const model = new GilbertElliott(params);
    const rng = new Rng('ge-long-run');
    let lost = 0;
    for (let i = 0; i < SEGMENTS; i++) if (model.lose(rng)) lost++;
    const expected = gilbertElliottLossRate(params);
    expect(Math.abs(lost / SEGMENTS - expected)).toBeLessThan(tol);
  });

  it('has mean burst length 1/r when every bad-state segment is lost', () => {
    const model = new GilbertElliott({ p: 0.01, r: 0.2, h: 0, k: 1 });
    const rng = new Rng(7);
    let bursts = 0;
    let lost = 0;
    let inBurst = false;
    for (let i = 0; i < 200_000; i++) {
      const l = model.lose(rng);
      if (l) lost++;
      if (l && !inBurst) bursts++;
      inBurst = l;
    }
    expect(lost / bursts).toBeGreaterThan(4.5);
    expect(lost / bursts).toBeLessThan(5.5);
  });
});

let h: Harness;
afterEach(async () => {
  await h?.link.close();
});

describe('loss on a byte stream', () => {
  it('turns a lost segment into a retransmission stall of `rto` ms that holds the bytes behind it', async () => {
    // p = r = 1, h = 0, k = 1: good and bad alternate, so the 1st segment goes through, the
    // 2nd is lost once (its retransmission lands in the good state), and so on.
    h = harness({
      faults: [
        {
          type: 'loss',
          stream: 'upstream',
          attributes: { p: 1, r: 1, h: 0, k: 1, segment_size: 100, rto: 200 },
        },
      ],
    });
    const { client, server } = await h.open();
    const data = pattern(300);
    client.socket.write(data);
    await settle();
    expect(server.received.map((r) => [r.atMs, r.data.length])).toEqual([[0, 100]]);
    await step(h.clock, 199);
    expect(server.received.length).toBe(1);
    await step(h.clock, 1);
    expect(server.received.map((r) => [r.atMs, r.data.length])).toEqual([
      [0, 100],
      [200, 200],
    ]);
    expect(bytesOf(server).equals(data)).toBe(true);
    expect(h.link.counters().chunksStalled).toBe(1);
  });

  it('doubles the timeout for each further loss of the same segment', async () => {
    h = harness({
      faults: [
        { type: 'loss', stream: 'upstream', attributes: { p: 0.3, r: 0.5, segment_size: 1000 } },
      ],
    });
    const { client, server } = await h.open();
    const sentAt: number[] = [];
    for (let i = 0; i < 300; i++) {
      sentAt.push(h.clock.now());
      client.socket.write(Buffer.from([i & 0xff]));
      await step(h.clock, 1_000_000); // longer than any stall: no chunk waits behind another
    }
    const stalls = server.received.map((r, i) => r.atMs - sentAt[i]!);
    // 0, 200, 200+400, 200+400+800, … with each timeout capped at 120 s.
    const allowed = [0];
    for (let i = 0, rto = 200; i < 15; i++, rto = Math.min(rto * 2, 120_000)) {
      allowed.push(allowed.at(-1)! + rto);
    }
    expect(stalls.filter((s) => !allowed.includes(s))).toEqual([]);
    expect(stalls).toContain(200);
    expect(stalls).toContain(600);
    expect(bytesOf(server).length).toBe(300);
  });

  it('resets the connection after 15 failed retransmissions', async () => {
    h = harness({ faults: [{ type: 'loss', stream: 'upstream', attributes: { p: 0, k: 0 } }] });
    const { client, server } = await h.open();
    client.socket.write('doomed');
    await settle();
    expect(client.error?.code).toBe('ECONNRESET');
    expect(server.received).toEqual([]);
    expect(h.connectionEvents.at(-1)).toMatchObject({ kind: 'reset', reason: 'loss' });
  });
});
