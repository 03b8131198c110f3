/**
 * How Push Lab writes a number for a person: one module for every view, the HTML report, the
 * diff, the CLI and CSV headers, so "p50 282.533203125 ms" in one place and "283 ms" in
 * another cannot happen. Pure and locale-free (the lab's output is the same on every
 * machine and in every test): thousands are grouped with a comma, decimals use a point.
 *
 * The rules:
 * - durations in the unit a person reads: ms below a second, then s, min, h, d;
 * - three significant digits for measured quantities (latency, energy, bytes), whole numbers
 *   for counts; never an exponent, never a trailing ".0";
 * - lab time as an offset from the run's start (`+01:23.4`, `+1:01:23.4`), a wall-clock date
 *   only where it matters (when a recording was made), always in UTC;
 * - a share that is not exactly 0 or 1 never reads as 0 % or 100 %.
 * Machine-readable output (CSV cells, JSON) keeps raw integers with the unit in the header.
 */

const MS_PER_S = 1000;
const MS_PER_MIN = 60_000;
const MS_PER_H = 3_600_000;
const MS_PER_D = 86_400_000;

/** What a missing value reads as. */
export const NO_VALUE = '—';

/** Digits grouped by three with commas; `12345.6` → `12,346` unless `decimals` is given. */
export function formatCount(n: number, decimals = 0): string {
  if (!Number.isFinite(n)) return NO_VALUE;
  const fixed = Math.abs(n).toFixed(decimals);
  const [whole = '0', fraction] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = n < 0 && Number(fixed) !== 0 ? '-' : '';
  return `${sign}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/**
 * `digits` significant digits without an exponent or trailing zeros: 282.5332 → `283`,
 * 0.04567 → `0.0457`, 12345 → `12,345` (a whole number of four or more digits is kept whole).
 */
export function formatSignificant(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return NO_VALUE;
  if (n === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(n)));
  if (magnitude >= digits - 1) return formatCount(Math.round(n));
  const decimals = Math.min(20, digits - 1 - magnitude);
  // toFixed, not toPrecision: toPrecision writes small numbers with an exponent.
  const text = formatCount(n, decimals);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** A duration in the unit a person reads: `850 ms`, `1.5 s`, `4.88 min`, `19.3 h`, `2.5 d`. */
export function formatDuration(ms: number, digits = 3): string {
  if (!Number.isFinite(ms)) return NO_VALUE;
  // Rounded first, so 999.7 ms reads `1 s`, not `1,000 ms`.
  const abs = Math.abs(roundTo(ms, digits));
  if (abs < MS_PER_S) return `${formatSignificant(ms, digits)} ms`;
  if (abs < MS_PER_MIN) return `${formatSignificant(ms / MS_PER_S, digits)} s`;
  if (abs < MS_PER_H) return `${formatSignificant(ms / MS_PER_MIN, digits)} min`;
  if (abs < 2 * MS_PER_D) return `${formatSignificant(ms / MS_PER_H, digits)} h`;
  return `${formatSignificant(ms / MS_PER_D, digits)} d`;
}

/**
 * Two durations compared side by side (a diff, a before → after): as `formatDuration`, with
 * more significant digits (up to 6) when three would make two different values read the same:
 * `283 ms → 283 ms` says nothing changed, `282.53 ms → 282.87 ms` says what did.
 */
export function formatDurationPair(a: number, b: number): [string, string] {
  for (let digits = 3; digits < 6; digits += 1) {
    const pair: [string, string] = [formatDuration(a, digits), formatDuration(b, digits)];
    if (a === b || pair[0] !== pair[1]) return pair;
  }
  return [formatDuration(a, 6), formatDuration(b, 6)];
}

/** `mm:ss.s`, or `h:mm:ss.s` from an hour on: a position in lab time. Negative reads as 0. */
export function formatLabTime(ms: number): string {
  const totalTenths = Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 100)) : 0;
  const tenths = totalTenths % 10;
  const totalSeconds = Math.floor(totalTenths / 10);
  const s = totalSeconds % 60;
  const m = Math.floor(totalSeconds / 60) % 60;
  const h = Math.floor(totalSeconds / 3600);
  const mmss = `${pad2(m)}:${pad2(s)}.${tenths}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** Lab time from the run's start, marked as an offset: `+01:23.4`, `+1:01:23.4`. */
export function formatLabOffset(ms: number): string {
  return `+${formatLabTime(ms)}`;
}

/** A running clock to the millisecond, `HH:MM:SS.mmm` (hours keep growing past 99). */
export function formatLabClock(ms: number): string {
  const total = Number.isFinite(ms) ? Math.max(0, Math.floor(ms)) : 0;
  const millis = total % 1000;
  const seconds = Math.floor(total / 1000) % 60;
  const minutes = Math.floor(total / 60_000) % 60;
  const hours = Math.floor(total / 3_600_000);
  return `${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${String(millis).padStart(3, '0')}`;
}

/** Time left, to the second that matters: `3.4 s`, `42 s`, `5 m 07 s`, `2 h 05 m`, `3 d 4 h`. */
export function formatRemaining(ms: number): string {
  if (!(ms > 0)) return '0 s';
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  const whole = Math.floor(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)} m ${pad2(whole % 60)} s`;
  const minutes = Math.floor(whole / 60);
  if (whole < 86_400) return `${Math.floor(minutes / 60)} h ${pad2(minutes % 60)} m`;
  return `${Math.floor(whole / 86_400)} d ${Math.floor((whole % 86_400) / 3600)} h`;
}

/** A wall-clock instant where the date matters, in UTC: `2026-12-07 11:30:12 UTC`. */
export function formatUtc(epochMs: number): string {
  if (!Number.isFinite(epochMs)) return NO_VALUE;
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

const BYTE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `512 B`, `1.5 KiB`, `3.21 MiB`: binary units, three significant digits. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return NO_VALUE;
  if (Math.abs(bytes) < 1023.5) return `${formatCount(Math.round(bytes))} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (Math.abs(value) >= 1023.5 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${formatSignificant(value)} ${BYTE_UNITS[unit]}`;
}

/** Energy: `850 mJ`, `12.3 J`, `10.4 kJ` (three significant digits). */
export function formatJoules(joules: number): string {
  if (!Number.isFinite(joules)) return NO_VALUE;
  const abs = Math.abs(roundTo(joules, 3));
  if (abs > 0 && abs < 1) return `${formatSignificant(joules * 1000)} mJ`;
  if (abs < 1000) return `${formatSignificant(joules)} J`;
  return `${formatSignificant(joules / 1000)} kJ`;
}

/**
 * A share (0…1) as a percentage to `decimals` places: `99.5%`. A share strictly between 0
 * and 1 never rounds to `0%` or `100%` (it reads `<0.1%`, `>99.9%`): "100% delivered" must
 * mean nothing was lost. `null` (no denominator) reads as the missing value.
 */
export function formatPercent(share: number | null, decimals = 1): string {
  if (share === null || !Number.isFinite(share)) return NO_VALUE;
  const step = 10 ** -decimals;
  const percent = share * 100;
  const text = (n: number) => n.toFixed(decimals);
  if (share > 0 && share < 1) {
    if (Number(text(percent)) >= 100) return `>${text(100 - step)}%`;
    if (Number(text(percent)) <= 0) return `<${text(step)}%`;
  }
  return `${text(percent)}%`;
}

/** A rate per second: `8,122/s`, `0.5/s`. */
export function formatRate(perSecond: number, unit = ''): string {
  const space = unit ? ` ${unit}` : '';
  return `${formatSignificant(perSecond)}${space}/s`;
}

/** `n` rounded to `digits` significant digits. */
function roundTo(n: number, digits: number): number {
  return n === 0 ? 0 : Number(n.toPrecision(digits));
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
