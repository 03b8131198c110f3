/**
 * Traffic inside the tail reuses the radio's connection: no second promotion, and the tail
 * restarts from the last byte. Cheaper than two isolated pushes, by exactly what the hand sums say.
 */
import { describe, expect, it } from 'vitest';
import { LTE, LTE_BUSY_MS, PUSH_DOWN_BYTES, UMTS, dataJoules, radioAt0 } from './anchors';

describe('two transfers inside the tail share one promotion', () => {
  it('LTE: a second push 5 s after the first (in long DRX)', () => {
    const { radio } = radioAt0('lte');
    radio.traffic('down', PUSH_DOWN_BYTES, 0);
    const secondMs = 5000;
    expect(radio.stateAt(secondMs)).toBe('longDrx');
    expect(radio.traffic('down', PUSH_DOWN_BYTES, secondMs)).toBe(secondMs); // no promotion
    const endMs = secondMs + (LTE.inactivityS + LTE.shortDrxS + LTE.longDrxS) * 1000;

    // first: promotion 0–260, connected 260–360, short DRX 360–380, long DRX 380–5000
    // second: connected 5000–5100, short DRX 5100–5120, long DRX 5120–15120, then idle
    const longDrxS = (secondMs - 380) / 1000 + LTE.longDrxS;
    const shared =
      LTE.promotionS * LTE.promotionW +
      2 * (LTE.inactivityS * LTE.betaW + dataJoules(LTE.alphaDownWPerMbps, PUSH_DOWN_BYTES)) +
      2 * LTE.shortDrxS * LTE.tailW +
      longDrxS * LTE.tailW;
    const snap = radio.snapshot(endMs);
    expect(snap.energyJoules).toBeCloseTo(shared, 6);
    expect(snap.timeMsByState).toEqual({
      idle: 0,
      promotion: 260,
      connected: 200,
      shortDrx: 40,
      longDrx: 14_620,
    });

    const isolated =
      LTE.promotionS * LTE.promotionW +
      LTE.inactivityS * LTE.betaW +
      dataJoules(LTE.alphaDownWPerMbps, PUSH_DOWN_BYTES) +
      (LTE.shortDrxS + LTE.longDrxS) * LTE.tailW;
    expect(snap.energyJoules).toBeLessThan(2 * isolated);
    // What sharing saves: one promotion plus the part of the first tail that was cut short.
    expect(2 * isolated - snap.energyJoules).toBeCloseTo(
      LTE.promotionS * LTE.promotionW + ((LTE_BUSY_MS - secondMs) / 1000) * LTE.tailW,
      6,
    );
  });

  it('3G: traffic in DCH extends DCH; traffic in FACH promotes FACH→DCH (1.5 s at 0.55 W)', () => {
    const { radio } = radioAt0('3g');
    radio.traffic('down', 300, 0); // promotion 0–2000, DCH 2000–7000
    radio.traffic('up', 200, 4000); // DCH now until 9000, FACH 9000–21000
    expect(radio.stateAt(10_000)).toBe('fach');
    expect(radio.traffic('down', 300, 10_000)).toBe(11_500); // FACH→DCH promotion
    // promotion 10000–11500, DCH 11500–16500, FACH 16500–28500, idle
    const endMs = 28_500;
    const expected =
      UMTS.promotionS * UMTS.promotionW +
      7 * UMTS.dchW + // 2000–9000
      1 * UMTS.fachW + // 9000–10000
      UMTS.fachToDchS * UMTS.fachToDchW +
      UMTS.dchS * UMTS.dchW +
      UMTS.fachS * UMTS.fachW;
    expect(radio.energyJoules(endMs)).toBeCloseTo(expected, 6);
    expect(radio.timeInStates(endMs)).toEqual({
      idle: 0,
      promotion: 3500,
      dch: 12_000,
      fach: 13_000,
    });
    const isolated =
      UMTS.promotionS * UMTS.promotionW + UMTS.dchS * UMTS.dchW + UMTS.fachS * UMTS.fachW;
    expect(radio.energyJoules(endMs)).toBeLessThan(3 * isolated);
  });
});
