import 'uplot/dist/uPlot.min.css';
import { memo, useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { formatLabTime } from '../../../../shared/format';

export interface ChartSeries {
  label: string;
  /** A CSS custom property of the theme, e.g. '--ok'. */
  color: string;
  dash?: number[];
}

interface Props {
  title: string;
  testId: string;
  series: readonly ChartSeries[];
  /** [seconds since start, ...one array per series]. */
  data: uPlot.AlignedData;
  /** Text under the title with the latest values. */
  readout: string;
}

const HEIGHT = 180;

function options(el: HTMLElement, series: readonly ChartSeries[], width: number): uPlot.Options {
  // Theme colours are light-dark() pairs: let the browser resolve one through a probe
  // element (the raw custom property would hand the canvas an unresolved light-dark()).
  const probe = el.ownerDocument.createElement('span');
  el.appendChild(probe);
  const color = (name: string): string => {
    probe.style.color = `var(${name}, #888)`;
    return getComputedStyle(probe).color || '#888';
  };
  const axis: uPlot.Axis = {
    stroke: color('--muted'),
    grid: { stroke: color('--border'), width: 1 },
    ticks: { stroke: color('--border'), width: 1 },
  };
  // Every colour below is read synchronously while building the options; then it goes.
  queueMicrotask(() => probe.remove());
  return {
    width,
    height: HEIGHT,
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: false },
      // Counts start at zero; a flat zero line sits at the bottom.
      y: { range: (_, _min, max) => [0, Math.max(1, max * 1.1)] },
    },
    axes: [{ ...axis, values: (_, ticks) => ticks.map((s) => formatLabTime(s * 1000)) }, axis],
    series: [
      { label: 'lab time', value: (_, v) => (v === null ? '—' : formatLabTime(v * 1000)) },
      ...series.map((s) => ({
        label: s.label,
        stroke: color(s.color),
        width: 1.5,
        spanGaps: false,
        ...(s.dash ? { dash: s.dash } : {}),
      })),
    ],
  };
}

/** One uPlot chart: created once, fed with setData, resized with its box, destroyed on unmount. */
export const Chart = memo(function Chart({ title, testId, series, data, readout }: Props) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);

  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const u = new uPlot(options(el, series, Math.max(200, el.clientWidth)), latest.current, el);
    plot.current = u;
    const resize = new ResizeObserver(() =>
      u.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // The series are fixed for a chart's life; data arrives through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    latest.current = data;
    plot.current?.setData(data);
  }, [data]);

  return (
    <section className="panel metric-chart" data-testid={testId} aria-label={title}>
      <h2>
        {title} <span className="count">{readout}</span>
      </h2>
      <div ref={holder} className="metric-plot" />
    </section>
  );
});
