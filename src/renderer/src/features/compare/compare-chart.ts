/** The Compare chart's data: one series per profile over lab time, in uPlot's layout. Pure. */
import type uPlot from 'uplot';
import type { Profile } from '../../../../shared/events';
import type { CompareResult } from '../../../../shared/workbench';
import type { ChartSeries } from '../metrics/Chart';

export type ChartMode = 'deliveries' | 'joules';

/** A theme colour per profile (CSS custom properties of styles.css). */
export const PROFILE_COLORS: Readonly<Record<Profile, string>> = {
  rfc8030: '--accent',
  'draft-thomson': '--warn',
  'draft-damaggio': '--ok',
};

export function chartSeries(result: CompareResult): ChartSeries[] {
  return result.rows.map((r) => ({ label: r.profile, color: PROFILE_COLORS[r.profile] }));
}

/** Some run has energy figures to chart. */
export const hasJoules = (result: CompareResult): boolean =>
  result.rows.some((r) => r.joulesSeries.length > 0);

/**
 * [seconds, ...one array per profile]. Deliveries are per bucket, placed at the bucket's
 * start; cumulative joules are at each bucket's end. Shorter series are padded with null.
 */
export function chartData(result: CompareResult, mode: ChartMode): uPlot.AlignedData {
  const series = result.rows.map((r) =>
    mode === 'deliveries' ? r.deliveredSeries : r.joulesSeries,
  );
  const length = Math.max(0, ...series.map((s) => s.length));
  const offset = mode === 'deliveries' ? 0 : 1;
  const x = Array.from({ length }, (_, i) => ((i + offset) * result.bucketMs) / 1000);
  return [x, ...series.map((s) => Array.from({ length }, (_, i) => s[i] ?? null))];
}
