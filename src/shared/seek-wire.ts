/**
 * A `seek` answer on its way to the renderer (issue 13: a seek within a frame, end to end).
 *
 * The engine answers with its events as the JSON text the Timeline's store holds
 * (`SeekAnswer.eventsJson`: never parsed by the engine, save the few it folds) and the host
 * turns the whole answer into one JSON text, `WireSeek.seekJson`: the model packed as rows
 * (below) and the events' text spliced in as they are. Both transports forward that text as
 * it is — Electron's IPC clones one string (a copy), browser mode's WebSocket message holds it
 * as the result's value (`serverMessageJson`, wire.ts) — and the renderer parses it once.
 * The old way parsed the window's events in the engine, wrote them and the model again
 * (JSON, or V8's structured clone of ~17,000 objects and their records) and parsed them
 * again.
 *
 * A table travels as rows, not as a record of records: the field names of each shape once,
 * then each entry's values in that order. At 10,000 subscriptions the record form was ~2.9 MB
 * of JSON whose parse made a 10,000-key dictionary object; the rows are ~40 % of it, parse
 * into arrays and are made into objects with the same keys in the same order.
 *
 * What the renderer gets (`seekFromWire`) equals what `modelFromWire(modelToWire(…))` and the
 * parsed events gave it before, value for value (test/unit/trace/seek-wire.test.ts); it is
 * also exact where the record form was not: a table's order survives integer-like keys.
 */
import type { LabEvent } from './events';
import type { LabModel } from './model';
import { Table } from './table';
import type { SeekResult } from './workbench';

/** The engine's answer to `seek`: its window of events as the JSON text of an array. */
export interface SeekAnswer extends Omit<SeekResult, 'events'> {
  /** `[…]`: the events up to and including `seq`, oldest first (at most the window asked for). */
  eventsJson: string;
}

/** A seek answer as it travels: one JSON text of a `PackedSeek` (see above). */
export interface WireSeek {
  seekJson: string;
}

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

/** The fields of a LabModel that are Tables. */
type TableName = {
  [K in keyof LabModel]: LabModel[K] extends Table<infer _V> ? K : never;
}[keyof LabModel];

/** The tables, which travel packed (every other field as it is): a table left out fails to compile. */
const TABLE_NAMES: Record<TableName, true> = {
  services: true,
  agents: true,
  subscriptions: true,
  messages: true,
  links: true,
  agentFacts: true,
};
const TABLES = Object.keys(TABLE_NAMES) as TableName[];

/** A `SeekResult` as the renderer parses it from `seekJson`. */
export type PackedSeek = Omit<SeekResult, 'model' | 'events'> & {
  model: Omit<LabModel, TableName> & Record<TableName, PackedTable>;
  events: LabEvent[];
};

/** Appends `value` to `packed`: its values as a row, its shape to the runs. */
function addRow(packed: PackedTable, value: object): void {
  let keys = Object.keys(value);
  let values: unknown[] = Object.values(value);
  // JSON leaves out a key whose value is undefined; so does a row.
  if (values.includes(undefined)) {
    keys = keys.filter((_, i) => values[i] !== undefined);
    values = values.filter((v) => v !== undefined);
  }
  packed.rows.push(values);
  const { shapes, runs } = packed;
  const current = runs.length > 0 ? runs[runs.length - 2]! : -1;
  if (current >= 0 && sameKeys(shapes[current]!, keys)) {
    runs[runs.length - 1]! += 1;
    return;
  }
  let index = shapes.findIndex((shape) => sameKeys(shape, keys));
  if (index < 0) index = shapes.push(keys) - 1;
  runs.push(index, 1);
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function packTable<V extends object>(table: Table<V>): PackedTable {
  const packed: PackedTable = { shapes: [], runs: [], keys: [], rows: [] };
  let keyIsId = true;
  table.forEach((value, key) => {
    packed.keys!.push(key);
    if (keyIsId && (value as { id?: unknown }).id !== key) keyIsId = false;
    addRow(packed, value);
  });
  if (keyIsId) packed.keys = null;
  return packed;
}

export function unpackTable<V>(packed: PackedTable): Table<V> {
  const { shapes, runs, keys, rows } = packed;
  const draft = Table.empty<V>().edit();
  let j = 0;
  for (let r = 0; r < runs.length; r += 2) {
    const shape = shapes[runs[r]!]!;
    for (const end = j + runs[r + 1]!; j < end; j++) {
      const row = rows[j]!;
      const value: Record<string, unknown> = {};
      for (let i = 0; i < shape.length; i++) value[shape[i]!] = row[i];
      draft.set(keys === null ? (value['id'] as string) : keys[j]!, value as V);
    }
  }
  return draft.finish();
}

/** The engine's answer as one JSON text: the model packed, the events' text spliced in. */
export function seekToWire(answer: SeekAnswer): WireSeek {
  const { eventsJson, model, ...rest } = answer;
  const packed: Record<string, unknown> = { ...model };
  for (const name of TABLES) packed[name] = packTable(model[name] as Table<object>);
  const head = JSON.stringify({ ...rest, model: packed });
  // `{…}` → `{…,"events":[…]}`: the events go in as the store holds them.
  return { seekJson: `${head.slice(0, -1)},"events":${eventsJson}}` };
}

/**
 * What the renderer makes of a seek answer: from `WireSeek` (IPC: the text, parsed here) or
 * from a `PackedSeek` (WebSocket: the text was the message's, parsed with it).
 */
export function seekFromWire(wire: WireSeek | PackedSeek): SeekResult {
  const packed = 'seekJson' in wire ? (JSON.parse(wire.seekJson) as PackedSeek) : wire;
  const model: Record<string, unknown> = { ...packed.model };
  for (const name of TABLES) model[name] = unpackTable(packed.model[name]);
  return { ...packed, model: model as unknown as LabModel, events: packed.events };
}
