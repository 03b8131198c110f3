/**
 * A seek sent as what changed since an answer the client holds (shared/seek-wire.ts,
 * table-delta.ts, workbench/sent-seeks.ts; issue 13): what the renderer decodes must be the
 * whole answer, entry for entry and in order, for every kind of seek — by seq, by time, ± 1
 * steps, far jumps, playback — whatever snapshot spacing the engine folded from, across a
 * show change, with a stale, unknown or another session's base, and in a recording with gaps
 * and a damaged line. A delta that dropped, duplicated or moved an entry or an event fails
 * here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand, type Command } from '../../../src/shared/commands';
import { emptyModel, encodeResult, type LabModel } from '../../../src/shared/model';
import { ok, type Result } from '../../../src/shared/result';
import {
  SeekBases,
  seekFromWire,
  seekToWire,
  type PackedModel,
  type PackedSeek,
  type WholeSeek,
  type WireSeek,
} from '../../../src/shared/seek-wire';
import { Table } from '../../../src/shared/table';
import { applyTableDelta, diffTable } from '../../../src/shared/table-delta';
import { packTable, unpackTable } from '../../../src/shared/table-rows';
import { serverMessageJson } from '../../../src/shared/wire';
import type { SeekResult } from '../../../src/shared/workbench';
import { ClientBase } from '../../../src/renderer/src/bridge/client-base';
import { parseResult, parseServerMessage } from '../../../src/renderer/src/bridge/messages';
import { TraceReader } from '../../../src/main/engine/trace/reader';
import { Timeline } from '../../../src/main/engine/trace/timeline';
import { CHUNK_EVENTS } from '../../../src/main/engine/trace/timeline-events';
import type { CommandContext } from '../../../src/main/engine/workbench/commands/handler';
import { timelineHandlers } from '../../../src/main/engine/workbench/commands/timeline';
import { SentSeeks } from '../../../src/main/engine/workbench/sent-seeks';
import { Rand, labEvents, writeBundle } from '../../../bench/replay-fixture';
import { writeDamagedRecording } from './damaged-recording';

type Where = { seq: number } | { t: number };
type Transport = 'ws' | 'ipc';
type SeekCommand = Extract<Command, { type: 'seek' }>;

/** The `seek` command as the workbench runs it for `session`, then encoded and carried. */
function answer(
  timeline: Timeline,
  epoch: number,
  seeks: SentSeeks,
  session: object | undefined,
  command: SeekCommand,
  via: Transport,
): WireSeek | PackedSeek {
  const context = { show: { timeline, epoch }, session, seeks } as unknown as CommandContext;
  const encoded = encodeResult('seek', timelineHandlers.seek(command, context) as Result<unknown>);
  const received =
    via === 'ws'
      ? parseServerMessage(
          JSON.parse(serverMessageJson({ type: 'result', id: 1, result: encoded })),
        )
      : { type: 'result' as const, result: parseResult(v8.deserialize(v8.serialize(encoded))) };
  if (received?.type !== 'result' || received.result === null || !received.result.ok)
    throw new Error('the answer did not come back as a result');
  return received.result.value as WireSeek | PackedSeek;
}

const packedOf = (wire: WireSeek | PackedSeek): PackedSeek =>
  'seekJson' in wire ? (JSON.parse(wire.seekJson) as PackedSeek) : wire;

/** The whole answer, as a client without a base gets it. */
function whole(timeline: Timeline, epoch: number, where: Where, window: number): SeekResult {
  const wire = answer(timeline, epoch, new SentSeeks(), undefined, seek(where, window), 'ws');
  return seekFromWire(wire);
}

const seek = (where: Where, window: number, base?: number, like?: number): SeekCommand => ({
  type: 'seek',
  ...where,
  window,
  ...(base !== undefined && { base }),
  ...(like !== undefined && { like }),
});

/** Written with each table's entries in order (a record would reorder integer-like keys). */
function written(result: SeekResult): string {
  const model = Object.fromEntries(
    Object.entries(result.model).map(([k, v]) => [k, v instanceof Table ? [...v] : v]),
  );
  return JSON.stringify({ ...result, model });
}

let compared = 0;
function expectSame(got: SeekResult, want: SeekResult): void {
  expect(written(got)).toBe(written(want));
  expect(got.model.subscriptions).toBeInstanceOf(Table);
  if (compared++ % 11 === 0) expect(got).toEqual(want);
}

/** A client of one session: names its last decoded answer as each seek's base. */
class Session {
  readonly bases = new SeekBases();
  readonly token = {};
  deltas = 0;
  eventsSent = 0;
  /** The last answer as it travelled. */
  last: PackedSeek | null = null;
  /** Its subscriptions' columns left out (the same as its `like`'s). */
  leftOut = 0;
  constructor(readonly seeks: SentSeeks) {}

  go(timeline: Timeline, epoch: number, where: Where, window: number, via: Transport): SeekResult {
    const wire = answer(
      timeline,
      epoch,
      this.seeks,
      this.token,
      seek(where, window, this.bases.latest(), this.bases.likeId()),
      via,
    );
    const packed = packedOf(wire);
    this.last = packed;
    // Counted before decoding, which fills them in.
    this.leftOut =
      packed.base === null
        ? (packed.model as PackedModel).subscriptions.columns
            .flat()
            .filter((c) => !Array.isArray(c)).length
        : 0;
    if (packed.base !== null) this.deltas += 1;
    this.eventsSent += packed.events.length;
    return this.bases.decode(wire)!;
  }
}

/** Seeks as a person makes them: random, steps back and forth, far jumps, playback. */
function targets(timeline: Timeline, n: number, seed: number): Where[] {
  const rand = new Rand(seed);
  const first = timeline.firstSeq!;
  const last = timeline.lastSeq!;
  const [t0, t1] = [timeline.firstT!, timeline.lastT!];
  const out: Where[] = [{ seq: first }, { seq: last }, { seq: 0 }, { seq: last + 100 }];
  for (let i = 0; i < n; i++) {
    const seq = first + rand.int(last - first + 1);
    out.push({ seq }, { t: t0 + rand.next() * (t1 - t0) });
    for (const step of [1, 2, 1, 0, -1, -2, -1]) out.push({ seq: seq + step });
    out.push({ seq: seq - 700 }, { seq: seq + 3000 }, { seq: last - seq + first });
    const t = t0 + rand.next() * (t1 - t0);
    for (let f = 0; f < 6; f++) out.push({ t: t + f * 40 });
  }
  return out;
}

let dir: string;
let file: string;
let timeline: Timeline;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'push-lab-seek-delta-'));
  file = path.join(dir, 'lab.jsonl.gz');
  await writeBundle(file, 12 * CHUNK_EVENTS + 300);
  timeline = await Timeline.fromReader(await TraceReader.open(file));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a seek sent relative to the last answer its client decoded', () => {
  it('decodes to the whole answer for every kind of seek, on both transports', () => {
    for (const via of ['ws', 'ipc'] as const) {
      for (const window of [5_000, 300, 0]) {
        const session = new Session(new SentSeeks());
        const places = targets(timeline, 3, 5 + window);
        for (const where of places)
          expectSame(
            session.go(timeline, 1, where, window, via),
            whole(timeline, 1, where, window),
          );
        // Every answer after the first was a delta: the test is not passing on whole answers.
        expect(session.deltas).toBe(places.length - 1);
      }
    }
  }, 120_000);

  it('decodes to the same answers whatever the snapshot spacing the seeks fold from', async () => {
    // The renderer must get the same model and events whichever snapshots, head or recent
    // seeks' models the engine folded from (K was 2,048 before issue 13's near part).
    const spaced = await Promise.all(
      [64, 2048].map(async (snapshotEvery) =>
        Timeline.fromReader(await TraceReader.open(file), { snapshotEvery }),
      ),
    );
    const places = targets(timeline, 2, 41);
    const sessions = [timeline, ...spaced].map(() => new Session(new SentSeeks()));
    for (const where of places) {
      const want = whole(timeline, 1, where, 2_000);
      [timeline, ...spaced].forEach((t, i) =>
        expectSame(sessions[i]!.go(t, 1, where, 2_000, 'ws'), want),
      );
    }
    for (const session of sessions) expect(session.deltas).toBe(places.length - 1);
    expect(spaced.map((t) => t.snapshotEvery)).toEqual([64, 2048]);
  }, 120_000);

  it('sends a step only the events its base lacks', () => {
    const session = new Session(new SentSeeks());
    const seq = timeline.firstSeq! + 7_000;
    session.go(timeline, 1, { seq }, 5_000, 'ws');
    session.eventsSent = 0;
    for (const step of [1, 2, 3, 2, 1]) {
      const got = session.go(timeline, 1, { seq: seq + step }, 5_000, 'ws');
      expect(got.events).toHaveLength(5_000);
      expectSame(got, whole(timeline, 1, { seq: seq + step }, 5_000));
    }
    // Forward steps send the new events; back steps send the one before the window (if any).
    expect(session.eventsSent).toBeLessThanOrEqual(5);
  });

  it("answers whole for a new show, a stale, unknown or another session's base", async () => {
    const seeks = new SentSeeks();
    const a = new Session(seeks);
    const b = new Session(seeks);
    const where = { seq: timeline.firstSeq! + 5_000 };
    const packedFor = (session: Session, tl: Timeline, epoch: number, base?: number): PackedSeek =>
      packedOf(answer(tl, epoch, seeks, session.token, seek(where, 5_000, base), 'ws'));
    a.go(timeline, 1, where, 5_000, 'ws');
    const first = a.bases.latest()!;
    b.go(timeline, 1, { seq: 300 }, 5_000, 'ws');
    expect(packedFor(a, timeline, 1, first).base).toBe(first);
    // b names a's answer: not b's, whole.
    expect(packedFor(b, timeline, 1, first).base).toBeNull();
    // An id never sent, and none at all.
    expect(packedFor(a, timeline, 1, 999_999).base).toBeNull();
    expect(packedFor(a, timeline, 1).base).toBeNull();
    // Stale: a's first answer pushed out by later ones (a session keeps a few).
    for (let i = 0; i < 5; i++) a.go(timeline, 1, { seq: 1_000 + i }, 5_000, 'ws');
    expect(packedFor(a, timeline, 1, first).base).toBeNull();
    // The session ended: its answers are released.
    const kept = b.bases.latest()!;
    expect(packedFor(b, timeline, 1, kept).base).toBe(kept);
    seeks.forget(b.token);
    expect(packedFor(b, timeline, 1, kept).base).toBeNull();
    // A new show (epoch 2, another timeline of the same file): a's base is of the old one,
    // and the answer, whole, decodes to the new show's by a client that holds nothing.
    const other = await Timeline.fromReader(await TraceReader.open(file));
    const latest = a.bases.latest()!;
    expect(packedFor(a, timeline, 1, latest).base).toBe(latest);
    const wire = answer(other, 2, seeks, a.token, seek(where, 5_000, latest), 'ipc');
    expect(packedOf(wire).base).toBeNull();
    expectSame(new SeekBases().decode(wire)!, whole(other, 2, where, 5_000));
  }, 60_000);

  it('is the same in a recording with gaps, a damaged line and a seq that does not rise', async () => {
    const broken = await writeDamagedRecording(file, dir);
    const tl = await Timeline.fromReader(await TraceReader.open(broken));
    expect(tl.notes().join(' ')).toMatch(/missing/);
    const session = new Session(new SentSeeks());
    for (const via of ['ws', 'ipc'] as const)
      for (const where of targets(tl, 3, 11))
        expectSame(session.go(tl, 1, where, 5_000, via), whole(tl, 1, where, 5_000));
  }, 60_000);

  it('sends a seek far from its base whole: its delta would be no cheaper', () => {
    const session = new Session(new SentSeeks(2_000));
    const seq = timeline.firstSeq! + 3_000;
    session.go(timeline, 1, { seq }, 5_000, 'ws');
    // Where to, and whether it is near enough to the last answer to be sent relative to it.
    for (const [to, relative] of [
      [seq + 1_900, true],
      [seq + 6_000, false],
      [seq + 6_010, true],
      [seq, false],
    ] as const) {
      const before = session.deltas;
      const got = session.go(timeline, 1, { seq: to }, 5_000, 'ws');
      expectSame(got, whole(timeline, 1, { seq: to }, 5_000));
      expect(session.deltas - before).toBe(relative ? 1 : 0);
    }
  });

  it('sends a far jump whole like the last whole answer: its same columns left out, decoded the same', () => {
    for (const via of ['ws', 'ipc'] as const) {
      // Every seek more than 2,000 events from its base is sent whole.
      const session = new Session(new SentSeeks(2_000));
      let alike = 0;
      let left = 0;
      let wholes = 0;
      const rand = new Rand(via === 'ws' ? 21 : 22);
      const first = timeline.firstSeq!;
      const span = timeline.lastSeq! - first + 1;
      for (let i = 0; i < 24; i++) {
        const where =
          i % 3 ? { seq: first + rand.int(span) } : { t: timeline.lastT! * rand.next() };
        const like = session.bases.likeId();
        const got = session.go(timeline, 1, where, 5_000, via);
        expectSame(got, whole(timeline, 1, where, 5_000));
        const sent = session.last!;
        if (sent.base !== null) continue;
        wholes++;
        if (sent.like === null) continue;
        expect(sent.like).toBe(like);
        alike++;
        left += session.leftOut;
      }
      expect(wholes).toBeGreaterThan(10);
      // Whole answers after the first are like the one before (a subscription's id, service,
      // agent, push path… are the same however far the jump).
      expect(alike).toBe(wholes - 1);
      expect(left).toBeGreaterThanOrEqual(3 * alike);
    }
  }, 60_000);

  it("is the same for a live show's seeks while it grows", () => {
    const live = new Timeline();
    const session = new Session(new SentSeeks());
    let i = 0;
    for (const event of labEvents(6 * CHUNK_EVENTS + 77)) {
      live.append(event);
      if (++i % 997 === 0) {
        for (const where of [
          { seq: event.seq },
          { seq: event.seq - 1 },
          { seq: event.seq - 1_500 },
        ])
          expectSame(session.go(live, 1, where, 5_000, 'ws'), whole(live, 1, where, 5_000));
      }
    }
    expect(session.deltas).toBeGreaterThan(10);
  }, 60_000);
});

describe("the model's other fields", () => {
  const ids = (from: number, n: number): string[] =>
    Array.from({ length: n }, (_, i) => `m${from + i}`);
  const answerFor = (model: LabModel, id: number, base: LabModel | null): WireSeek =>
    seekToWire({
      epoch: 1,
      seq: model.seq,
      t: model.t,
      id,
      base: base && { id: 1, model: base },
      kept: null,
      model,
      eventsJson: '[]',
    });

  it('never takes a value from the last whole answer that is not the same one', () => {
    type Sub = { id: string; state: string; n: number; tags: string[] };
    const tags: string[] = [];
    const other: string[] = [];
    const subs = (
      state: (i: number) => string,
      n: number,
      t = tags,
      [from, to] = [0, 70],
    ): Table<Sub> =>
      Table.from(
        Array.from({ length: to - from }, (_, k) => {
          const i = from + k;
          return [`s${i}`, { id: `s${i}`, state: state(i), n: i < 3 ? n : i, tags: t }];
        }),
      );
    const gone = (i: number): string => (i === 69 ? 'gone' : 'active');
    const models: LabModel[] = [
      subs(() => 'active', 0),
      subs(gone, 0), // one state, the last
      subs(gone, 1), // n of the first three
      subs(gone, 1, other), // an equal array, not the same one
      subs(gone, 1, other), // all the same
      subs(gone, 1, other, [0, 72]), // two added at the end
      subs(gone, 1, other, [1, 72]), // the first deleted
    ].map((s, i) => ({ ...emptyModel(), seq: i, subscriptions: s as Table<never> }));
    const bases = new SeekBases();
    // Per answer, how many values of each column travelled.
    const sent: Record<string, number>[] = [];
    let like: WholeSeek | null = null;
    models.forEach((model, i) => {
      const whole: WholeSeek = { id: i + 1, tables: null };
      const wire = seekToWire({
        epoch: 1,
        seq: model.seq,
        t: model.t,
        id: i + 1,
        base: null,
        kept: null,
        like,
        whole,
        model,
        eventsJson: '[]',
      });
      const packed = JSON.parse(wire.seekJson) as PackedSeek;
      const { shapes, columns } = (packed.model as PackedModel).subscriptions;
      sent.push(
        Object.fromEntries(
          shapes[0]!.map((field, c) => {
            const column = columns[0]![c]!;
            return [field, Array.isArray(column) ? column.length : column.add.length];
          }),
        ),
      );
      expect(packed.like).toBe(i === 0 ? null : i);
      const got = bases.decode(wire)!;
      expect(written(got)).toBe(written({ ...got, model }));
      like = whole;
    });
    expect(sent).toEqual([
      { id: 70, state: 70, n: 70, tags: 70 },
      { id: 0, state: 1, n: 0, tags: 0 },
      { id: 0, state: 0, n: 70, tags: 0 },
      { id: 0, state: 0, n: 0, tags: 70 },
      { id: 0, state: 0, n: 0, tags: 0 },
      { id: 2, state: 2, n: 2, tags: 2 },
      // Shifted by one: only the starts whose values happen to line up.
      { id: 71, state: 3, n: 69, tags: 0 },
    ]);
    // An answer like one this client does not hold: asked for again.
    const stranger = new SeekBases();
    const wire = seekToWire({
      epoch: 1,
      seq: 9,
      t: 0,
      id: 9,
      base: null,
      kept: null,
      like: { id: 5, tables: like!.tables },
      model: models[4]!,
      eventsJson: '[]',
    });
    expect(stranger.decode(wire)).toBeNull();
  });

  it("sends finishedOrder slid along the base's when it is that, else whole", () => {
    const base: LabModel = { ...emptyModel(), seq: 7, finishedOrder: ids(0, 2000) };
    const cases: [string[], boolean][] = [
      [ids(5, 2000), true],
      [ids(0, 2003), true],
      [ids(1990, 10), true],
      [ids(0, 1999), false],
      [ids(3000, 5), false],
      [[], false],
      [[...ids(5, 1000), 'x', ...ids(1006, 999)], false],
    ];
    for (const [order, slides] of cases) {
      const bases = new SeekBases();
      bases.decode(answerFor(base, 1, null));
      const next = { ...base, seq: 8, finishedOrder: order };
      const wire = answerFor(next, 2, base);
      const sent = (JSON.parse(wire.seekJson) as PackedSeek).model as { slid: object };
      expect('finishedOrder' in sent.slid).toBe(slides);
      const got = bases.decode(wire)!;
      expect(got.model.finishedOrder).toEqual(order);
      expect(JSON.stringify(got.model)).toBe(JSON.stringify(next));
    }
  });
});

describe('a table as what changed since a base', () => {
  type V = Record<string, unknown>;
  const through = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
  const entries = (t: Table<V>): unknown => through([...t]);

  it('makes `next` again from a copy of the base, in order, whatever was done between', () => {
    const rand = new Rand(42);
    for (let round = 0; round < 400; round++) {
      // Small tables, and some past what a kept start may send again (APPENDED_AGAIN_MAX).
      const size = rand.int(round % 4 === 0 ? 400 : 40);
      let base = Table.empty<V>();
      for (let i = 0; i < size; i++) base = base.set(`k${i}`, { id: `k${i}`, n: i, s: 'x' });
      const draft = base.edit();
      const keys = [...base.keys()];
      for (let op = rand.int(12); op > 0; op--) {
        const key = keys[rand.int(keys.length + 1)] ?? `new${rand.int(1000)}`;
        const old = draft.get(key) ?? { id: key, n: 0, s: 'x' };
        switch (rand.int(7)) {
          case 0:
            draft.delete(key);
            break;
          case 1: // deleted and set again: to the end
            draft.delete(key);
            draft.set(key, { ...old, n: rand.int(9) });
            break;
          case 2: // fields changed
            draft.set(key, { ...old, n: rand.int(9), s: `${rand.int(3)}` });
            break;
          case 3: // a new shape
            draft.set(key, { ...old, extra: [rand.int(3)] });
            break;
          case 4: // a field undefined (JSON leaves it out)
            draft.set(key, { ...old, s: undefined });
            break;
          case 5: // a copy, equal field for field
            draft.set(key, { ...old });
            break;
          default:
            draft.set(`${key}-${op}`, { id: `${key}-${op}`, n: op });
        }
      }
      const next = draft.finish();
      for (const [from, to] of [
        [base, next],
        [next, base],
      ] as const) {
        const held = unpackTable<V>(through(packTable(from)));
        const made = applyTableDelta(held, through(diffTable(from, to)));
        expect(entries(made)).toEqual(entries(to));
        expect(made.size).toBe(to.size);
      }
    }
  });

  it('lines up versions edited from one another by their slots, and not other tables', () => {
    const noop = { removed: () => {}, changed: () => {}, appended: () => {} };
    let base = Table.empty<V>();
    for (let i = 0; i < 200; i++) base = base.set(`k${i}`, { id: `k${i}`, n: i });
    const draft = base.edit();
    draft.delete('k3');
    draft.set('k7', { id: 'k7', n: -7 });
    draft.delete('k9');
    draft.set('k9', { id: 'k9', n: 9 });
    draft.set('new', { id: 'new', n: 0 });
    const next = draft.finish();
    const seen: string[] = [];
    expect(
      Table.align(base, next, {
        removed: (key) => seen.push(`-${key}`),
        changed: (key) => seen.push(`~${key}`),
        appended: (key) => seen.push(`+${key}`),
      }),
    ).toBe(true);
    expect(seen.sort()).toEqual(['+k9', '+new', '-k3', '-k9', '~k7'].sort());
    // Back past a key deleted and set again: k9's old slot is a hole in `next`. Keeping the
    // start in place would send k10… again; the table is sent made anew in order instead,
    // read from the slots: k3 and k9 from their old slots, the rest as runs of `next`'s.
    expect(Table.align(next, base, noop)).toBe(false);
    const back = diffTable(next, base);
    expect(back.order).toEqual([0, 3, -1, 1, 3, 5, -1, 1, 8, 190]);
    expect(back.appended.rows).toEqual([
      ['k3', 3],
      ['k9', 9],
    ]);
    // The same keys made in another order share no slots.
    const other = Table.from([...base].reverse());
    expect(Table.align(base, other, noop)).toBe(false);
    for (const [from, to] of [
      [next, base],
      [base, other],
    ] as const) {
      const made = applyTableDelta(
        unpackTable<V>(through(packTable(from))),
        through(diffTable(from, to)),
      );
      expect(entries(made)).toEqual(entries(to));
    }
  });

  it('goes back by the slots: an earlier version is runs of the later one and its own entries', () => {
    // A seek going back past finished messages: the later table has holes where they were,
    // and entries set since past the earlier one's end.
    let earlier = Table.empty<V>();
    for (let i = 0; i < 2400; i++) earlier = earlier.set(`m${i}`, { id: `m${i}`, n: i });
    const draft = earlier.edit();
    for (let i = 0; i < 2400; i += 7) draft.delete(`m${i}`); // finished since
    for (let i = 1; i < 2400; i += 50) draft.set(`m${i}`, { id: `m${i}`, n: -i }); // changed
    for (let i = 0; i < 300; i++) draft.set(`late${i}`, { id: `late${i}`, n: i }); // sent since
    const later = draft.finish();
    const seen: string[] = [];
    expect(
      Table.alignBack(later, earlier, {
        kept: (index, key, was, is) => {
          expect([...later.keys()][index]).toBe(key);
          if (was !== is) seen.push(`~${key}`);
        },
        own: (key) => seen.push(`+${key}`),
      }),
    ).toBe(true);
    expect(seen.filter((x) => x.startsWith('+'))).toHaveLength(Math.ceil(2400 / 7));
    expect(seen.filter((x) => x.startsWith('~'))).toHaveLength(
      Array.from({ length: 48 }, (_, j) => 1 + 50 * j).filter((i) => i % 7 !== 0).length,
    );
    const back = diffTable(later, earlier);
    expect(back.order).not.toBeNull();
    expect(back.appended.rows).toHaveLength(Math.ceil(2400 / 7));
    const made = applyTableDelta(unpackTable<V>(through(packTable(later))), through(back));
    expect(entries(made)).toEqual(entries(earlier));
    // Forward, and between tables whose slots hold other keys (another order), not.
    const noop = { kept: () => {}, own: () => {} };
    expect(Table.alignBack(earlier, later, noop)).toBe(false);
    expect(Table.alignBack(later, Table.from([...earlier].reverse()), noop)).toBe(false);
  });

  it('sends nothing for the same table, and only the fields that changed', () => {
    const base = Table.from<V>([
      ['a', { id: 'a', n: 1, s: 'long text that stays' }],
      ['b', { id: 'b', n: 2 }],
    ]);
    expect(diffTable(base, base)).toEqual(diffTable(Table.empty<V>(), Table.empty<V>()));
    const delta = diffTable(base, base.set('a', { id: 'a', n: 5, s: 'long text that stays' }));
    expect(delta.patched.rows).toEqual([[5]]);
    expect(delta.patched.keys).toEqual(['a']);
    expect(delta.removed).toEqual([]);
    expect(delta.appended.rows).toEqual([]);
  });
});

describe("the client's side", () => {
  /** A client whose transport runs the seek command on a timeline for one session. */
  class TestClient extends ClientBase {
    readonly sent: SeekCommand[] = [];
    readonly session = {};
    constructor(
      private readonly seeks: SentSeeks,
      private readonly tl: Timeline,
    ) {
      super('open');
    }
    protected request(command: Command): Promise<Result<unknown>> {
      const parsed = parseCommand(JSON.parse(JSON.stringify(command)));
      if (!parsed.ok) return Promise.resolve(parsed);
      this.sent.push(parsed.value as SeekCommand);
      const wire = answer(this.tl, 1, this.seeks, this.session, parsed.value as SeekCommand, 'ws');
      return Promise.resolve(ok(wire));
    }
    reconnect(): void {
      this.setStatus('connecting');
      this.setStatus('open');
    }
    resync(): void {}
    close(): void {}
  }

  it('names its last answer as the base, and asks again whole for a base it no longer holds', async () => {
    const seeks = new SentSeeks();
    const client = new TestClient(seeks, timeline);
    const at = (seq: number): SeekCommand => ({ type: 'seek', seq, window: 5_000 });
    const first = await client.call(at(4_000));
    const second = await client.call(at(4_001));
    if (!first.ok || !second.ok) throw new Error('seek failed');
    expect(client.sent[0]!.base).toBeUndefined();
    expect(client.sent[1]!.base).toBeGreaterThan(0);
    // …and the last answer sent whole as its `like` (the first was).
    expect(client.sent[0]!.like).toBeUndefined();
    expect(client.sent[1]!.like).toBe(client.sent[1]!.base);
    expectSame(second.value, whole(timeline, 1, { seq: 4_001 }, 5_000));
    // A new connection: the client forgets its answers; naming one the host still holds gets
    // a delta it cannot decode, and it asks again without a base.
    const named = client.sent[1]!.base!;
    client.reconnect();
    const third = await client.call({ ...at(4_002), base: named });
    if (!third.ok) throw new Error('seek failed');
    expect(client.sent.slice(2).map((c) => c.base)).toEqual([named, undefined]);
    expect(client.sent.slice(2).map((c) => c.like)).toEqual([undefined, undefined]);
    expectSame(third.value, whole(timeline, 1, { seq: 4_002 }, 5_000));
  });

  it('rejects a base that is not a positive whole number, naming the field', () => {
    for (const base of ['1', 0, -1, 1.5, null]) {
      const parsed = parseCommand({ type: 'seek', seq: 1, base });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error.message).toMatch(/^base: /);
    }
    expect(parseCommand({ type: 'seek', seq: 1, base: 7 }).ok).toBe(true);
    for (const like of ['1', 0, -1, 1.5, null]) {
      const parsed = parseCommand({ type: 'seek', seq: 1, like });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error.message).toMatch(/^like: /);
    }
    expect(parseCommand({ type: 'seek', seq: 1, like: 7 }).ok).toBe(true);
  });
});
