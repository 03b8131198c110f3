/**
 * A table as rows (seek-wire.ts, issue 13): the field names of each shape once, then each
 * entry's values in that order. At 10,000 subscriptions the record form was ~2.9 MB of JSON
 * whose parse made a 10,000-key dictionary object; the rows are ~40 % of it, parse into
 * arrays and are made into objects with the same keys in the same order.
 *
 * A whole table (a seek answer sent whole: a far jump) travels as columns instead
 * (`PackedColumns`): each field's values of a run of entries as one array. JSON.parse makes
 * one array per field instead of one per entry, and the receiver reads them in one pass into
 * `Table.fromOrdered`: at 10,000 subscriptions, parse + objects + table ~2× cheaper than rows
 * through a draft (bench/results-parts/window.md). Deltas stay rows: their patched entries
 * each have their own fields.
 */
import { Table } from './table';

/** A table as rows: each entry's values in its shape's order, the shapes given by runs. */
export interface PackedTable {
  /** The field names of each shape of entry, in their key order. */
  shapes: string[][];
  /** [shape index, rows of it] pairs, in order (one pair when every entry has one shape). */
  runs: number[];
  /** Each entry's key, in order; null when every key is its value's `id`. */
  keys: string[] | null;
  rows: unknown[][];
}

/** A table as columns: per run of entries of one shape, one array per field of it. */
export interface PackedColumns {
  /** The field names of each shape of entry, in their key order. */
  shapes: string[][];
  /** [shape index, entries of it] pairs, in order. */
  runs: number[];
  /** Each entry's key, in order; null when every key is its value's `id`. */
  keys: string[] | null;
  /**
   * columns[r][i][j]: run r's j-th entry's value of its shape's field i. On the wire a column
   * may instead start as the one in the same place of the table it is sent `like`
   * (`SameStart`: `leaveOutSame`, `fillSame`).
   */
  columns: (unknown[] | SameStart)[][];
}

/** A column as the first `like` values of the same column of another table, then `add`. */
export interface SameStart {
  like: number;
  add: unknown[];
}

/**
 * `packed` with each column that starts with the same values (by identity) as the one in
 * the same place of `like` sent as that start's length and the rest (`SameStart`): a whole
 * seek answer sent like the last one its client decoded sent whole, as most of a table's
 * columns (a subscription's id, service, agent, push path, creation time, state) are the
 * same however far it jumped, or the same followed by the entries added since. Null when no
 * column starts the same.
 */
export function leaveOutSame(packed: PackedColumns, like: PackedColumns): PackedColumns | null {
  let same = 0;
  const columns = packed.columns.map((run, r) => {
    const was = like.columns[r];
    if (!sameShape(packed, like, r) || was === undefined) return run;
    return run.map((column, i) => {
      const other = was[i];
      if (!Array.isArray(column) || !Array.isArray(other)) return column;
      const start = sameStart(column, other);
      if (start === 0) return column;
      same++;
      return { like: start, add: column.slice(start) };
    });
  });
  return same === 0 ? null : { ...packed, columns };
}

/**
 * Makes `packed`'s columns sent as a start of `like`'s whole again (in place), as
 * `leaveOutSame` left them out; false when `like` does not fit (another table: the caller
 * asks again).
 */
export function fillSame(packed: PackedColumns, like: PackedColumns): boolean {
  for (let r = 0; r < packed.columns.length; r++) {
    const run = packed.columns[r]!;
    if (run.every((column) => Array.isArray(column))) continue;
    const was = like.columns[r];
    if (!sameShape(packed, like, r) || was === undefined) return false;
    for (let i = 0; i < run.length; i++) {
      const column = run[i]!;
      if (Array.isArray(column)) continue;
      const other = was[i];
      const { like: start, add } = column;
      if (!Array.isArray(other) || !Array.isArray(add) || !Number.isInteger(start)) return false;
      if (start < 0 || start > other.length) return false;
      run[i] =
        start === other.length && add.length === 0 ? other : other.slice(0, start).concat(add);
    }
  }
  return true;
}

/** Whether run r of both is of entries with the same field names. */
function sameShape(a: PackedColumns, b: PackedColumns, r: number): boolean {
  const at = 2 * r;
  if (at >= b.runs.length) return false;
  const shape = a.shapes[a.runs[at]!];
  const other = b.shapes[b.runs[at]!];
  return shape !== undefined && other !== undefined && sameKeys(shape, other);
}

/** How many values `a` and `b` start with in common (by identity). */
function sameStart(a: readonly unknown[], b: readonly unknown[]): number {
  const end = Math.min(a.length, b.length);
  let i = 0;
  while (i < end && a[i] === b[i]) i++;
  return i;
}

/** A table as columns (see above); a value's undefined fields are left out, as JSON does. */
export function packColumns<V extends object>(table: Table<V>): PackedColumns {
  const shapes: string[][] = [];
  const runs: number[] = [];
  const keys: string[] = [];
  const columns: unknown[][][] = [];
  let keyIsId = true;
  let shape: string[] | null = null;
  let run: unknown[][] = [];
  table.forEach((value, key) => {
    let names = Object.keys(value);
    let values: unknown[] = Object.values(value);
    if (values.includes(undefined)) {
      names = names.filter((_, i) => values[i] !== undefined);
      values = values.filter((v) => v !== undefined);
    }
    keys.push(key);
    if (keyIsId && (value as { id?: unknown }).id !== key) keyIsId = false;
    if (shape === null || !sameKeys(shape, names)) {
      let index = shapes.findIndex((s) => sameKeys(s, names));
      if (index < 0) index = shapes.push(names) - 1;
      shape = shapes[index]!;
      run = shape.map(() => []);
      runs.push(index, 0);
      columns.push(run);
    }
    runs[runs.length - 1]! += 1;
    for (let i = 0; i < values.length; i++) run[i]!.push(values[i]);
  });
  return { shapes, runs, keys: keyIsId ? null : keys, columns };
}

/**
 * The table `packColumns` was given, entry for entry, in order. Throws on a malformed one
 * (a run's columns not as long as it says): the engine wrote it, so that is a bug.
 */
export function unpackColumns<V>(packed: PackedColumns): Table<V> {
  const { shapes, runs, columns } = packed;
  const values: V[] = [];
  const ids: string[] = [];
  for (let r = 0; r < runs.length; r += 2) {
    const shape = shapes[runs[r]!]!;
    const count = runs[r + 1]!;
    const run = columns[r >> 1]! as unknown[][];
    if (
      run.length !== shape.length ||
      run.some((column) => !Array.isArray(column) || column.length !== count)
    ) {
      throw new RangeError(`unpackColumns: run ${r >> 1}'s columns are not ${count} long`);
    }
    const id = shape.indexOf('id');
    for (let j = 0; j < count; j++) {
      const value: Record<string, unknown> = {};
      for (let i = 0; i < shape.length; i++) value[shape[i]!] = run[i]![j];
      values.push(value as V);
      if (packed.keys === null) ids.push(id < 0 ? '' : (run[id]![j] as string));
    }
  }
  return Table.fromOrdered(packed.keys ?? ids, values);
}

/** Packs entries one by one (`add`), then `finish`. */
export class RowWriter {
  private readonly packed: PackedTable = { shapes: [], runs: [], keys: [], rows: [] };
  private keyIsId = true;

  get size(): number {
    return this.packed.rows.length;
  }

  add(key: string, value: object): void {
    let keys = Object.keys(value);
    let values: unknown[] = Object.values(value);
    // JSON leaves out a key whose value is undefined; so does a row.
    if (values.includes(undefined)) {
      keys = keys.filter((_, i) => values[i] !== undefined);
      values = values.filter((v) => v !== undefined);
    }
    this.addRow(key, keys, values, (value as { id?: unknown }).id);
  }

  /** An entry given as its field names and their values (none undefined), and its `id`. */
  addRow(key: string, keys: string[], values: unknown[], id?: unknown): void {
    this.packed.keys!.push(key);
    if (this.keyIsId && id !== key) this.keyIsId = false;
    const { shapes, runs, rows } = this.packed;
    rows.push(values);
    const current = runs.length > 0 ? runs[runs.length - 2]! : -1;
    if (current >= 0 && sameKeys(shapes[current]!, keys)) {
      runs[runs.length - 1]! += 1;
      return;
    }
    let index = shapes.findIndex((shape) => sameKeys(shape, keys));
    if (index < 0) index = shapes.push(keys) - 1;
    runs.push(index, 1);
  }

  finish(): PackedTable {
    if (this.keyIsId) this.packed.keys = null;
    return this.packed;
  }
}

export function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function packTable<V extends object>(table: Table<V>): PackedTable {
  const writer = new RowWriter();
  table.forEach((value, key) => writer.add(key, value));
  return writer.finish();
}

/** Each packed entry, in order, as an object with its shape's keys. */
export function forEachRow(packed: PackedTable, f: (key: string, value: object) => void): void {
  const { shapes, runs, keys, rows } = packed;
  let j = 0;
  for (let r = 0; r < runs.length; r += 2) {
    const shape = shapes[runs[r]!]!;
    for (const end = j + runs[r + 1]!; j < end; j++) {
      const row = rows[j]!;
      const value: Record<string, unknown> = {};
      for (let i = 0; i < shape.length; i++) value[shape[i]!] = row[i];
      f(keys === null ? (value['id'] as string) : keys[j]!, value);
    }
  }
}

export function unpackTable<V>(packed: PackedTable): Table<V> {
  const draft = Table.empty<V>().edit();
  forEachRow(packed, (key, value) => draft.set(key, value as V));
  return draft.finish();
}
