/**
 * How a chart's axes read and how much room they take. A value axis writes its ticks through
 * shared/format in the chart's unit ("5 s", not "5,000"), counts tick on whole numbers only,
 * and the axis is exactly as wide as its widest label plus the tick and gap, so no label is
 * clipped at the canvas's edge — at the normal type size and the presentation mode's larger.
 */
import {
  formatCount,
  formatDuration,
  formatJoules,
  formatSignificant,
  NO_VALUE,
} from '../../../../shared/format';

/** What a chart's values are: a count, a count per second, a duration in ms, joules. */
export type ChartUnit = 'count' | 'perSecond' | 'ms' | 'J';

/** One value of the chart as a person reads it, in `unit`. */
export function formatChartValue(unit: ChartUnit, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  switch (unit) {
    case 'count':
      return formatCount(value);
    case 'perSecond':
      return `${formatSignificant(value)}/s`;
    case 'ms':
      return formatDuration(value);
    case 'J':
      return formatJoules(value);
  }
}

/** Tick steps of whole numbers (1, 2, 5, 10, …): a count axis never reads "0.5". */
export const WHOLE_INCREMENTS: readonly number[] = Array.from({ length: 30 }, (_, i) => {
  const decade = 10 ** Math.floor(i / 3);
  return [1, 2, 5][i % 3]! * decade;
});

/** Time-axis steps, s: whole seconds, then minutes and hours, so ticks read "00:05.0", not "00:07.5". */
export const TIME_INCREMENTS_S: readonly number[] = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
];

/** The widest a lab-time tick label gets below 100 h ("00:00.0" or "0:00:00.0"), for spacing. */
export const TIME_LABEL_SAMPLE = '00:00:00.0';

/** Whether ticks of `unit` must be whole numbers. */
export const wholeTicks = (unit: ChartUnit): boolean => unit === 'count' || unit === 'perSecond';

/** uPlot's default tick length and label gap, px. */
export const TICK_PX = 10;
export const GAP_PX = 5;
/** Room kept beyond the widest label, px (anti-aliasing, a minus sign's overhang). */
const SLACK_PX = 6;

/** A value axis's width for labels whose widest measures `widestPx`. */
export function valueAxisSize(widestPx: number): number {
  return Math.ceil(widestPx) + TICK_PX + GAP_PX + SLACK_PX;
}

/** The time axis's height for a font of `fontPx`. */
export function timeAxisSize(fontPx: number): number {
  return Math.ceil(fontPx * 1.25) + TICK_PX + GAP_PX + SLACK_PX;
}

/** The axis font: 6/7 of the page's root size (12 px normally, larger in presentation mode). */
export function axisFontPx(rootFontPx: number): number {
  return Math.round((rootFontPx * 6) / 7);
}
