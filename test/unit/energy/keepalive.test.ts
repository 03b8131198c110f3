/**
 * The ntfy vs autopush comparison (anchors.md): a keepalive every 45 s or every 300 s on LTE,
 * for a day. Both periods exceed the LTE cycle (10.38 s), so every keepalive pays a promotion
 * and a full tail; between them the radio pages in idle.
 */
import { describe, expect, it } from 'vitest';
import { DAY_MS, KEEPALIVE_BYTES, LTE, LTE_BUSY_MS, dataJoules, keepaliveDay } from './anchors';

/** One keepalive: promotion + continuous reception + α·bits + short and long DRX. */
const KEEPALIVE_J =
  LTE.promotionS * LTE.promotionW +
  LTE.inactivityS * LTE.betaW +
  dataJoules(LTE.alphaUpWPerMbps, KEEPALIVE_BYTES) +
  dataJoules(LTE.alphaDownWPerMbps, KEEPALIVE_BYTES) +
  (LTE.shortDrxS + LTE.longDrxS) * LTE.tailW;
const PAGING_MEAN_W = (LTE.pagingS * LTE.pagingW) / LTE.pagingPeriodS; // 0.0199547 W

/** The analytic day: N keepalives + idle time at the mean paging power. */
function analyticDayJ(periodMs: number): number {
  const count = DAY_MS / periodMs;
  const idleS = (DAY_MS - count * LTE_BUSY_MS) / 1000;
  return count * KEEPALIVE_J + idleS * PAGING_MEAN_W;
}

/** The same day with every paging pulse counted one by one against the idle gaps. */
function pulseByPulseDayJ(periodMs: number): number {
  const pulseMs = LTE.pagingS * 1000;
  const pagingPeriodMs = LTE.pagingPeriodS * 1000;
  let pagingMs = 0;
  for (let startMs = 0; startMs < DAY_MS; startMs += pagingPeriodMs) {
    const cycleStartMs = Math.floor(startMs / periodMs) * periodMs;
    const idleFromMs = cycleStartMs + LTE_BUSY_MS;
    const idleToMs = Math.min(cycleStartMs + periodMs, DAY_MS);
    pagingMs += Math.max(0, Math.min(startMs + pulseMs, idleToMs) - Math.max(startMs, idleFromMs));
  }
  return (DAY_MS / periodMs) * KEEPALIVE_J + (pagingMs / 1000) * LTE.pagingW;
}

describe('keepalives on LTE for a day: every 45 s (ntfy) vs every 300 s (autopush)', () => {
  const ntfy = keepaliveDay('lte', 45_000).radio.energyJoules(DAY_MS);
  const autopush = keepaliveDay('lte', 300_000).radio.energyJoules(DAY_MS);

  it('matches the closed form to a part in 10⁴ (the rest is where pulses fall)', () => {
    expect(ntfy / analyticDayJ(45_000) - 1).toBeCloseTo(0, 4);
    expect(autopush / analyticDayJ(300_000) - 1).toBeCloseTo(0, 4);
    const ratio = analyticDayJ(45_000) / analyticDayJ(300_000);
    expect(ratio).toBeCloseTo(4.652, 3);
    expect(ntfy / autopush / ratio - 1).toBeCloseTo(0, 4);
  });

  it('matches a pulse-by-pulse count of idle paging to 1e-6 J', () => {
    expect(ntfy).toBeCloseTo(pulseByPulseDayJ(45_000), 6);
    expect(autopush).toBeCloseTo(pulseByPulseDayJ(300_000), 6);
  });

  it('spends the day as the schedule says: 1920 vs 288 cycles of 10.38 s', () => {
    const times = keepaliveDay('lte', 45_000).radio.timeInStates(DAY_MS);
    expect(times.longDrx).toBe(1920 * LTE.longDrxS * 1000);
    expect(times.promotion).toBeCloseTo(1920 * LTE.promotionS * 1000, 6);
    expect(Object.values(times).reduce((a, b) => a + b, 0)).toBeCloseTo(DAY_MS, 6);
  });
});
