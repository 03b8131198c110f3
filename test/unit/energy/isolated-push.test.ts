/**
 * One small push to an idle radio, per technology, against joules computed by hand from the
 * anchor parameters: promotion + active + tail phases, each duration × power, plus α·bits on LTE.
 */
import { describe, expect, it } from 'vitest';
import {
  LTE,
  LTE_BUSY_MS,
  PUSH_DOWN_BYTES,
  PUSH_UP_BYTES,
  UMTS,
  UMTS_BUSY_MS,
  WIFI,
  WIFI_BUSY_MS,
  dataJoules,
  isolatedPush,
  radioAt0,
} from './anchors';

const J = 6; // toBeCloseTo digits: 1e-6 J

describe('one isolated small push', () => {
  it('LTE: promotion, 100 ms of continuous reception, short DRX, the 10 s tail', () => {
    const radio = isolatedPush('lte');
    const promotion = LTE.promotionS * LTE.promotionW; // 0.3146
    const connected =
      LTE.inactivityS * LTE.betaW + // 0.12
      dataJoules(LTE.alphaUpWPerMbps, PUSH_UP_BYTES) +
      dataJoules(LTE.alphaDownWPerMbps, PUSH_DOWN_BYTES);
    const shortDrx = LTE.shortDrxS * LTE.tailW; // 0.0212
    const longDrx = LTE.longDrxS * LTE.tailW; // 10.6
    const snap = radio.snapshot(LTE_BUSY_MS);
    expect(snap.energyJoules).toBeCloseTo(promotion + connected + shortDrx + longDrx, J);
    expect(snap.energyJoules).toBeCloseTo(11.056626152, J);
    expect(snap.energyJoulesByState.promotion).toBeCloseTo(promotion, J);
    expect(snap.energyJoulesByState.connected).toBeCloseTo(connected, J);
    expect(snap.energyJoulesByState.longDrx).toBeCloseTo(longDrx, J);
    expect(snap.energyJoulesByState.idle).toBe(0);
    expect(snap.timeMsByState).toEqual({
      idle: 0,
      promotion: 260,
      connected: 100,
      shortDrx: 20,
      longDrx: 10_000,
    });
    expect(snap.state).toBe('idle');
  });

  it('LTE with DRX wake-ups averaged in (ARO formula): 1.122 W short, 1.091 W long DRX', () => {
    const radio = isolatedPush('lte', { drxWakeups: true });
    const drxW = (cycleS: number): number =>
      (LTE.drxWakeupS * LTE.drxWakeupW + (cycleS - LTE.drxWakeupS) * LTE.tailW) / cycleS;
    expect(drxW(LTE.shortDrxCycleS)).toBeCloseTo(1.122, 9);
    expect(drxW(LTE.longDrxCycleS)).toBeCloseTo(1.091, 9);
    const expected =
      LTE.promotionS * LTE.promotionW +
      LTE.inactivityS * LTE.betaW +
      dataJoules(LTE.alphaUpWPerMbps, PUSH_UP_BYTES) +
      dataJoules(LTE.alphaDownWPerMbps, PUSH_DOWN_BYTES) +
      LTE.shortDrxS * drxW(LTE.shortDrxCycleS) +
      LTE.longDrxS * drxW(LTE.longDrxCycleS);
    expect(radio.energyJoules(LTE_BUSY_MS)).toBeCloseTo(expected, J);
  });

  it('3G: 2 s promotion, 5 s DCH, 12 s FACH (no throughput term)', () => {
    const radio = isolatedPush('3g');
    const expected =
      UMTS.promotionS * UMTS.promotionW + UMTS.dchS * UMTS.dchW + UMTS.fachS * UMTS.fachW;
    expect(expected).toBeCloseTo(8.76, 9);
    expect(radio.energyJoules(UMTS_BUSY_MS)).toBeCloseTo(expected, J);
    expect(radio.timeInStates(UMTS_BUSY_MS)).toEqual({
      idle: 0,
      promotion: 2000,
      dch: 5000,
      fach: 12_000,
    });
  });

  it('WiFi: no promotion, a 0.25 s tail at the active power', () => {
    const radio = isolatedPush('wifi');
    expect(radio.energyJoules(WIFI_BUSY_MS)).toBeCloseTo(WIFI.tailS * WIFI.activeW, J);
    // Idle draws its base power afterwards: one more second of idle.
    expect(radio.energyJoules(WIFI_BUSY_MS + 1000)).toBeCloseTo(
      WIFI.tailS * WIFI.activeW + 1 * WIFI.idleW,
      J,
    );
  });

  it('data waits for the promotion: readyAt is the promotion end, then now', () => {
    const { radio } = radioAt0('lte');
    expect(radio.readyAt(0)).toBe(260);
    expect(radio.traffic('down', 10, 0)).toBe(260);
    expect(radio.traffic('down', 10, 100)).toBe(260); // still promoting
    expect(radio.traffic('up', 10, 300)).toBe(300); // connected
    expect(radio.readyAt(5000)).toBe(5000); // long DRX resumes at once
    expect(radio.readyAt(LTE_BUSY_MS + 40 + 1000)).toBe(LTE_BUSY_MS + 40 + 1000 + 260);
  });

  it('a transfer that takes time on the air holds the active state for its duration', () => {
    const { radio } = radioAt0('lte');
    radio.traffic('down', 125_000, 0, 1000); // 1 Mbit in 1 s after promotion
    const snap = radio.snapshot(260 + 1000 + LTE_BUSY_MS - 260);
    expect(snap.timeMsByState.connected).toBeCloseTo(1000 + 100, 9);
    expect(snap.energyJoulesByState.connected).toBeCloseTo(
      1.1 * LTE.betaW + LTE.alphaDownWPerMbps * 1,
      J,
    );
  });
});
