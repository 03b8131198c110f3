/**
 * Properties over random traffic on every technology: energy never decreases and is never
 * negative, time in states sums to the elapsed time, per-state joules sum to the total, and
 * neither queries nor a listener change the answer (the radio is lazy, not sampled); the
 * total without the breakdown (energyJoules) is snapshot's, bit for bit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { Radio, radioModel, type Direction } from '../../../src/main/engine/energy';

interface Step {
  gapMs: number;
  direction: Direction;
  bytes: number;
  durationMs: number;
  queryAfterMs: number;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  gapMs: fc.oneof(
    fc.integer({ min: 0, max: 40_000 }),
    fc.double({ min: 0, max: 500, noNaN: true }),
  ),
  direction: fc.constantFrom<Direction>('up', 'down'),
  bytes: fc.integer({ min: 0, max: 2_000_000 }),
  durationMs: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 3000, noNaN: true })),
  queryAfterMs: fc.double({ min: 0, max: 30_000, noNaN: true }),
});
const techArb = fc.constantFrom('lte', '3g', 'wifi');

/** The most power any state of the model draws (bound for the sanity check below). */
const MAX_WATTS = { lte: 1.68, '3g': 0.7, wifi: 0.403 } as const;
const ALPHA_MAX_W_PER_MBPS = 0.43839;
/** Answers reached by different sums may differ in the last bits of a double. */
const EPS_J = 1e-12;

describe('energy properties', () => {
  it('is monotonic in time, never negative, and adds up (time and per-state joules)', () => {
    fc.assert(
      fc.property(techArb, fc.array(stepArb, { maxLength: 30 }), (tech, steps) => {
        const clock = new VirtualClock(0);
        const radio = new Radio({ model: radioModel(tech), clock, onStateChange: () => {} });
        let atMs = 0;
        let bits = 0;
        let lastJ = 0;
        const check = (untilMs: number): number => {
          const snap = radio.snapshot(untilMs);
          // The sampler's total (no maps) is snapshot's to the last bit: a sample rounds it.
          expect(radio.energyJoules(untilMs)).toBe(snap.energyJoules);
          expect(snap.energyJoules).toBeGreaterThanOrEqual(0);
          const timeMs = Object.values(snap.timeMsByState).reduce((x, y) => x + y, 0);
          expect(timeMs).toBeCloseTo(untilMs, 6);
          const sumJ = Object.values(snap.energyJoulesByState).reduce((x, y) => x + y, 0);
          expect(sumJ).toBeCloseTo(snap.energyJoules, 9);
          for (const j of Object.values(snap.energyJoulesByState))
            expect(j).toBeGreaterThan(-EPS_J);
          const boundJ = (MAX_WATTS[tech] * untilMs) / 1000 + (ALPHA_MAX_W_PER_MBPS * bits) / 1e6;
          expect(snap.energyJoules).toBeLessThanOrEqual(boundJ + 1e-9);
          return snap.energyJoules;
        };
        for (const step of steps) {
          atMs += step.gapMs;
          clock.runUntil(atMs);
          const beforeJ = check(atMs);
          expect(beforeJ).toBeGreaterThanOrEqual(lastJ - EPS_J);
          radio.traffic(step.direction, step.bytes, atMs, step.durationMs);
          bits += step.bytes * 8;
          // Traffic changes the future only: the energy up to its own instant stays put.
          expect(Math.abs(check(atMs) - beforeJ)).toBeLessThanOrEqual(EPS_J);
          // Ahead of the next traffic, E(t) never decreases; asking twice changes nothing.
          lastJ = beforeJ;
          for (const aheadMs of [0, step.queryAfterMs / 3, step.queryAfterMs, step.queryAfterMs]) {
            const j = check(atMs + aheadMs);
            expect(j).toBeGreaterThanOrEqual(lastJ - EPS_J);
            lastJ = j;
          }
          lastJ = beforeJ;
        }
        expect(check(atMs + 60_000)).toBeGreaterThanOrEqual(lastJ - EPS_J);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same joules with or without queries, timers and a listener', () => {
    fc.assert(
      fc.property(techArb, fc.array(stepArb, { maxLength: 30 }), (tech, steps) => {
        const clockA = new VirtualClock(0);
        const busy = new Radio({ model: radioModel(tech), clock: clockA, onStateChange: () => {} });
        const quiet = new Radio({ model: radioModel(tech), clock: new VirtualClock(0) });
        let atMs = 0;
        for (const step of steps) {
          atMs += step.gapMs;
          clockA.runUntil(atMs);
          busy.energyJoules(atMs);
          busy.traffic(step.direction, step.bytes, atMs, step.durationMs);
          quiet.traffic(step.direction, step.bytes, atMs, step.durationMs);
          busy.timeInStates(atMs + step.queryAfterMs);
        }
        const endMs = atMs + 60_000;
        clockA.runUntil(endMs);
        expect(busy.energyJoules(endMs)).toBeCloseTo(quiet.energyJoules(endMs), 9);
        expect(busy.stateAt(endMs)).toBe('idle');
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the total exact when chunks overflow the data-window bound', () => {
    const run = (dataWindowCountMax: number): number => {
      const radio = new Radio({
        model: radioModel('lte'),
        clock: new VirtualClock(0),
        dataWindowCountMax,
      });
      for (let i = 0; i < 500; i++) radio.traffic(i % 2 ? 'up' : 'down', 1500, 300 + i * 0.1);
      return radio.energyJoules(20_000);
    };
    expect(run(2)).toBeCloseTo(run(1024), 9);
  });
});
