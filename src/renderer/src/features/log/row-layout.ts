/**
 * Where the Log's rows sit when some are expanded: every row is `rowHeight` tall except the
 * expanded ones, which are taller by what they measured. Expanded rows are few (a user opens
 * them one by one), so each question walks that short list instead of an offset per row,
 * and the list of thousands of rows keeps its fixed-height arithmetic. Pure.
 */
import type { LabEvent } from '../../../../shared/events';

/** An expanded row: its index in the list shown and the height it has beyond `rowHeight`. */
export type RowExtra = readonly [index: number, extraPx: number];

/** The index of the event with `seq` in `events` (ascending seqs), or -1. */
export function indexOfSeq(events: readonly LabEvent[], seq: number): number {
  let lo = 0;
  let hi = events.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = events[mid]!.seq;
    if (at === seq) return mid;
    if (at < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The expanded rows present in `events`, by index, with their extra height (> 0 only). */
export function rowExtras(
  events: readonly LabEvent[],
  extraBySeq: ReadonlyMap<number, number>,
): RowExtra[] {
  const extras: RowExtra[] = [];
  for (const [seq, extra] of extraBySeq) {
    if (!(extra > 0)) continue;
    const index = indexOfSeq(events, seq);
    if (index >= 0) extras.push([index, extra]);
  }
  return extras.sort((a, b) => a[0] - b[0]);
}

/** The top of row `index`. */
export function rowTop(index: number, rowHeight: number, extras: readonly RowExtra[]): number {
  let top = index * rowHeight;
  for (const [i, extra] of extras) {
    if (i >= index) break;
    top += extra;
  }
  return top;
}

/** The height of all `count` rows. */
export function rowsHeight(count: number, rowHeight: number, extras: readonly RowExtra[]): number {
  return rowTop(count, rowHeight, extras);
}

/** The index of the row at `y` (0 at the top of the first row). */
export function rowAt(y: number, rowHeight: number, extras: readonly RowExtra[]): number {
  let before = 0;
  for (const [i, extra] of extras) {
    const top = i * rowHeight + before;
    if (y < top) break;
    if (y < top + rowHeight + extra) return i;
    before += extra;
  }
  return Math.max(0, Math.floor((y - before) / rowHeight));
}
