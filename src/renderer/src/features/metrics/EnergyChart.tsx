/**
 * Joules per device class, live: polls the engine's energy meter once a second while a
 * scenario run is shown (the sandbox lab meters no radios) and draws one line per class.
 */
import { useEffect, useMemo, useState } from 'react';
import type uPlot from 'uplot';
import { selectActions, selectRun, selectStartTime, useLab } from '../../store';
import { Chart, type ChartSeries } from './Chart';
import { addSample, EMPTY_ENERGY, type EnergySeries } from './energy-series';

const COLORS = ['--accent', '--ok', '--warn', '--info', '--bad', '--neutral'];
const POLL_MS = 1000;

export function EnergyChart() {
  const { call } = useLab(selectActions);
  const run = useLab(selectRun);
  const startT = useLab(selectStartTime);
  const epoch = run?.epoch ?? 0;
  const metered = run?.mode === 'run';
  const [series, setSeries] = useState<EnergySeries>(EMPTY_ENERGY);

  useEffect(() => {
    setSeries(EMPTY_ENERGY);
    if (!metered) return;
    let alive = true;
    const poll = async () => {
      const result = await call({ type: 'energy' });
      if (alive && result.ok) setSeries((s) => addSample(s, result.value, startT));
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [call, epoch, metered, startT]);

  const chartSeries = useMemo<ChartSeries[]>(
    () =>
      series.classes.map((name, i) => ({
        label: `${name} J/device`,
        color: COLORS[i % COLORS.length]!,
      })),
    [series.classes],
  );
  const data = useMemo(
    () => [series.t, ...series.perDevice] as unknown as uPlot.AlignedData,
    [series],
  );
  if (!metered) return null;
  const latest = series.classes
    .map((name, i) => `${name} ${series.perDevice[i]?.at(-1)?.toFixed(1) ?? '—'} J`)
    .join(' · ');
  return (
    <Chart
      // A class that appears later needs a chart with one more series.
      key={series.classes.join('|')}
      title="Energy per device"
      testId="metric-energy"
      series={chartSeries}
      data={data}
      readout={latest || 'waiting for the meter…'}
    />
  );
}
