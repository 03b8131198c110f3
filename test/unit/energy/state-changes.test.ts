/**
 * The listener hears every state change once, in order, at its exact model time, driven by at
 * most one clock timer per radio; without a listener the radio schedules nothing.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import {
  ENERGY_ERROR_CODES,
  EnergyError,
  Radio,
  radioModel,
} from '../../../src/main/engine/energy';
import { radioAt0 } from './anchors';

type Change = [string, string, number];

function listening(name: string) {
  const changes: Change[] = [];
  const { clock, radio } = radioAt0(name, {
    onStateChange: (from, to, atMs) => changes.push([from, to, atMs]),
  });
  return { clock, radio, changes };
}

describe('state changes', () => {
  it('LTE: idle → promotion → connected → short DRX → long DRX → idle, on time', () => {
    const { clock, radio, changes } = listening('lte');
    radio.traffic('down', 300, 0);
    expect(changes).toEqual([['idle', 'promotion', 0]]);
    expect(clock.pendingCount()).toBe(1);
    clock.advance(359);
    expect(changes.at(-1)).toEqual(['promotion', 'connected', 260]);
    clock.advance(1);
    expect(changes.at(-1)).toEqual(['connected', 'shortDrx', 360]);
    clock.runUntil(20_000);
    expect(changes).toEqual([
      ['idle', 'promotion', 0],
      ['promotion', 'connected', 260],
      ['connected', 'shortDrx', 360],
      ['shortDrx', 'longDrx', 380],
      ['longDrx', 'idle', 10_380],
    ]);
    expect(clock.pendingCount()).toBe(0);
  });

  it('keeps at most one timer per radio however much traffic arrives', () => {
    const { clock, radio } = listening('lte');
    for (let atMs = 0; atMs < 5000; atMs += 10) {
      clock.runUntil(atMs);
      radio.traffic(atMs % 20 === 0 ? 'up' : 'down', 1500, atMs);
      expect(clock.pendingCount()).toBeLessThanOrEqual(1);
    }
  });

  it('schedules no timer at all without a listener', () => {
    const { clock, radio } = radioAt0('lte');
    radio.traffic('down', 300, 0);
    expect(clock.pendingCount()).toBe(0);
    expect(radio.stateAt(5000)).toBe('longDrx');
  });

  it('3G: traffic in FACH goes through a promotion back to DCH', () => {
    const { clock, radio, changes } = listening('3g');
    radio.traffic('down', 300, 0);
    clock.runUntil(8000);
    radio.traffic('up', 100, 8000);
    clock.runUntil(60_000);
    expect(changes).toEqual([
      ['idle', 'promotion', 0],
      ['promotion', 'dch', 2000],
      ['dch', 'fach', 7000],
      ['fach', 'promotion', 8000],
      ['promotion', 'dch', 9500],
      ['dch', 'fach', 14_500],
      ['fach', 'idle', 26_500],
    ]);
  });

  it('WiFi: a chunk in the tail is not reported as a blip through active', () => {
    const { clock, radio, changes } = listening('wifi');
    radio.traffic('down', 300, 0);
    radio.traffic('up', 200, 0);
    clock.runUntil(100);
    radio.traffic('up', 200, 100);
    clock.runUntil(1000);
    expect(changes).toEqual([
      ['idle', 'active', 0],
      ['active', 'tail', 0],
      ['tail', 'idle', 350],
    ]);
  });

  it('refuses traffic or queries before what it already accounted or reported', () => {
    const { clock, radio } = listening('lte');
    radio.traffic('down', 300, 1000);
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (error) {
        return error instanceof EnergyError ? error.code : 'other';
      }
      return undefined;
    };
    expect(code(() => radio.traffic('down', 1, 999))).toBe(ENERGY_ERROR_CODES.TIME_ORDER);
    expect(code(() => radio.energyJoules(999))).toBe(ENERGY_ERROR_CODES.TIME_ORDER);
    clock.runUntil(20_000); // the listener has heard long DRX → idle at 11380
    expect(code(() => radio.traffic('down', 1, 11_000))).toBe(ENERGY_ERROR_CODES.TIME_ORDER);
    expect(code(() => radio.traffic('down', -1, 20_000))).toBe(ENERGY_ERROR_CODES.BAD_TRAFFIC);
    expect(code(() => radio.traffic('down', 1, 20_000, NaN))).toBe(ENERGY_ERROR_CODES.BAD_TRAFFIC);
    expect(code(() => radio.traffic('down', 1, 20_000))).toBeUndefined();
  });

  it('dispose cancels the pending timer', () => {
    const { clock, radio, changes } = listening('lte');
    radio.traffic('down', 300, 0);
    radio.dispose();
    clock.runUntil(20_000);
    expect(changes).toEqual([['idle', 'promotion', 0]]);
  });
});

describe('state changes around time zero', () => {
  it('reports a change due exactly at 0 ms on a clock that starts before it', () => {
    const changes: string[] = [];
    const clock = new VirtualClock(-260);
    const radio = new Radio({
      model: radioModel('lte'),
      clock,
      onStateChange: (from, to, atMs) => changes.push(`${from}>${to}@${atMs}`),
    });
    radio.traffic('down', 100, -260);
    clock.runUntil(0);
    expect(changes).toEqual(['idle>promotion@-260', 'promotion>connected@0']);
  });
});
