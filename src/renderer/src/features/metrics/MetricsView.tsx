import { useMemo } from 'react';
import type uPlot from 'uplot';
import type { Counters } from '../../../../shared/model';
import type { LabState } from '../../store';
import { selectLabPace, useLabThrottled } from '../../store';
import { estimateLabNow, useLocalNow } from '../messages/useLabNow';
import { formatCount, formatDuration } from '../../../../shared/format';
import { formatChartValue } from './axis';
import { bucketEvents, BUCKET_MS, BUCKETS_MAX, extendTo, type MetricSeries } from './bucket';
import { Chart, type ChartSeries } from './Chart';
import { EnergyChart } from './EnergyChart';

/**
 * How often the charts follow the store. They plot one point per second of lab time, so a
 * few updates a second show everything, and spare recounting the event ring and redrawing
 * every chart on each frame while events stream.
 */
export const METRICS_REFRESH_MS = 250;

const selectLab = (s: LabState): LabState => s;

const DELIVERIES: readonly ChartSeries[] = [{ label: 'deliveries', color: '--ok' }];
const LATENCY: readonly ChartSeries[] = [
  { label: 'p50', color: '--info' },
  { label: 'p99', color: '--warn' },
];
const QUEUE: readonly ChartSeries[] = [
  { label: 'outstanding', color: '--accent' },
  { label: 'connections', color: '--ok', dash: [4, 3] },
];
const LOSSES: readonly ChartSeries[] = [
  { label: 'expired', color: '--bad' },
  { label: 'dropped', color: '--neutral' },
];

const last = <T,>(values: readonly T[]): T | undefined => values[values.length - 1];
/** The newest value that is not null (latency is null in seconds without deliveries). */
const lastDefined = (values: readonly (number | null)[]): number | null =>
  values.findLast((v) => v !== null) ?? null;

/** The window every chart covers: "last 5 min", from the buckets it keeps. */
const WINDOW = `last ${formatDuration(BUCKETS_MAX * BUCKET_MS)}`;

/** Each chart's header: what it shows, in which unit, over which window. */
export const METRIC_TITLES = {
  deliveries: `Deliveries (per second, ${WINDOW})`,
  latency: `Delivery latency, accepted → first delivery (p50 and p99 of each second, ${WINDOW})`,
  queue: `Outstanding messages and connected agents (count at each second, ${WINDOW})`,
  losses: `Expired and dropped (per second, ${WINDOW})`,
} as const;

/**
 * The losses chart's readout: totals from the model's counters, the numbers the counter
 * strip shows (not the last second's bucket, which reads 0 as soon as a second is quiet).
 */
export function lossesReadout(counters: Pick<Counters, 'expired' | 'dropped'>): string {
  return `${formatCount(counters.expired)} expired · ${formatCount(counters.dropped)} dropped in all`;
}

function useSeries(): { series: MetricSeries; counters: Counters } {
  const lab = useLabThrottled(selectLab, METRICS_REFRESH_MS);
  const { recentEvents: events, model, modelAt } = lab;
  const startT = model.startT ?? 0;
  const { subscriptions, agents, messages } = model;
  const outstandingNow = useMemo(() => {
    let n = 0;
    subscriptions.forEach((s) => (n += s.outstanding));
    return n;
  }, [subscriptions]);
  const connectionsNow = useMemo(() => {
    let n = 0;
    agents.forEach((a) => (n += a.connected ? 1 : 0));
    return n;
  }, [agents]);
  const series = useMemo(
    () =>
      bucketEvents(events, startT, {
        outstandingNow,
        connectionsNow,
        acceptedAt: (id) => messages.get(id)?.acceptedAt,
      }),
    [events, startT, outstandingNow, connectionsNow, messages],
  );
  // Quiet seconds still move the charts: empty buckets up to the lab's estimated now (which
  // stands still at a travelled moment or a paused run).
  const pace = selectLabPace(lab);
  const local = useLocalNow(pace > 0);
  const labNow = estimateLabNow(model.t, modelAt, pace, local);
  const nowSecond = Math.floor((labNow - startT) / BUCKET_MS);
  const extended = useMemo(() => extendTo(series, nowSecond), [series, nowSecond]);
  return { series: extended, counters: model.counters };
}

/** Live charts over the last five minutes of lab time, one point per second. */
export function MetricsView() {
  const { series: s, counters } = useSeries();
  const data = useMemo(
    () => ({
      deliveries: [s.t, s.deliveries] as uPlot.AlignedData,
      latency: [s.t, s.p50, s.p99] as uPlot.AlignedData,
      queue: [s.t, s.outstanding, s.connections] as uPlot.AlignedData,
      losses: [s.t, s.expired, s.dropped] as uPlot.AlignedData,
    }),
    [s],
  );
  return (
    <main className="metrics-view">
      <Chart
        title={METRIC_TITLES.deliveries}
        testId="metric-deliveries"
        unit="perSecond"
        series={DELIVERIES}
        data={data.deliveries}
        readout={`now ${formatChartValue('perSecond', last(s.deliveries))}`}
      />
      <Chart
        title={METRIC_TITLES.latency}
        testId="metric-latency"
        unit="ms"
        series={LATENCY}
        data={data.latency}
        readout={`last p50 ${formatChartValue('ms', lastDefined(s.p50))} · p99 ${formatChartValue('ms', lastDefined(s.p99))}`}
      />
      <Chart
        title={METRIC_TITLES.queue}
        testId="metric-queue"
        unit="count"
        series={QUEUE}
        data={data.queue}
        readout={`${formatChartValue('count', last(s.outstanding))} outstanding · ${formatChartValue('count', last(s.connections))} connected`}
      />
      <Chart
        title={METRIC_TITLES.losses}
        testId="metric-losses"
        unit="perSecond"
        series={LOSSES}
        data={data.losses}
        readout={lossesReadout(counters)}
      />
      <EnergyChart />
    </main>
  );
}
