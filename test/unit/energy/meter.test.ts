/** The fleet meter adds radios up per device, class and state, and per delivered message. */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import {
  ENERGY_ERROR_CODES,
  EnergyMeter,
  Radio,
  radioModel,
} from '../../../src/main/engine/energy';
import { LTE_BUSY_MS, WIFI, isolatedPush } from './anchors';

describe('EnergyMeter', () => {
  it('reports totals per device, per class and per technology.state', () => {
    const clock = new VirtualClock(0);
    const meter = new EnergyMeter({ clock });
    const phoneA = new Radio({ model: radioModel('lte'), clock });
    const phoneB = new Radio({ model: radioModel('lte'), clock });
    const sensor = new Radio({ model: radioModel('wifi'), clock });
    meter.add('a', 'phone', phoneA);
    meter.add('b', 'phone', phoneB);
    meter.add('s', 'sensor', sensor);
    phoneA.traffic('down', 300, 0);
    phoneA.traffic('up', 200, 260);
    meter.delivered('a');
    meter.delivered('a');
    clock.runUntil(LTE_BUSY_MS);

    const report = meter.report();
    const pushJ = isolatedPush('lte').energyJoules(LTE_BUSY_MS);
    const deviceA = report.devices.find((d) => d.deviceId === 'a')!;
    expect(deviceA.joules).toBeCloseTo(pushJ, 9);
    expect(deviceA.joulesPerDeliveredMessage).toBeCloseTo(pushJ / 2, 9);
    expect(deviceA.byState.longDrx!.durationMs).toBe(10_000);
    expect(report.devices.find((d) => d.deviceId === 'b')!.joulesPerDeliveredMessage).toBeNull();

    const phoneJ = phoneA.energyJoules(LTE_BUSY_MS) + phoneB.energyJoules(LTE_BUSY_MS);
    expect(report.byClass.phone!.joules).toBeCloseTo(phoneJ, 9);
    expect(report.byClass.phone!.deviceCount).toBe(2);
    expect(report.byClass.phone!.joulesPerDeliveredMessage).toBeCloseTo(phoneJ / 2, 9);
    expect(report.byClass.sensor!.joules).toBeCloseTo((WIFI.idleW * LTE_BUSY_MS) / 1000, 9);
    expect(report.total.joules).toBeCloseTo(phoneJ + report.byClass.sensor!.joules, 9);
    expect(report.total.byState['lte.longDrx']!.durationMs).toBe(10_000);
    expect(report.total.byState['wifi.idle']!.durationMs).toBe(LTE_BUSY_MS);
    const stateSumJ = Object.values(report.total.byState).reduce((s, v) => s + v.joules, 0);
    expect(stateSumJ).toBeCloseTo(report.total.joules, 9);
  });

  it('refuses duplicates, unknown devices and devices past its bound', () => {
    const clock = new VirtualClock(0);
    const meter = new EnergyMeter({ clock, deviceCountMax: 1 });
    const radio = (): Radio => new Radio({ model: radioModel('3g'), clock });
    meter.add('a', 'x', radio());
    expect(() => meter.add('a', 'x', radio())).toThrow(
      expect.objectContaining({ code: ENERGY_ERROR_CODES.BAD_DEVICE }),
    );
    expect(() => meter.add('b', 'x', radio())).toThrow(
      expect.objectContaining({ code: ENERGY_ERROR_CODES.LIMIT }),
    );
    expect(() => meter.delivered('zz')).toThrow(
      expect.objectContaining({ code: ENERGY_ERROR_CODES.BAD_DEVICE }),
    );
    expect(meter.radio('a')).toBeInstanceOf(Radio);
  });
});
