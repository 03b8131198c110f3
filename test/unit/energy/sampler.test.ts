/**
 * The fact sampler turns link counters and joules into events on a fixed lab-time interval:
 * only what moved since the last sample, each event bounded, nothing at all when nothing moved.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { EnergyMeter, Radio, radioModel } from '../../../src/main/engine/energy';
import {
  FactSampler,
  SAMPLE_INTERVAL_MIN_MS,
  SAMPLES_PER_RUN,
  sampleIntervalMs,
} from '../../../src/main/engine/energy/sampler';
import { Link } from '../../../src/main/engine/net/link';
import { Rng } from '../../../src/main/engine/rng/rng';
import { EventBus } from '../../../src/main/engine/trace/bus';
import { SAMPLED_DEVICES_MAX, type LabEvent } from '../../../src/shared/events';

function setup(devices: number) {
  const clock = new VirtualClock(0);
  const bus = new EventBus(clock);
  const events: LabEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const meter = new EnergyMeter({ clock });
  for (let i = 0; i < devices; i++) {
    meter.add(`d${i}`, 'phone', new Radio({ model: radioModel('lte'), clock }));
  }
  const link = new Link({ id: 'cell:d0' }, clock, new Rng(1));
  const sampler = new FactSampler({ clock, bus, meter, links: () => [link], intervalMs: 1_000 });
  return { clock, events, meter, link, sampler };
}

describe('FactSampler', () => {
  it('samples on the clock, sends a link only when its counters moved, and stops', async () => {
    const { clock, events, link, sampler } = setup(1);
    sampler.start();
    clock.runUntil(1_000);
    const first = events.filter((e) => e.kind === 'link.sampled');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ t: 1_000, counters: { 'cell:d0': { bytesUpDelivered: 0 } } });

    clock.runUntil(2_000);
    expect(events.filter((e) => e.kind === 'link.sampled')).toHaveLength(1);

    // Bytes cross the link: the next sample carries its new counters.
    const client = link.connectInMemory((server) => server.resume());
    client.write(Buffer.alloc(100));
    await new Promise((resolve) => setImmediate(resolve));
    clock.runUntil(3_000);
    const moved = events.filter((e) => e.kind === 'link.sampled').at(-1)!;
    expect(moved.t).toBe(3_000);
    expect(
      (moved as Extract<LabEvent, { kind: 'link.sampled' }>).counters['cell:d0'],
    ).toMatchObject({
      bytesUpDelivered: 100,
    });
    client.destroy();

    sampler.stop();
    const count = events.length;
    clock.runUntil(10_000);
    expect(events).toHaveLength(count);
  });

  it('splits the devices over bounded events and puts the class totals on the last', () => {
    const { clock, events, sampler } = setup(SAMPLED_DEVICES_MAX + 5);
    sampler.start();
    clock.runUntil(1_000);
    const energy = events.filter((e) => e.kind === 'energy.sampled');
    expect(energy).toHaveLength(2);
    expect(Object.keys(energy[0]!.devices)).toHaveLength(SAMPLED_DEVICES_MAX);
    expect(energy[0]!.byClass).toEqual({});
    expect(Object.keys(energy[1]!.devices)).toHaveLength(5);
    expect(energy[1]!.byClass['phone']!.devices).toBe(SAMPLED_DEVICES_MAX + 5);
    expect(energy[1]!.byClass['phone']!.joules).toBeGreaterThan(0);
  });

  it('spreads a run over a bounded number of samples, never closer than the minimum', () => {
    expect(sampleIntervalMs(86_400_000)).toBe(86_400_000 / SAMPLES_PER_RUN);
    expect(sampleIntervalMs(60_000)).toBe(SAMPLE_INTERVAL_MIN_MS);
  });
});
