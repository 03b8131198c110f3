/**
 * Where the HTML report's latency histogram puts its bars and labels. The page has no script
 * to measure text, so a label's width is estimated from its characters at the report's 10 px
 * font (digits are at most 0.6 em wide in system-ui); from that, bars are made wide enough for
 * their counts and every k-th bin edge is labelled so that no two axis labels overlap.
 */
import { formatCount, formatDuration } from '../../../shared/format';
import type { HistogramBin } from './latency';

/** The SVG's font size, px (report-html.ts's CSS says the same). */
export const HISTOGRAM_FONT_PX = 10;
/** An upper bound of one character's width at that size, px. */
const CHAR_PX = HISTOGRAM_FONT_PX * 0.6;
const BAR_MIN_PX = 22;
const GAP_PX = 2;
/** Space kept between two labels, px. */
const LABEL_SPACE_PX = 6;
const PLOT_H = 80;
const TOP_PX = 12;

export interface HistogramLabel {
  x: number;
  text: string;
  /** Estimated width, px. */
  width: number;
}

export interface HistogramLayout {
  width: number;
  height: number;
  bars: { x: number; y: number; width: number; height: number; count: string; range: string }[];
  /** Every `step`-th bin's lower edge, left-aligned at it; the first bin always. */
  axis: HistogramLabel[];
  /** Count labels above the bars that have any, centred on the bar, baseline at `y`. */
  counts: (HistogramLabel & { y: number })[];
  step: number;
  /** Baseline of the axis labels. */
  axisY: number;
}

/** Estimated width of `text` at the histogram's font, px. */
export function labelWidth(text: string): number {
  return Math.ceil(text.length * CHAR_PX);
}

export function histogramLayout(bins: readonly HistogramBin[]): HistogramLayout {
  const countTexts = bins.map((b) => formatCount(b.count));
  const barW = Math.max(BAR_MIN_PX, ...countTexts.map((t) => labelWidth(t) + 2));
  const pitch = barW + GAP_PX;
  const edgeTexts = bins.map((b) => formatDuration(b.fromMs));
  const widest = Math.max(0, ...edgeTexts.map(labelWidth));
  const step = Math.max(1, Math.ceil((widest + LABEL_SPACE_PX) / pitch));
  const top = Math.max(1, ...bins.map((b) => b.count));
  const bars = bins.map((b, i) => {
    const height = Math.round((b.count / top) * PLOT_H);
    return {
      x: GAP_PX + i * pitch,
      y: TOP_PX + PLOT_H - height,
      width: barW,
      height,
      count: countTexts[i]!,
      range: `${formatDuration(b.fromMs)}–${formatDuration(b.toMs)}`,
    };
  });
  const axis = bars
    .map((bar, i) => ({ x: bar.x, text: edgeTexts[i]!, width: labelWidth(edgeTexts[i]!) }))
    .filter((_, i) => i % step === 0);
  const counts = bars
    .filter((_, i) => bins[i]!.count > 0)
    .map((bar) => ({
      x: bar.x + barW / 2,
      y: bar.y - 2,
      text: bar.count,
      width: labelWidth(bar.count),
    }));
  const plotW = bins.length * pitch + GAP_PX;
  const lastLabel = axis.at(-1);
  const width = Math.max(plotW, lastLabel ? lastLabel.x + lastLabel.width : 0) + GAP_PX;
  const height = TOP_PX + PLOT_H + 18;
  return { width, height, bars, axis, counts, step, axisY: height - 4 };
}
