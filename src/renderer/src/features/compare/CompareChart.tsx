/** The comparison over lab time: one series per profile, deliveries per bucket or joules. */
import { useMemo, useState } from 'react';
import type { CompareResult } from '../../../../shared/workbench';
import { formatCount, formatRemaining } from '../../../../shared/format';
import { Chart } from '../metrics/Chart';
import { chartData, chartSeries, hasJoules, type ChartMode } from './compare-chart';
import { formatFigure } from './compare-table';

export function CompareChart({ result }: { result: CompareResult }) {
  const [mode, setMode] = useState<ChartMode>('deliveries');
  const energy = hasJoules(result);
  const shown: ChartMode = energy ? mode : 'deliveries';
  const series = useMemo(() => chartSeries(result), [result]);
  const data = useMemo(() => chartData(result, shown), [result, shown]);
  const totals = result.rows
    .map(
      (r) =>
        `${r.profile} ${shown === 'deliveries' ? formatCount(r.delivered) : formatFigure(r.joulesTotal, 'J')}`,
    )
    .join(' · ');
  return (
    <div className="compare-chart" data-testid="compare-chart" data-mode={shown}>
      <label className="compare-toggle">
        <input
          type="checkbox"
          data-testid="compare-joules"
          checked={shown === 'joules'}
          disabled={!energy}
          onChange={(e) => setMode(e.target.checked ? 'joules' : 'deliveries')}
        />
        Cumulative joules{energy ? '' : ' (no radio energy in this scenario)'}
      </label>
      {/* A new chart when the series change: Chart keeps its series for its life. */}
      <Chart
        key={`${shown}:${series.map((s) => s.label).join(',')}`}
        title={
          shown === 'deliveries'
            ? `Deliveries (per ${formatRemaining(result.bucketMs)} of lab time)`
            : 'Energy (joules, cumulative, all radios)'
        }
        unit={shown === 'deliveries' ? 'count' : 'J'}
        testId="compare-plot"
        series={series}
        data={data}
        readout={totals}
      />
    </div>
  );
}
