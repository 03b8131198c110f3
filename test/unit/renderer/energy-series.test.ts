import { describe, expect, it } from 'vitest';
import {
  addSample,
  EMPTY_ENERGY,
  ENERGY_SAMPLES_MAX,
} from '../../../src/renderer/src/features/metrics/energy-series';

const sample = (t: number, byClass: Record<string, number>, devices = 2) => ({
  t,
  byClass,
  devicesByClass: Object.fromEntries(Object.keys(byClass).map((k) => [k, devices])),
});

describe('energy series', () => {
  it('turns cumulative joules per class into joules per device over lab seconds', () => {
    let s = addSample(EMPTY_ENERGY, sample(11_000, { 'phone-lte': 10 }), 1_000);
    s = addSample(s, sample(12_000, { 'phone-lte': 14, 'sensor-nbiot': 1 }), 1_000);
    expect(s.t).toEqual([10, 11]);
    expect(s.classes).toEqual(['phone-lte', 'sensor-nbiot']);
    expect(s.perDevice).toEqual([
      [5, 7],
      [null, 0.5],
    ]);
  });

  it('ignores a sample that is not later (paused runs), and stays bounded', () => {
    let s = addSample(EMPTY_ENERGY, sample(2_000, { a: 1 }), 0);
    expect(addSample(s, sample(2_000, { a: 5 }), 0)).toBe(s);
    for (let i = 3; i < ENERGY_SAMPLES_MAX + 50; i++)
      s = addSample(s, sample(i * 1000, { a: i }), 0);
    expect(s.t.length).toBe(ENERGY_SAMPLES_MAX);
    expect(s.perDevice[0]!.length).toBe(ENERGY_SAMPLES_MAX);
  });
});
