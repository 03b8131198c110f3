/**
 * A `seek` answer on its way to the renderer (issue 13: a seek within a frame, end to end).
 *
 * The engine answers with its events as the JSON text the Timeline's store holds
 * (`SeekAnswer.eventsJson`: never parsed by the engine, save the few it folds) and the host
 * turns the whole answer into one JSON text, `WireSeek.seekJson`: the model packed (below)
 * and the events' text spliced in as they are. Both transports forward that text as
 * it is — Electron's IPC clones one string (a copy), browser mode's WebSocket message holds it
 * as the result's value (`serverMessageJson`, wire.ts) — and the renderer parses it once.
 * The old way parsed the window's events in the engine, wrote them and the model again
 * (JSON, or V8's structured clone of ~17,000 objects and their records) and parsed them
 * again.
 *
 * A table travels as columns when sent whole and as rows in a delta, not as a record of
 * records (table-rows.ts).
 *
 * Most seeks are sent as what changed since an answer the client already holds (issue 13: the
 * whole model, 10,000 subscriptions and ~2,400 messages, was ~1.8 MB to write and parse per
 * seek, ~60 ms of CPU on both sides). Each answer has an `id`; a later `seek` names the last
 * one its client decoded as `base`. The workbench keeps the last SEEK_BASES_KEPT answers it
 * sent to each session (sent-seeks.ts), and when it still has the base, of the same show, the
 * answer is relative to it: each table as a TableDelta (table-delta.ts), the model's other
 * fields only where they are not the base's own, and the window's events as the base's that
 * fall in it (`kept`, positions in the store never change within a show) plus the ones around
 * them. Otherwise — an unknown, stale or another session's id, a new show — it is sent whole.
 * A step (± 1 event) or a frame of playback sends a few entries and events instead of all.
 * The client keeps its last SEEK_BASES_KEPT decoded answers (`SeekBases`).
 *
 * An answer sent whole (a far jump) goes as columns. A seek names as `like` the last answer
 * sent whole that its client decoded, and each column of the new answer's tables that starts
 * with that one's values (by identity) travels as the length of that start and the rest
 * (`SameStart`, table-rows.ts; the answer names it as its `like`).
 * However far the jump, most of a subscription's fields (id, service, agent, push path,
 * creation time, state: ~560 of ~650 kB at 10,000) have not changed. The client keeps that
 * one answer's columns (`SeekBases`), the engine the last SEEK_BASES_KEPT it sent whole to
 * each session (SentSeeks).
 *
 * What the renderer gets (`seekFromWire`) equals what `modelFromWire(modelToWire(…))` and the
 * parsed events gave it before, value for value (test/unit/trace/seek-wire.test.ts); it is
 * also exact where the record form was not: a table's order survives integer-like keys.
 */
import type { LabEvent } from './events';
import type { LabModel } from './model';
import type { Table } from './table';
import { applyTableDelta, diffTable, type TableDelta } from './table-delta';
import {
  fillSame,
  leaveOutSame,
  packColumns,
  unpackColumns,
  type PackedColumns,
} from './table-rows';
import type { SeekResult } from './workbench';

/**
 * Seek answers a session's sender and its receiver each keep to be a later answer's base. The
 * travel slice has one seek on its way at a time (it coalesces), so the last answer is the
 * base; one more covers another caller's seek in between. Few: each kept answer of a far jump
 * is ~10,000 subscriptions, ~2,400 messages and 5,000 events of objects that the GC walks.
 */
export const SEEK_BASES_KEPT = 2;

/**
 * An answer sent whole, as the engine keeps it to send a later whole answer `like` it: its
 * tables as columns, filled in when it is encoded (`seekToWire`; null until then).
 */
export interface WholeSeek {
  id: number;
  tables: Record<string, PackedColumns> | null;
}

/** The answer a seek is sent relative to, as the engine kept it. */
export interface SeekBase {
  id: number;
  model: LabModel;
}

/**
 * The engine's answer to `seek`: its window of events as the JSON text of an array — the whole
 * window, or (`kept`) only the events the base's window lacks.
 */
export interface SeekAnswer extends Omit<SeekResult, 'events'> {
  /** This answer's id: a later seek may name it as its `base`. */
  id: number;
  /** The answer this one is relative to, or null: sent whole. */
  base: SeekBase | null;
  /**
   * With a base: the window is `before` events of eventsJson, then the base's events
   * [start, end), then the rest of eventsJson. Null: eventsJson is the whole window.
   */
  kept: KeptEvents | null;
  /** Sent whole: the answer sent whole the client named as `like`, to leave out its columns. */
  like?: WholeSeek | null;
  /** Sent whole: where this answer's columns are kept for a later one `like` it. */
  whole?: WholeSeek | null;
  /** `[…]`: events up to and including `seq`, oldest first (at most the window asked for). */
  eventsJson: string;
}

export interface KeptEvents {
  start: number;
  end: number;
  before: number;
}

/** A seek answer as it travels: one JSON text of a `PackedSeek` (see above). */
export interface WireSeek {
  seekJson: string;
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

type OtherFields = Omit<LabModel, TableName>;

/** The model sent whole. */
export type PackedModel = OtherFields & Record<TableName, PackedColumns>;

/**
 * The model sent relative to the base's: `fields` names its fields in order (as a whole model
 * has them), `same` those that are the base's own; a field in neither is undefined.
 */
export type ModelDelta = Partial<OtherFields> & {
  fields: string[];
  same: string[];
  /** Array fields sent as a window slid along the base's (`finishedOrder`, a FIFO). */
  slid: Record<string, Slide>;
} & Record<TableName, TableDelta>;

/** An array as `base.slice(drop, drop + keep)` then `add`. */
export interface Slide {
  drop: number;
  keep: number;
  add: unknown[];
}

/** A `SeekResult` as the renderer parses it from `seekJson`. */
export type PackedSeek = Omit<SeekResult, 'model' | 'events'> & {
  id: number;
  base: number | null;
  kept: KeptEvents | null;
  /** Sent whole like this answer (its left-out columns are that one's), or null. */
  like: number | null;
  model: PackedModel | ModelDelta;
  events: LabEvent[];
};

function packTables(model: LabModel): Record<TableName, PackedColumns> {
  const tables = {} as Record<TableName, PackedColumns>;
  for (const name of TABLES) tables[name] = packColumns(model[name] as Table<object>);
  return tables;
}

/** The model sent whole, its tables' columns that are `like`'s left out; `like` null if none is. */
function packModel(
  model: LabModel,
  tables: Record<TableName, PackedColumns>,
  like: WholeSeek | null,
): { packed: PackedModel; like: number | null } {
  const packed: Record<string, unknown> = { ...model, ...tables };
  let alike = false;
  if (like?.tables != null) {
    for (const name of TABLES) {
      const was = like.tables[name];
      const left = was === undefined ? null : leaveOutSame(tables[name], was);
      if (left === null) continue;
      packed[name] = left;
      alike = true;
    }
  }
  return { packed: packed as PackedModel, like: alike ? like!.id : null };
}

function diffModel(base: LabModel, model: LabModel): ModelDelta {
  const fields = Object.keys(model);
  const same: string[] = [];
  const slid: Record<string, Slide> = {};
  const delta: Record<string, unknown> = { fields, same, slid };
  for (const field of fields) {
    const value = model[field as keyof LabModel];
    const was = base[field as keyof LabModel];
    if (field in TABLE_NAMES) {
      delta[field] = diffTable(was as Table<object>, value as Table<object>);
    } else if (was === value) {
      same.push(field);
    } else {
      const slide = Array.isArray(value) && Array.isArray(was) ? slideOf(was, value) : null;
      if (slide !== null) slid[field] = slide;
      else delta[field] = value;
    }
  }
  return delta as ModelDelta;
}

/**
 * `next` as `base` slid along (its first entries dropped, new ones added), when it is that and
 * keeps at least half of itself; else null (sent whole). Entries compared by identity: arrays of
 * ids and numbers.
 */
function slideOf(base: readonly unknown[], next: readonly unknown[]): Slide | null {
  if (next.length === 0) return null;
  const drop = base.indexOf(next[0]);
  if (drop < 0) return null;
  let keep = 0;
  while (drop + keep < base.length && keep < next.length && base[drop + keep] === next[keep])
    keep++;
  if (drop + keep < base.length || keep * 2 < next.length) return null;
  return { drop, keep, add: next.slice(keep) };
}

/** The engine's answer as one JSON text: the model packed, the events' text spliced in. */
export function seekToWire(answer: SeekAnswer): WireSeek {
  const { eventsJson, model, base, like = null, whole = null, ...rest } = answer;
  let sent: { packed: PackedModel | ModelDelta; like: number | null };
  if (base === null) {
    const tables = packTables(model);
    if (whole !== null) whole.tables = tables;
    sent = packModel(model, tables, like);
  } else {
    sent = { packed: diffModel(base.model, model), like: null };
  }
  const head = JSON.stringify({
    ...rest,
    base: base?.id ?? null,
    like: sent.like,
    model: sent.packed,
  });
  // `{…}` → `{…,"events":[…]}`: the events go in as the store holds them.
  return { seekJson: `${head.slice(0, -1)},"events":${eventsJson}}` };
}

/** A seek answer the client decoded, kept to be a later one's base. */
interface Decoded {
  id: number;
  result: SeekResult;
}

/**
 * The client's side: decodes seek answers and keeps its last SEEK_BASES_KEPT, whole or made
 * from a delta, to apply a later delta to. One per connection: a new connection's host knows
 * none of them (`clear`).
 */
export class SeekBases {
  private kept: Decoded[] = [];
  /** The last answer decoded that was sent whole, its tables' columns (see above). */
  private whole: { id: number; tables: Record<TableName, PackedColumns> } | null = null;

  /** The id to name as the next seek's `like`: the last answer decoded that was sent whole. */
  likeId(): number | undefined {
    return this.whole?.id;
  }

  /** The id to name as the next seek's `base`: the last answer decoded. */
  latest(): number | undefined {
    return this.kept[this.kept.length - 1]?.id;
  }

  clear(): void {
    this.kept = [];
    this.whole = null;
  }

  /**
   * What the renderer makes of a seek answer: from `WireSeek` (IPC: the text, parsed here) or
   * from a `PackedSeek` (WebSocket: the text was the message's, parsed with it). Null when it
   * is relative to an answer no longer kept here (more seeks were on their way than are
   * kept): the caller asks again without a base.
   */
  decode(wire: WireSeek | PackedSeek): SeekResult | null {
    const packed = 'seekJson' in wire ? (JSON.parse(wire.seekJson) as PackedSeek) : wire;
    const { id, base: baseId, kept, like, model: sent, events: sentEvents, ...rest } = packed;
    let model: LabModel;
    let events = sentEvents;
    if (baseId === null) {
      const whole = sent as PackedModel;
      if (like !== null && (this.whole?.id !== like || !fillModel(whole, this.whole.tables))) {
        return null;
      }
      model = unpackModel(whole);
      this.whole = { id, tables: tablesOf(whole) };
    } else {
      const base = this.kept.find((d) => d.id === baseId)?.result;
      if (base === undefined) return null;
      model = applyModelDelta(base.model, sent as ModelDelta);
      if (kept !== null) {
        events = sentEvents.slice(0, kept.before);
        const from = base.events;
        for (let i = kept.start; i < kept.end; i++) events.push(from[i]!);
        for (let i = kept.before; i < sentEvents.length; i++) events.push(sentEvents[i]!);
      }
    }
    const result: SeekResult = { ...rest, model, events };
    this.kept = this.kept.filter((d) => d.id !== id);
    this.kept.push({ id, result });
    if (this.kept.length > SEEK_BASES_KEPT) this.kept.shift();
    return result;
  }
}

/** `packed`'s left-out columns filled in from `like`'s; false when they do not fit. */
function fillModel(packed: PackedModel, like: Record<TableName, PackedColumns>): boolean {
  return TABLES.every((name) => fillSame(packed[name], like[name]));
}

function tablesOf(packed: PackedModel): Record<TableName, PackedColumns> {
  const tables = {} as Record<TableName, PackedColumns>;
  for (const name of TABLES) tables[name] = packed[name];
  return tables;
}

function unpackModel(packed: PackedModel): LabModel {
  const model: Record<string, unknown> = { ...packed };
  for (const name of TABLES) model[name] = unpackColumns(packed[name]);
  return model as unknown as LabModel;
}

function applyModelDelta(base: LabModel, delta: ModelDelta): LabModel {
  const model: Record<string, unknown> = {};
  const sent = delta as unknown as Record<string, unknown>;
  for (const field of delta.fields) {
    if (field in TABLE_NAMES) {
      const name = field as TableName;
      model[field] = applyTableDelta(base[name] as Table<object>, delta[name]);
    } else if (delta.same.includes(field)) {
      model[field] = base[field as keyof LabModel];
    } else if (field in delta.slid) {
      const { drop, keep, add } = delta.slid[field]!;
      const was = base[field as keyof LabModel] as unknown[];
      model[field] = was.slice(drop, drop + keep).concat(add);
    } else {
      model[field] = sent[field];
    }
  }
  return model as unknown as LabModel;
}

/** A whole seek answer, decoded without any base (tests, one-off callers). */
export function seekFromWire(wire: WireSeek | PackedSeek): SeekResult {
  const result = new SeekBases().decode(wire);
  if (result === null) throw new Error('seekFromWire: the answer is relative to a base');
  return result;
}
