/**
 * A table as what changed since an earlier version of it the receiver holds (a seek's model
 * sent relative to the client's last one, seek-wire.ts; issue 13). Entries whose value is the
 * same object — or has the same fields, each the same value — do not travel; an entry whose
 * fields changed travels as those fields alone.
 *
 * Order is part of a Table (insertion order; a key set again after a delete goes to the end),
 * and the table made from a delta must equal `next` entry for entry, in order. `next` is cut
 * in two: the longest start of it whose keys the base holds in the same order ("kept": each
 * stays in its slot, its value patched or replaced when it changed), then the rest
 * ("appended": set in order after deleting every base entry that is not kept). Going forward
 * in a show — entries added at the end, some deleted — almost everything is kept; going back
 * past entries that were deleted and set again, what follows them travels whole: more bytes,
 * never a different table.
 */
import { forEachRow, RowWriter, type PackedTable } from './table-rows';
import { Table } from './table';

export interface TableDelta {
  /** Keys of the base's entries that are not kept (deleted, or set again among `appended`). */
  removed: string[];
  /** Kept entries whose fields changed value: only those fields (the keys are the same). */
  patched: PackedTable;
  /** Kept entries whose value changed shape (other keys): the whole value. */
  replaced: PackedTable;
  /** The entries after the kept ones, in order; with `order`, the entries new to the base. */
  appended: PackedTable;
  /**
   * Null, or the table made anew in this order: [start, count] pairs, each `count` entries of
   * the base from its `start`-th (in its order), or with start -1 the next `count` of
   * `appended`; `removed` is then empty. Sent when keeping a start of `next` in place would
   * send much of it again (going back past entries deleted and set again: a finished
   * message trimmed from the front of `messages`).
   */
  order: number[] | null;
}

/** What changed from `base` to `next` (both finished Tables: never changed). */
export function diffTable<V extends object>(base: Table<V>, next: Table<V>): TableDelta {
  return aligned(base, next) ?? alignedBack(base, next) ?? walked(base, next);
}

/**
 * The delta from the tables' shared slots (`Table.align`): the cost is about the chunks that
 * changed, not the table's size (a playback frame: ~0.05 ms instead of ~3.6 ms at 10,000
 * subscriptions). Null when their slots do not line up (a compaction between them, or going
 * back past a key deleted and set again).
 */
function aligned<V extends object>(base: Table<V>, next: Table<V>): TableDelta | null {
  const removed: string[] = [];
  const patched = new RowWriter();
  const replaced = new RowWriter();
  const appended = new RowWriter();
  const lined = Table.align(base, next, {
    removed: (key) => removed.push(key),
    changed: (key, was, is) => patch(was, is, key, patched, replaced),
    appended: (key, value) => appended.add(key, value),
  });
  return lined ? finish(removed, patched, replaced, appended) : null;
}

/**
 * Going back (`next` is a version `base` was edited from: `Table.alignBack`), the table made
 * anew in order from the slots: what `remade` sends, without a key hashed or looked up (going
 * back past messages finished since, the walk cost a jump back ~2 × a jump forward's
 * encoding). Null when the slots do not line up, or when keeping a start in place sends
 * little again (then `walked` keeps it).
 */
function alignedBack<V extends object>(base: Table<V>, next: Table<V>): TableDelta | null {
  const patched = new RowWriter();
  const replaced = new RowWriter();
  const appended = new RowWriter();
  const order: number[] = [];
  let seen = 0;
  let firstOwn = -1;
  const lined = Table.alignBack(base, next, {
    kept: (index, key, was, is) => {
      seen += 1;
      if (was !== is) patch(was, is, key, patched, replaced);
      runOfBase(order, index);
    },
    own: (key, value) => {
      if (firstOwn < 0) firstOwn = seen;
      seen += 1;
      appended.add(key, value);
      runOfAppended(order);
    },
  });
  if (!lined) return null;
  // Few entries after the first of its own: keeping the start in place sends little again,
  // and the receiver edits its table instead of making it anew (`walked` chooses so).
  if (firstOwn < 0 || next.size - firstOwn <= APPENDED_AGAIN_MAX) return null;
  return { ...finish([], patched, replaced, appended), order };
}

/** Adds the base's `index`-th entry to `order` (see TableDelta.order): its run, or a new one. */
function runOfBase(order: number[], index: number): void {
  const last = order.length - 2;
  if (last >= 0 && order[last] !== -1 && order[last]! + order[last + 1]! === index) {
    order[last + 1]! += 1;
  } else {
    order.push(index, 1);
  }
}

/** Adds the next entry of `appended` to `order`: its run, or a new one. */
function runOfAppended(order: number[]): void {
  const last = order.length - 2;
  if (last >= 0 && order[last] === -1) order[last + 1]! += 1;
  else order.push(-1, 1);
}

/** Entries a kept start may leave to be sent again before the table is sent `order`ed. */
const APPENDED_AGAIN_MAX = 64;

/** The delta by walking both tables in order: any two tables (see above). */
function walked<V extends object>(base: Table<V>, next: Table<V>): TableDelta {
  const kept = keptStart(base, next);
  if (kept.appended.rows.length <= APPENDED_AGAIN_MAX) return kept;
  const made = remade(base, next);
  return made.appended.rows.length < kept.appended.rows.length ? made : kept;
}

/** The table made anew: runs of the base's entries in `next`'s order, and the new ones. */
function remade<V extends object>(base: Table<V>, next: Table<V>): TableDelta {
  const patched = new RowWriter();
  const replaced = new RowWriter();
  const appended = new RowWriter();
  const at = new Map<string, number>();
  base.forEach((_, key) => at.set(key, at.size));
  const order: number[] = [];
  next.forEach((value, key) => {
    const i = at.get(key);
    if (i === undefined) {
      appended.add(key, value);
      runOfAppended(order);
      return;
    }
    const old = base.get(key)!;
    if (old !== value) patch(old, value, key, patched, replaced);
    runOfBase(order, i);
  });
  return { ...finish([], patched, replaced, appended), order };
}

/** The delta keeping the longest start of `next` the base holds in order in place. */
function keptStart<V extends object>(base: Table<V>, next: Table<V>): TableDelta {
  const removed: string[] = [];
  const patched = new RowWriter();
  const replaced = new RowWriter();
  const appended = new RowWriter();
  const baseKeys: string[] = [];
  base.forEach((_, key) => baseKeys.push(key));
  let j = 0;
  let keeping = true;
  next.forEach((value, key) => {
    if (keeping) {
      const old = base.get(key);
      if (old !== undefined) {
        while (j < baseKeys.length && baseKeys[j] !== key) removed.push(baseKeys[j++]!);
        if (j < baseKeys.length) {
          j += 1;
          if (old !== value) patch(old, value, key, patched, replaced);
          return;
        }
        // `key` came before the last kept one in the base (it was skipped: removed above).
      }
      keeping = false;
      while (j < baseKeys.length) removed.push(baseKeys[j++]!);
    }
    appended.add(key, value);
  });
  while (j < baseKeys.length) removed.push(baseKeys[j++]!);
  return finish(removed, patched, replaced, appended);
}

function finish(
  removed: string[],
  patched: RowWriter,
  replaced: RowWriter,
  appended: RowWriter,
): TableDelta {
  return {
    removed,
    patched: patched.finish(),
    replaced: replaced.finish(),
    appended: appended.finish(),
    order: null,
  };
}

/**
 * Adds `value` as its changed fields to `patched`, or whole to `replaced` when the keys differ
 * or a field is undefined (which a row leaves out: the receiver's copy has no such key).
 */
function patch(
  old: object,
  value: object,
  key: string,
  patched: RowWriter,
  replaced: RowWriter,
): void {
  const a = old as Record<string, unknown>;
  const b = value as Record<string, unknown>;
  const oldKeys = Object.keys(a);
  const keys = Object.keys(b);
  if (oldKeys.length !== keys.length) return replaced.add(key, value);
  let changedKeys: string[] | null = null;
  let changedValues: unknown[] | null = null;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = b[k];
    if (oldKeys[i] !== k || v === undefined || a[k] === undefined) return replaced.add(key, value);
    if (a[k] === v) continue;
    (changedKeys ??= []).push(k);
    (changedValues ??= []).push(v);
  }
  if (changedKeys !== null) patched.addRow(key, changedKeys, changedValues!);
}

/** `base` with `delta` applied: equal to the `next` it was made from, entry for entry, in order. */
export function applyTableDelta<V>(base: Table<V>, delta: TableDelta): Table<V> {
  const { removed, patched, replaced, appended } = delta;
  if (
    delta.order === null &&
    removed.length === 0 &&
    patched.rows.length + replaced.rows.length + appended.rows.length === 0
  ) {
    return base;
  }
  if (delta.order !== null) return remake(base, delta, delta.order);
  const draft = base.edit();
  for (const key of removed) draft.delete(key);
  forEachRow(patched, (key, fields) => draft.set(key, { ...draft.get(key)!, ...fields } as V));
  forEachRow(replaced, (key, value) => draft.set(key, value as V));
  forEachRow(appended, (key, value) => draft.set(key, value as V));
  return draft.finish();
}

function remake<V>(base: Table<V>, delta: TableDelta, order: readonly number[]): Table<V> {
  const keys: string[] = [];
  const values: V[] = [];
  base.forEach((value, key) => {
    keys.push(key);
    values.push(value);
  });
  const added: [string, V][] = [];
  forEachRow(delta.appended, (key, value) => added.push([key, value as V]));
  const draft = Table.empty<V>().edit();
  let a = 0;
  for (let r = 0; r < order.length; r += 2) {
    const start = order[r]!;
    const count = order[r + 1]!;
    if (start === -1) {
      for (const end = a + count; a < end; a++) draft.set(added[a]![0], added[a]![1]);
      continue;
    }
    for (let i = start; i < start + count; i++) draft.set(keys[i]!, values[i]!);
  }
  forEachRow(delta.patched, (key, fields) =>
    draft.set(key, { ...draft.get(key)!, ...fields } as V),
  );
  forEachRow(delta.replaced, (key, value) => draft.set(key, value as V));
  return draft.finish();
}
