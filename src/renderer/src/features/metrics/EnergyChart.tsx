/**
 * Joules per device class over lab time, from the model the store shows (`energy`, folded
 * from the engine's `energy.sampled` events): live it follows the lab, travelling it ends at
 * the moment shown, and an opened recording has it too. One line per class.
 */
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { selectEnergy, selectRun, selectStartTime, useLab } from '../../store';
import { formatChartValue } from './axis';
import { Chart, type ChartSeries } from './Chart';

/** The energy chart's header: what it shows and in which unit. */
export const ENERGY_TITLE = 'Energy per device (joules, cumulative since the start)';

const COLORS = ['--accent', '--ok', '--warn', '--info', '--bad', '--neutral'];

export function EnergyChart() {
  const run = useLab(selectRun);
  const energy = useLab(selectEnergy);
  const startT = useLab(selectStartTime);

  const chartSeries = useMemo<ChartSeries[]>(
    () =>
      energy.classes.map((name, i) => ({
        label: `${name} per device`,
        color: COLORS[i % COLORS.length]!,
      })),
    [energy.classes],
  );
  const data = useMemo(
    () =>
      [
        energy.t.map((t) => (t - startT) / 1000),
        ...energy.perDevice,
      ] as unknown as uPlot.AlignedData,
    [energy, startT],
  );
  // The sandbox meters nothing; a scenario without radios says so rather than wait.
  if (run === null || run.mode === 'sandbox') return null;
  if (energy.classes.length === 0) {
    return (
      <section className="panel metric-chart" data-testid="metric-energy" aria-label="Energy">
        <h2>{ENERGY_TITLE}</h2>
        <p className="muted">
          No radio metered yet: the energy chart follows devices with a radio model (a user agent or
          device group&apos;s <code>radio</code>).
        </p>
      </section>
    );
  }
  const latest = energy.classes
    .map((name, i) => `${name} ${formatChartValue('J', energy.perDevice[i]?.at(-1))}`)
    .join(' · ');
  return (
    // `contents`: the chart stays a cell of the metrics grid; the wrapper only says how far
    // the series reaches (lab time of its last sample).
    <div data-testid="energy-series" data-last-t={energy.t.at(-1)} style={{ display: 'contents' }}>
      <Chart
        // A class that appears later needs a chart with one more series.
        key={energy.classes.join('|')}
        title={ENERGY_TITLE}
        testId="metric-energy"
        unit="J"
        series={chartSeries}
        data={data}
        readout={latest}
      />
    </div>
  );
}
