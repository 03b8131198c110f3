/**
 * The Compare result as one table: a row per figure, a column per profile, with the best
 * value of each row marked, and the same table as CSV. Pure.
 */
import { formatCount, formatDuration, formatJoules, NO_VALUE } from '../../../../shared/format';
import type { Profile } from '../../../../shared/events';
import type { CompareResult, CompareRow } from '../../../../shared/workbench';
import { toCsv } from '../exports/csv';

export type Unit = 'count' | 'ms' | 'J';

export interface Figure {
  id: string;
  label: string;
  unit: Unit;
  /** Which way is better; null: neither (shown, never marked). */
  better: 'higher' | 'lower' | null;
  /** One value per profile, in the result's order; null: not measured. */
  values: (number | null)[];
  /** Per profile: holds the best value of the row (ties all marked). */
  best: boolean[];
}

interface FigureDef {
  id: string;
  label: string;
  unit: Unit;
  better: Figure['better'];
  value(row: CompareRow): number | null;
}

const FIGURES_BEFORE_CLASSES: readonly FigureDef[] = [
  { id: 'accepted', label: 'Accepted', unit: 'count', better: 'higher', value: (r) => r.accepted },
  {
    id: 'delivered',
    label: 'Delivered',
    unit: 'count',
    better: 'higher',
    value: (r) => r.delivered,
  },
  { id: 'expired', label: 'Expired', unit: 'count', better: 'lower', value: (r) => r.expired },
  {
    id: 'replaced',
    label: 'Replaced (topic)',
    unit: 'count',
    better: null,
    value: (r) => r.replaced,
  },
  { id: 'lost', label: 'Lost', unit: 'count', better: 'lower', value: (r) => r.lost },
  { id: 'stale', label: 'Stale', unit: 'count', better: 'lower', value: (r) => r.stale },
  {
    id: 'redeliveries',
    label: 'Redeliveries',
    unit: 'count',
    better: 'lower',
    value: (r) => r.redeliveries,
  },
  {
    id: 'latencyP50Ms',
    label: 'Latency p50',
    unit: 'ms',
    better: 'lower',
    value: (r) => r.latencyP50Ms,
  },
  {
    id: 'latencyP99Ms',
    label: 'Latency p99',
    unit: 'ms',
    better: 'lower',
    value: (r) => r.latencyP99Ms,
  },
  {
    id: 'connections',
    label: 'Connections',
    unit: 'count',
    better: 'lower',
    value: (r) => r.connections,
  },
  {
    id: 'joulesTotal',
    label: 'Joules, total',
    unit: 'J',
    better: 'lower',
    value: (r) => r.joulesTotal,
  },
  {
    id: 'joulesPerDelivered',
    label: 'Joules per delivered message',
    unit: 'J',
    better: 'lower',
    value: (r) => r.joulesPerDelivered,
  },
];

const FIGURES_AFTER_CLASSES: readonly FigureDef[] = [
  {
    id: 'violations',
    label: 'Violations',
    unit: 'count',
    better: 'lower',
    value: (r) => r.violations,
  },
  { id: 'events', label: 'Events', unit: 'count', better: null, value: (r) => r.events },
];

/**
 * Which values are the best of their row: the highest or lowest of those measured, with
 * values that `same` calls equal (as shown) counting as ties. Nothing is marked when fewer
 * than two are measured or all measured values are the same (no winner).
 */
export function bestOf(
  values: readonly (number | null)[],
  better: Figure['better'],
  same: (a: number, b: number) => boolean = (a, b) => a === b,
): boolean[] {
  const measured = values.filter((v): v is number => v !== null);
  const none = values.map(() => false);
  if (better === null || measured.length < 2) return none;
  const top = better === 'higher' ? Math.max(...measured) : Math.min(...measured);
  if (measured.every((v) => same(v, top))) return none;
  return values.map((v) => v !== null && same(v, top));
}

function classFigure(energyClass: string): FigureDef {
  return {
    id: `joules:${energyClass}`,
    label: `Joules, ${energyClass}`,
    unit: 'J',
    better: 'lower',
    // A class a run has no radio of is not measured there.
    value: (r) => r.joulesByClass[energyClass] ?? null,
  };
}

/** The rows of the table, in a fixed order; one row per energy class any run has. */
export function compareFigures(result: CompareResult): Figure[] {
  const classes = [...new Set(result.rows.flatMap((r) => Object.keys(r.joulesByClass)))].sort();
  const defs = [...FIGURES_BEFORE_CLASSES, ...classes.map(classFigure), ...FIGURES_AFTER_CLASSES];
  return defs.map((def) => {
    const values = result.rows.map(def.value);
    // Values that look the same in the table tie.
    const same = (a: number, b: number) => formatFigure(a, def.unit) === formatFigure(b, def.unit);
    return {
      id: def.id,
      label: def.label,
      unit: def.unit,
      better: def.better,
      values,
      best: bestOf(values, def.better, same),
    };
  });
}

export const profilesOf = (result: CompareResult): Profile[] => result.rows.map((r) => r.profile);

/** A value for the table, as shared/format writes it: `12,345`, `4.88 min`, `10.4 kJ`. */
export function formatFigure(value: number | null, unit: Unit): string {
  if (value === null) return NO_VALUE;
  switch (unit) {
    case 'count':
      return formatCount(value);
    case 'ms':
      return formatDuration(value);
    case 'J':
      return formatJoules(value);
  }
}

/** The unit a CSV cell is in, and the integer it holds: ms stay ms, joules become mJ. */
const CSV_UNITS: Record<Unit, { unit: string; cell: (value: number) => number }> = {
  count: { unit: 'count', cell: Math.round },
  ms: { unit: 'ms', cell: Math.round },
  J: { unit: 'mJ', cell: (joules) => Math.round(joules * 1000) },
};

/**
 * The table as CSV for a spreadsheet: a header (figure, unit, one column per profile), then
 * whole numbers in the row's unit (count, ms, mJ), never a float.
 */
export function compareCsv(result: CompareResult): string {
  return toCsv([
    ['figure', 'unit', ...profilesOf(result)],
    ...compareFigures(result).map((f) => {
      const { unit, cell } = CSV_UNITS[f.unit];
      return [f.label, unit, ...f.values.map((v) => (v === null ? null : cell(v)))];
    }),
  ]);
}
