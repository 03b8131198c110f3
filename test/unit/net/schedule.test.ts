import { afterEach, describe, expect, it } from 'vitest';
import { harness, step, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h.link.close();
});

const toggles = (hh: Harness) =>
  hh.faultEvents
    .filter((e) => e.change === 'activated' || e.change === 'deactivated')
    .map((e) => [e.change, e.atMs]);

describe('fault schedules', () => {
  it('follows a timeline of windows in ms since the link started', async () => {
    h = harness({
      faults: [
        {
          type: 'latency',
          attributes: { latency: 10 },
          schedule: {
            kind: 'timeline',
            windows: [
              { fromMs: 100, toMs: 200 },
              { fromMs: 300, toMs: 400 },
            ],
          },
        },
      ],
    });
    expect(h.link.state()).toBe('up');
    expect(h.link.faults()[0]!.active).toBe(false);
    await step(h.clock, 1000);
    expect(toggles(h)).toEqual([
      ['activated', 100],
      ['deactivated', 200],
      ['activated', 300],
      ['deactivated', 400],
    ]);
    expect(h.stateEvents.map((e) => [e.state, e.atMs])).toEqual([
      ['impaired', 100],
      ['up', 200],
      ['impaired', 300],
      ['up', 400],
    ]);
    expect(h.clock.nextAt()).toBeNull();
  });

  it('starts inside a window when added late, and a connection open meanwhile gets the stage', async () => {
    h = harness();
    const { client, server } = await h.open();
    await step(h.clock, 150);
    h.link.addFault({
      type: 'latency',
      stream: 'upstream',
      attributes: { latency: 10 },
      schedule: { kind: 'timeline', windows: [{ fromMs: 100, toMs: 200 }] },
    });
    expect(h.link.faults()[0]!.active).toBe(true);
    client.socket.write('x');
    await step(h.clock, 10);
    expect(server.received.map((r) => r.atMs)).toEqual([160]);
  });

  it('flips by a seeded Markov process: same seed, same times; long-run share on ≈ on/(on+off)', async () => {
    const spec = {
      type: 'outage',
      attributes: { mode: 'blackhole' },
      schedule: { kind: 'markov', onMeanMs: 1000, offMeanMs: 3000 },
    };
    const run = async (seed: number) => {
      const hh = harness({ seed, faults: [spec] });
      await step(hh.clock, 2_000_000);
      await hh.link.close();
      return hh;
    };
    const a = await run(42);
    const b = await run(42);
    const c = await run(43);
    h = a;
    expect(toggles(a)).toEqual(toggles(b));
    expect(toggles(a)).not.toEqual(toggles(c));
    let onMs = 0;
    let since = 0;
    for (const [change, at] of toggles(a) as [string, number][]) {
      if (change === 'activated') since = at;
      else onMs += at - since;
    }
    expect(onMs / 2_000_000).toBeGreaterThan(0.2);
    expect(onMs / 2_000_000).toBeLessThan(0.3);
    expect(a.stateEvents.filter((e) => e.state === 'down').length).toBeGreaterThan(300);
  });

  it('stops a schedule when its fault is removed', async () => {
    h = harness({
      faults: [
        {
          type: 'outage',
          name: 'flappy',
          schedule: { kind: 'markov', onMeanMs: 10, offMeanMs: 10 },
        },
      ],
    });
    await step(h.clock, 100);
    h.link.removeFault('flappy');
    expect(h.clock.nextAt()).toBeNull();
    expect(h.link.state()).toBe('up');
  });
});
