/**
 * LTE idle: 43 ms paging pulses at 0.594 W every 1.28 s, and 0 W between them (ARO's P_IDLE:
 * the phone's own base power is not the radio's, so it is left out; see docs/energy.md).
 * The pulses are exact, not averaged: a query can land in the middle of one.
 */
import { describe, expect, it } from 'vitest';
import { LTE, LTE_BUSY_MS, radioAt0 } from './anchors';

const HOUR_MS = 3_600_000;
const PERIOD_MS = LTE.pagingPeriodS * 1000;
const PULSE_J = LTE.pagingS * LTE.pagingW; // 0.025542 J

describe('LTE idle paging', () => {
  it('an idle hour costs 2813 pulses of 43 ms × 0.594 W (pulses at 0, 1.28 s, …, 3599.36 s)', () => {
    const { radio } = radioAt0('lte');
    const pulses = Math.floor((HOUR_MS - 1) / PERIOD_MS) + 1;
    expect(pulses).toBe(2813);
    expect(radio.energyJoules(HOUR_MS)).toBeCloseTo(pulses * PULSE_J, 6); // 71.849646 J
    // Within a pulse of the mean-power figure, 3600 s × 0.043 × 0.594 / 1.28 = 71.837 J.
    const meanJ = (HOUR_MS / PERIOD_MS) * PULSE_J;
    expect(Math.abs(radio.energyJoules(HOUR_MS) - meanJ)).toBeLessThan(PULSE_J);
    expect(radio.timeInStates(HOUR_MS)).toEqual({
      idle: HOUR_MS,
      promotion: 0,
      connected: 0,
      shortDrx: 0,
      longDrx: 0,
    });
  });

  it('counts part of a pulse when the query or a state change cuts it', () => {
    const { radio } = radioAt0('lte', { pagingOffsetMs: 1000 }); // pulses at 1000, 2280, …
    expect(radio.energyJoules(1000)).toBe(0);
    expect(radio.energyJoules(1010)).toBeCloseTo(0.01 * LTE.pagingW, 9);
    // Traffic at 1020 cuts the pulse at 20 ms; the promotion takes over.
    radio.traffic('down', 100, 1020);
    expect(radio.energyJoules(1020)).toBeCloseTo(0.02 * LTE.pagingW, 9);
  });

  it('keeps the paging grid fixed across a connection', () => {
    const { radio } = radioAt0('lte');
    radio.traffic('down', 0, 0); // zero bytes still promote: the radio does not look inside
    // idle again at 10380; pulses at 10240 (over), 11520, 12800 → two in [10380, 13000]
    const tailJ = radio.energyJoules(LTE_BUSY_MS);
    expect(radio.energyJoules(13_000) - tailJ).toBeCloseTo(2 * PULSE_J, 9);
  });
});
