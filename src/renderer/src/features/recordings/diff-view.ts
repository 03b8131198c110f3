/**
 * What the diff of two recordings shows, pure: the differing figures as rows, the two
 * divergent events side by side field by field (marking those that differ), and where
 * "Show in flows" travels to.
 */
import type { LabEvent } from '../../../../shared/events';
import type { DiffResult, RunStatus } from '../../../../shared/workbench';
import { formatDurationPair, formatLabOffset } from '../../../../shared/format';

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
 * the diff names it or its values are not the same. With `startT` (the recordings' first
 * event's lab time), `t` reads as a lab offset (`+16:49.7`), with the exact offsets added when
 * two different times would read the same.
 */
export function fieldRows(
  a: LabEvent | null,
  b: LabEvent | null,
  fields: readonly string[],
  startT: number | null = null,
): FieldRow[] {
  const left = (a ?? {}) as Record<string, unknown>;
  const right = (b ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])];
  return keys.map((key) => {
    const raw = [key in left ? left[key] : undefined, key in right ? right[key] : undefined];
    const differs = pretty(raw[0]) !== pretty(raw[1]) || named(key, fields);
    const [av, bv] =
      key === 't' && startT !== null
        ? labOffsets(raw[0], raw[1], startT)
        : raw.map((value, i) => ((i === 0 ? key in left : key in right) ? pretty(value) : null));
    return { key, a: av ?? null, b: bv ?? null, differs };
  });
}

/** Two events' `t` as lab offsets from `startT`; a side without a numeric `t` stays null. */
function labOffsets(a: unknown, b: unknown, startT: number): (string | null)[] {
  const offsets = [a, b].map((t) => (typeof t === 'number' ? t - startT : null));
  const texts = offsets.map((ms) => (ms === null ? null : formatLabOffset(ms)));
  const [oa, ob] = offsets;
  if (oa == null || ob == null || oa === ob || texts[0] !== texts[1]) return texts;
  const [ea, eb] = formatDurationPair(oa, ob);
  return [`${texts[0]} (${ea})`, `${texts[1]} (${eb})`];
}

/** The lab time the diff's offsets count from (its first event's), or null without a divergence. */
export function diffStartT(diff: DiffResult): number | null {
  const d = diff.divergence;
  const event = d?.a ?? d?.b ?? null;
  return d && event ? event.t - d.t : null;
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
