/** The Metrics axes' pure parts: values in the chart's unit, whole-number ticks, room for labels. */
import { describe, expect, it } from 'vitest';
import {
  axisFontPx,
  formatChartValue,
  GAP_PX,
  TICK_PX,
  TIME_INCREMENTS_S,
  valueAxisSize,
  WHOLE_INCREMENTS,
  wholeTicks,
} from '../../../src/renderer/src/features/metrics/axis';
import { ENERGY_TITLE } from '../../../src/renderer/src/features/metrics/EnergyChart';
import { METRIC_TITLES } from '../../../src/renderer/src/features/metrics/MetricsView';

describe('metrics axes', () => {
  it('writes values in the unit a person reads, never a raw float', () => {
    expect(formatChartValue('ms', 15_000)).toBe('15 s');
    expect(formatChartValue('ms', 282.533203125)).toBe('283 ms');
    expect(formatChartValue('count', 15_000)).toBe('15,000');
    expect(formatChartValue('perSecond', 2)).toBe('2/s');
    expect(formatChartValue('J', 10431.695963)).toBe('10.4 kJ');
    expect(formatChartValue('ms', null)).toBe('—');
    expect(formatChartValue('count', Number.NaN)).toBe('—');
  });

  it('ticks counts on whole numbers and time on whole seconds', () => {
    expect(WHOLE_INCREMENTS.slice(0, 7)).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(WHOLE_INCREMENTS.every(Number.isInteger)).toBe(true);
    expect(WHOLE_INCREMENTS.at(-1)).toBeGreaterThanOrEqual(1e9);
    expect(TIME_INCREMENTS_S.every(Number.isInteger)).toBe(true);
    expect(wholeTicks('count') && wholeTicks('perSecond')).toBe(true);
    expect(wholeTicks('ms') || wholeTicks('J')).toBe(false);
  });

  it('makes a value axis wider than its widest label plus tick and gap', () => {
    expect(valueAxisSize(37.2)).toBeGreaterThan(37.2 + TICK_PX + GAP_PX);
    expect(valueAxisSize(0)).toBeGreaterThan(TICK_PX + GAP_PX);
    // Presentation mode's root size (14 px × 1.35) gives a larger axis font.
    expect(axisFontPx(14)).toBe(12);
    expect(axisFontPx(14 * 1.35)).toBeGreaterThan(15);
  });

  it('names the unit and window in every header', () => {
    expect(METRIC_TITLES.deliveries).toBe('Deliveries (per second, last 5 min)');
    expect(METRIC_TITLES.latency).toMatch(/p50 and p99 of each second, last 5 min/);
    expect(METRIC_TITLES.queue).toMatch(/count at each second/);
    expect(METRIC_TITLES.losses).toMatch(/per second/);
    expect(ENERGY_TITLE).toMatch(/joules, cumulative/);
  });
});
