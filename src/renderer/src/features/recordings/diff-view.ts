/**
 * What the diff of two recordings shows, pure: the differing figures as rows, the two
 * divergent events side by side field by field (marking those that differ), and where
 * "Show in flows" travels to.
 */
import type { LabEvent } from '../../../../shared/events';
import type { DiffResult, RunStatus } from '../../../../shared/workbench';

export interface FigureRow {
  figure: string;
  a: string;
  b: string;
}

/** `figure: a → b` as a row; a line in another shape keeps its whole text as the figure. */
export function parseFigure(line: string): FigureRow {
  const colon = line.indexOf(': ');
  const arrow = line.lastIndexOf(' → ');
  if (colon < 0 || arrow < colon) return { figure: line, a: '', b: '' };
  return {
    figure: line.slice(0, colon),
    a: line.slice(colon + 2, arrow),
    b: line.slice(arrow + 3),
  };
}

export interface FieldRow {
  key: string;
  /** The field's value as pretty JSON, or null when that side has no such field (or event). */
  a: string | null;
  b: string | null;
  differs: boolean;
}

/** Does `key` fall under one of the diff's field paths ('payload', 'payload.x', 'list[0]')? */
function named(key: string, fields: readonly string[]): boolean {
  return fields.some((f) => f === key || f.startsWith(`${key}.`) || f.startsWith(`${key}[`));
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2) ?? String(value);

/**
 * The fields of both events, aligned (A's order, then B's extra fields); a row differs when
 * the diff names it or its values are not the same.
 */
export function fieldRows(
  a: LabEvent | null,
  b: LabEvent | null,
  fields: readonly string[],
): FieldRow[] {
  const left = (a ?? {}) as Record<string, unknown>;
  const right = (b ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])];
  return keys.map((key) => {
    const av = key in left ? pretty(left[key]) : null;
    const bv = key in right ? pretty(right[key]) : null;
    return { key, a: av, b: bv, differs: av !== bv || named(key, fields) };
  });
}

const baseName = (path: string) =>
  path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);

/** Which side of the diff is the recording open now (by path, else by file name), if any. */
export function openSide(diff: DiffResult, run: RunStatus | null): 'a' | 'b' | null {
  if (run === null || run.mode !== 'replay') return null;
  for (const side of ['a', 'b'] as const) if (run.path === diff[side]) return side;
  for (const side of ['a', 'b'] as const) if (run.name === baseName(diff[side])) return side;
  return null;
}

export interface DivergenceTarget {
  /** The event to travel to (that side's divergent event; past its end, its last). */
  seq: number;
  /** The message the divergent event concerns, to select, if any. */
  messageId: string | null;
}

const messageOf = (event: LabEvent | null): string | null =>
  event !== null && 'messageId' in event && typeof event.messageId === 'string'
    ? event.messageId
    : null;

/** Where "Show in flows" goes in the recording of `side`; null when nothing diverged. */
export function divergenceTarget(diff: DiffResult, side: 'a' | 'b'): DivergenceTarget | null {
  const d = diff.divergence;
  if (d === null) return null;
  const own = d[side];
  const other = side === 'a' ? d.b : d.a;
  return { seq: own?.seq ?? d.index + 1, messageId: messageOf(own) ?? messageOf(other) };
}
