import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RADIO_MODELS,
  ENERGY_ERROR_CODES,
  EnergyError,
  parseRadioModel,
  parseRadioModels,
  radioModel,
} from '../../../src/main/engine/energy';
import { LTE, UMTS, WIFI } from './anchors';

describe('resources/radio-models.json', () => {
  it('holds the anchor (ARO default) parameters for LTE, 3G and WiFi', () => {
    expect(radioModel('lte')).toMatchObject({
      technology: 'lte',
      promotionSeconds: LTE.promotionS,
      promotionWatts: LTE.promotionW,
      inactivityTimerSeconds: LTE.inactivityS,
      shortDrxSeconds: LTE.shortDrxS,
      shortDrxCycleSeconds: LTE.shortDrxCycleS,
      longDrxSeconds: LTE.longDrxS,
      longDrxCycleSeconds: LTE.longDrxCycleS,
      drxWakeupSeconds: LTE.drxWakeupS,
      drxWakeupWatts: LTE.drxWakeupW,
      tailWatts: LTE.tailW,
      idleWatts: 0,
      idlePagingSeconds: LTE.pagingS,
      idlePagingWatts: LTE.pagingW,
      idlePagingPeriodSeconds: LTE.pagingPeriodS,
      alphaUpMilliwattsPerMbps: LTE.alphaUpWPerMbps * 1000,
      alphaDownMilliwattsPerMbps: LTE.alphaDownWPerMbps * 1000,
      betaWatts: LTE.betaW,
    });
    expect(radioModel('3g')).toMatchObject({
      technology: '3g',
      promotionSeconds: UMTS.promotionS,
      promotionWatts: UMTS.promotionW,
      dchToFachSeconds: UMTS.dchS,
      dchWatts: UMTS.dchW,
      fachToIdleSeconds: UMTS.fachS,
      fachWatts: UMTS.fachW,
      idleWatts: 0,
    });
    expect(radioModel('wifi')).toMatchObject({
      technology: 'wifi',
      tailSeconds: WIFI.tailS,
      activeWatts: WIFI.activeW,
      tailWatts: WIFI.activeW,
      idleWatts: WIFI.idleW,
    });
    expect(DEFAULT_RADIO_MODELS.source.tool).toMatch(/ARO/);
  });

  it('refuses a bad value, naming the field, the value and what is allowed', () => {
    const bad = structuredClone(DEFAULT_RADIO_MODELS) as unknown as {
      models: { lte: Record<string, unknown> };
    };
    bad.models.lte.tailWatts = -1;
    expect(() => parseRadioModels(bad)).toThrow(/models\.lte\.tailWatts: .*>=0.*\(got -1\)/);
  });

  it('refuses unknown fields, a missing field and inconsistent timings', () => {
    const lte = radioModel('lte');
    if (lte.technology !== 'lte') throw new Error('lte model expected');
    const expectBad = (input: unknown, pattern: RegExp): void => {
      try {
        parseRadioModel(input);
        expect.unreachable('should have thrown');
      } catch (error) {
        expect(error).toBeInstanceOf(EnergyError);
        expect((error as EnergyError).code).toBe(ENERGY_ERROR_CODES.BAD_MODEL);
        expect((error as EnergyError).message).toMatch(pattern);
      }
    };
    expectBad({ ...lte, tailSeconds: 3 }, /tailSeconds/);
    const { betaWatts: _beta, ...noBeta } = lte;
    expectBad(noBeta, /betaWatts/);
    expectBad({ ...lte, idlePagingSeconds: 2 }, /idlePagingSeconds: must not exceed/);
    expectBad({ ...radioModel('3g'), promotionSeconds: 9 }, /promotionSeconds: must lie within/);
    expectBad({ ...lte, technology: '5g' }, /technology/);
  });

  it('names the known models when asked for an unknown one', () => {
    expect(() => radioModel('5g')).toThrow(/no model named "5g"; known: lte, 3g, wifi/);
  });
});
