/**
 * Pins every number in the tables of docs/energy.md: if the model or its parameters change,
 * this fails and the doc gets updated with it. Rounded as printed there.
 */
import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  LTE_BUSY_MS,
  UMTS_BUSY_MS,
  WIFI_BUSY_MS,
  isolatedPush,
  keepaliveDay,
  radioAt0,
} from './anchors';

const round = (value: number, digits: number): number => Number(value.toFixed(digits));
const IDLE_MEAN_W = { lte: (0.043 * 0.594) / 1.28, '3g': 0, wifi: 0.02 };

describe('docs/energy.md model outputs', () => {
  it('one isolated push (300 B down, 200 B up): total until idle, and above idle', () => {
    const rows = [
      ['lte', LTE_BUSY_MS],
      ['3g', UMTS_BUSY_MS],
      ['wifi', WIFI_BUSY_MS],
    ] as const;
    const table = rows.map(([name, busyMs]) => {
      const joules = isolatedPush(name).energyJoules(busyMs);
      return [name, round(joules, 4), round(joules - (IDLE_MEAN_W[name] * busyMs) / 1000, 4)];
    });
    expect(table).toEqual([
      ['lte', 11.0566, 10.8495],
      ['3g', 8.76, 8.76],
      ['wifi', 0.1008, 0.0958],
    ]);
    expect(round(isolatedPush('lte', { drxWakeups: true }).energyJoules(LTE_BUSY_MS), 4)).toBe(
      11.3679,
    );
  });

  it('a day of keepalives (100 B each way) every 45 s and every 300 s', () => {
    const day = (name: string, periodMs: number): number =>
      round(keepaliveDay(name, periodMs).radio.energyJoules(DAY_MS), 1);
    expect([day('lte', 45_000), day('lte', 300_000)]).toEqual([22_554.2, 4_848.5]);
    expect(round(day('lte', 45_000) / day('lte', 300_000), 2)).toBe(4.65);
    expect([day('3g', 45_000), day('3g', 300_000)]).toEqual([16_819.2, 2_522.9]);
    expect([day('wifi', 45_000), day('wifi', 300_000)]).toEqual([1_911.8, 1_755.6]);
    expect(round(radioAt0('lte').radio.energyJoules(DAY_MS), 1)).toBe(1_724.1); // idle only
  });

  it("the seed's claims on LTE: a stale message, and acks sent straight to the app server", () => {
    const pushJ = isolatedPush('lte').energyJoules(LTE_BUSY_MS);
    // A second (stale) message 5 s after the first, inside the tail.
    const { radio: stale } = radioAt0('lte');
    stale.traffic('down', 300, 0);
    stale.traffic('up', 200, 260);
    stale.traffic('down', 300, 5000);
    stale.traffic('up', 200, 5000);
    expect(round(stale.energyJoules(5000 + 10_120) - pushJ, 2)).toBe(5.04);
    // After the push, a new connection to the application server: 3 round trips.
    const direct = (rttMs: number): number => {
      const { radio } = radioAt0('lte');
      radio.traffic('down', 300, 0);
      let atMs = radio.traffic('up', 200, 260);
      for (let i = 0; i < 3; i++) {
        radio.traffic('up', 200, atMs);
        atMs += rttMs;
        radio.traffic('down', 300, atMs);
      }
      return round(radio.energyJoules(atMs + 10_120) - pushJ, 2);
    };
    expect([direct(70), direct(150)]).toEqual([0.25, 0.52]);
  });
});
