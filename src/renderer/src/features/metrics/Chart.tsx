import 'uplot/dist/uPlot.min.css';
import { memo, useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import { formatLabTime } from '../../../../shared/format';
import {
  axisFontPx,
  formatChartValue,
  GAP_PX,
  TIME_INCREMENTS_S,
  TIME_LABEL_SAMPLE,
  timeAxisSize,
  valueAxisSize,
  WHOLE_INCREMENTS,
  wholeTicks,
  type ChartUnit,
} from './axis';

export interface ChartSeries {
  label: string;
  /** A CSS custom property of the theme, e.g. '--ok'. */
  color: string;
  dash?: number[];
}

interface Props {
  /** What the chart shows, with its unit and window: it is the chart's header. */
  title: string;
  testId: string;
  /** The unit of every series: the value axis and the legend write values in it. */
  unit: ChartUnit;
  series: readonly ChartSeries[];
  /** [seconds since start, ...one array per series]. */
  data: uPlot.AlignedData;
  /** Text under the title with the latest values. */
  readout: string;
}

const HEIGHT = 180;

function options(
  el: HTMLElement,
  series: readonly ChartSeries[],
  unit: ChartUnit,
  width: number,
): uPlot.Options {
  // Each axis's tick texts as last drawn, and their font, on the holder: tests and tools
  // cannot read the canvas.
  const valueTexts = (ticks: number[]): string[] => {
    const texts = ticks.map((v) => formatChartValue(unit, v));
    el.dataset['yLabels'] = JSON.stringify(texts);
    return texts;
  };
  const timeTexts = (ticks: number[]): string[] => {
    const texts = ticks.map((s) => formatLabTime(s * 1000));
    el.dataset['xLabels'] = JSON.stringify(texts);
    return texts;
  };
  // Theme colours are light-dark() pairs: let the browser resolve one through a probe
  // element (the raw custom property would hand the canvas an unresolved light-dark()).
  const probe = el.ownerDocument.createElement('span');
  el.appendChild(probe);
  const color = (name: string): string => {
    probe.style.color = `var(${name}, #888)`;
    return getComputedStyle(probe).color || '#888';
  };
  // The axis font follows the page's type size (presentation mode makes it larger); labels
  // are measured in it so the value axis is as wide as its widest label.
  const doc = el.ownerDocument;
  const fontPx = axisFontPx(parseFloat(getComputedStyle(doc.documentElement).fontSize) || 14);
  const font = `${fontPx}px system-ui, sans-serif`;
  const measure = doc.createElement('canvas').getContext('2d');
  if (measure) measure.font = font;
  el.dataset['axisFont'] = font;
  const widest = (labels: readonly string[] | null): number =>
    Math.max(0, ...(labels ?? []).map((l) => measure?.measureText(l).width ?? l.length * fontPx));
  const axis: uPlot.Axis = {
    stroke: color('--muted'),
    font,
    grid: { stroke: color('--border'), width: 1 },
    ticks: { stroke: color('--border'), width: 1 },
  };
  // Every colour below is read synchronously while building the options; then it goes.
  queueMicrotask(() => probe.remove());
  const valueAxis: uPlot.Axis = {
    ...axis,
    values: (_, ticks) => valueTexts(ticks),
    size: (_, values) => valueAxisSize(widest(values)),
    ...(wholeTicks(unit) ? { incrs: [...WHOLE_INCREMENTS] } : {}),
  };
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
    axes: [
      {
        ...axis,
        size: timeAxisSize(fontPx),
        // Ticks at least one label apart, on whole seconds.
        space: Math.ceil(widest([TIME_LABEL_SAMPLE])) + 2 * GAP_PX,
        incrs: [...TIME_INCREMENTS_S],
        values: (_, ticks) => timeTexts(ticks),
      },
      valueAxis,
    ],
    series: [
      { label: 'lab time', value: (_, v) => (v === null ? '—' : formatLabTime(v * 1000)) },
      ...series.map((s) => ({
        label: s.label,
        value: (_: uPlot, v: number | null) => formatChartValue(unit, v),
        stroke: color(s.color),
        width: 1.5,
        spanGaps: false,
        ...(s.dash ? { dash: s.dash } : {}),
      })),
    ],
  };
}

/**
 * A number that changes whenever <html>'s class, data-theme or style does: the theme and
 * presentation mode live there (settings/useApplySettings.ts), and a chart reads its
 * colours and font from the page when it is made. Watching the element, not the settings
 * store, because the settings reach <html> in an effect that runs after this chart's own.
 */
function usePageStyleVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const observer = new MutationObserver(() => setVersion((v) => v + 1));
    observer.observe(document.documentElement, {
      attributes: true,
      attributeFilter: ['class', 'data-theme', 'style'],
    });
    return () => observer.disconnect();
  }, []);
  return version;
}

/**
 * One uPlot chart: created once (again when the page's theme or type size changes), fed
 * with setData, resized with its box, destroyed on unmount.
 */
export const Chart = memo(function Chart({ title, testId, unit, series, data, readout }: Props) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);
  const styleVersion = usePageStyleVersion();

  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const u = new uPlot(
      options(el, series, unit, Math.max(200, el.clientWidth)),
      latest.current,
      el,
    );
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
  }, [styleVersion]);

  useEffect(() => {
    latest.current = data;
    plot.current?.setData(data);
  }, [data]);

  return (
    <section className="panel metric-chart" data-testid={testId} aria-label={title}>
      <h2>
        <span className="metric-title">{title}</span> <span className="count">{readout}</span>
      </h2>
      <div ref={holder} className="metric-plot" />
    </section>
  );
});
