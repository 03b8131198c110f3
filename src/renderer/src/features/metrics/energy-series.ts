/**
 * Joules per device class over lab time, from the engine's energy meter (the `energy`
 * command), sampled about once a second: cumulative joules per device of each class, so a
 * phone class and a sensor class of different sizes compare. Pure; bounded.
 */
import type { EnergyNow } from '../../../../shared/workbench';

/** Samples kept (at one a second: the last ten minutes). */
export const ENERGY_SAMPLES_MAX = 600;

export interface EnergySeries {
  /** Classes in the order their series are drawn. */
  classes: readonly string[];
  /** Seconds since the run's start. */
  t: readonly number[];
  /** Joules per device, one array per class (aligned with `t`). */
  perDevice: readonly (readonly (number | null)[])[];
}

export const EMPTY_ENERGY: EnergySeries = { classes: [], t: [], perDevice: [] };

/**
 * `series` with one more sample; a sample no later than the last one replaces nothing
 * (the run is paused or travelled). New classes start with nulls for earlier samples.
 */
export function addSample(series: EnergySeries, sample: EnergyNow, startT: number): EnergySeries {
  const seconds = (sample.t - startT) / 1000;
  const lastT = series.t[series.t.length - 1];
  if (lastT !== undefined && seconds <= lastT) return series;
  const classes = [...series.classes];
  for (const name of Object.keys(sample.byClass).sort()) {
    if (!classes.includes(name)) classes.push(name);
  }
  const perDevice = classes.map((name, i) => {
    const before = series.perDevice[i] ?? series.t.map(() => null);
    const joules = sample.byClass[name];
    const devices = sample.devicesByClass[name] ?? 0;
    const value = joules === undefined || devices === 0 ? null : round(joules / devices);
    return [...before, value].slice(-ENERGY_SAMPLES_MAX);
  });
  return { classes, t: [...series.t, seconds].slice(-ENERGY_SAMPLES_MAX), perDevice };
}

const round = (value: number): number => Math.round(value * 1000) / 1000;
