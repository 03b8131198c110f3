/** The one formatting module: each rule of src/shared/format.ts, and properties over all numbers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatDurationPair,
  formatJoules,
  formatLabClock,
  formatLabOffset,
  formatLabTime,
  formatPercent,
  formatRate,
  formatRemaining,
  formatSignificant,
  formatUtc,
  NO_VALUE,
} from '../../../src/shared/format';

describe('formatCount', () => {
  it('groups thousands with commas, whatever the locale', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(12345.6)).toBe('12,346');
    expect(formatCount(-1234567)).toBe('-1,234,567');
    expect(formatCount(1234.5678, 2)).toBe('1,234.57');
    expect(formatCount(-0.4)).toBe('0');
    expect(formatCount(Number.NaN)).toBe(NO_VALUE);
  });
});

describe('formatSignificant', () => {
  it('keeps three significant digits, no exponent, no trailing zeros', () => {
    expect(formatSignificant(282.533203125)).toBe('283');
    expect(formatSignificant(10431.695963)).toBe('10,432');
    expect(formatSignificant(1.5)).toBe('1.5');
    expect(formatSignificant(10)).toBe('10');
    expect(formatSignificant(0.04567)).toBe('0.0457');
    expect(formatSignificant(0.0000001234)).toBe('0.000000123');
    expect(formatSignificant(-2.345)).toBe('-2.35');
    expect(formatSignificant(0)).toBe('0');
  });
});

describe('formatDuration', () => {
  it('writes each duration in the unit a person reads', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(0.82)).toBe('0.82 ms');
    expect(formatDuration(282.533203125)).toBe('283 ms');
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(292_516)).toBe('4.88 min');
    expect(formatDuration(1_158_692)).toBe('19.3 min');
    expect(formatDuration(1_009_772.821)).toBe('16.8 min');
    expect(formatDuration(7_200_000)).toBe('2 h');
    expect(formatDuration(86_400_000)).toBe('24 h');
    expect(formatDuration(3 * 86_400_000)).toBe('3 d');
  });

  it('rounds before it picks the unit', () => {
    expect(formatDuration(999.7)).toBe('1 s');
    expect(formatDuration(59_990)).toBe('1 min');
  });

  it('never writes an exponent, NaN or a bare number', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e12, noNaN: true }), (ms) => {
        const text = formatDuration(ms);
        expect(text).toMatch(/^[\d,]+(\.\d+)? (ms|s|min|h|d)$/);
        // Three significant digits at most (a whole number of more digits is kept whole).
        const digits = text.replace(/[^\d]/g, '').replace(/^0+/, '');
        if (!/^[\d,]{5,} /.test(text)) expect(digits.length).toBeLessThanOrEqual(3);
      }),
    );
  });
});

describe('formatDurationPair', () => {
  it('adds digits only when three would hide a difference', () => {
    expect(formatDurationPair(282.533, 1500)).toEqual(['283 ms', '1.5 s']);
    expect(formatDurationPair(282.533, 282.871)).toEqual(['282.5 ms', '282.9 ms']);
    expect(formatDurationPair(292_516, 292_517)).toEqual(['4.87527 min', '4.87528 min']);
    expect(formatDurationPair(5, 5)).toEqual(['5 ms', '5 ms']);
  });

  it('reads two different durations differently whenever six digits tell them apart', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 1e9 }), (a, d) => {
        const [ta, tb] = formatDurationPair(a, a + d);
        if (formatDuration(a, 6) !== formatDuration(a + d, 6)) expect(ta).not.toBe(tb);
      }),
    );
  });
});

describe('lab time', () => {
  it('writes a position as mm:ss.s, with hours from the first hour on', () => {
    expect(formatLabTime(0)).toBe('00:00.0');
    expect(formatLabTime(83_456)).toBe('01:23.4');
    expect(formatLabTime(3_683_456)).toBe('1:01:23.4');
    expect(formatLabTime(-5)).toBe('00:00.0');
    expect(formatLabOffset(5_023_456)).toBe('+1:23:43.4');
  });

  it('writes a running clock to the millisecond', () => {
    expect(formatLabClock(192_450)).toBe('00:03:12.450');
    expect(formatLabClock(100 * 3_600_000)).toBe('100:00:00.000');
    expect(formatLabClock(Number.NaN)).toBe('00:00:00.000');
  });

  it('writes what is left', () => {
    expect(formatRemaining(3400)).toBe('3.4 s');
    expect(formatRemaining(42_000)).toBe('42 s');
    expect(formatRemaining(307_000)).toBe('5 m 07 s');
    expect(formatRemaining(7_500_000)).toBe('2 h 05 m');
    expect(formatRemaining(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
    expect(formatRemaining(-1)).toBe('0 s');
  });

  it('writes a wall-clock instant in UTC with its date', () => {
    expect(formatUtc(Date.UTC(2026, 11, 7, 11, 30, 12, 999))).toBe('2026-12-07 11:30:12 UTC');
    expect(formatUtc(Number.NaN)).toBe(NO_VALUE);
  });
});

describe('quantities', () => {
  it('writes bytes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1,023 B');
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(2048)).toBe('2 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3.21 * 1024 * 1024)).toBe('3.21 MiB');
    expect(formatBytes(1024 * 1024 - 1)).toBe('1 MiB');
    expect(formatBytes(5 * 1024 ** 4)).toBe('5 TiB');
  });

  it('writes energy in mJ, J or kJ', () => {
    expect(formatJoules(0)).toBe('0 J');
    expect(formatJoules(0.85)).toBe('850 mJ');
    expect(formatJoules(0.9996)).toBe('1 J');
    expect(formatJoules(12.345)).toBe('12.3 J');
    expect(formatJoules(10431.695963)).toBe('10.4 kJ');
  });

  it('writes rates', () => {
    expect(formatRate(8122.4, 'msg')).toBe('8,122 msg/s');
    expect(formatRate(0.5)).toBe('0.5/s');
  });
});

describe('formatPercent', () => {
  it('writes a share, and never rounds a loss away', () => {
    expect(formatPercent(1)).toBe('100.0%');
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatPercent(0.995)).toBe('99.5%');
    expect(formatPercent(0.99996)).toBe('>99.9%');
    expect(formatPercent(0.00001)).toBe('<0.1%');
    expect(formatPercent(0.5, 0)).toBe('50%');
    expect(formatPercent(0.9999, 0)).toBe('>99%');
    expect(formatPercent(null)).toBe(NO_VALUE);
  });

  it('reads 100% only when the share is exactly 1', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (share) => {
        expect(formatPercent(share) === '100.0%').toBe(share === 1);
        expect(formatPercent(share) === '0.0%').toBe(share === 0);
      }),
    );
  });
});
