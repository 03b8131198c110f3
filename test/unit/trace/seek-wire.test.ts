/**
 * A seek's answer reaches the renderer as one JSON text (shared/seek-wire.ts, issue 13): the
 * window's events as the Timeline's store holds them, the model packed as rows. What the
 * renderer decodes must be what the old path gave it — the events parsed in the engine, the
 * model as a WireModel, both through JSON (WebSocket) or a structured clone (IPC), the model
 * made again with modelFromWire — for seeks by seq, by time, ± 1 steps, live events not yet
 * packed, and a recording with gaps, a damaged line and a seq that does not rise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeResult,
  encodeResult,
  modelFromWire,
  modelToWire,
  type WireModel,
} from '../../../src/shared/model';
import { ok, type Result } from '../../../src/shared/result';
import { serverMessageJson, type ServerMessage } from '../../../src/shared/wire';
import type { SeekResult } from '../../../src/shared/workbench';
import { packColumns, packTable, unpackColumns, unpackTable } from '../../../src/shared/table-rows';
import { Table } from '../../../src/shared/table';
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
const WINDOW = 5_000;

/** What the renderer got before: the events parsed in the engine, the model as a WireModel. */
function oldPath(timeline: Timeline, where: Where, window: number, via: Transport): SeekResult {
  const at = 'seq' in where ? timeline.seek(where.seq, window) : timeline.seekTime(where.t, window);
  const encoded = { epoch: 1, ...at, model: modelToWire(at.model) };
  const carried = (
    via === 'ws'
      ? JSON.parse(JSON.stringify({ type: 'result', id: 1, result: ok(encoded) })).result.value
      : v8.deserialize(v8.serialize(ok(encoded))).value
  ) as SeekResult & { model: WireModel };
  return { ...carried, model: modelFromWire(carried.model) };
}

/** What the renderer gets now: the command's answer, encoded by the host, carried, decoded. */
function newPath(timeline: Timeline, where: Where, window: number, via: Transport): SeekResult {
  const context = {
    show: { timeline, epoch: 1 },
    seeks: new SentSeeks(),
  } as unknown as CommandContext;
  const answer = timelineHandlers.seek(
    { type: 'seek', ...where, window },
    context,
  ) as Result<unknown>;
  const encoded = encodeResult('seek', answer);
  let received: Result<unknown> | null;
  if (via === 'ws') {
    const message: ServerMessage = { type: 'result', id: 1, result: encoded };
    const parsed = parseServerMessage(JSON.parse(serverMessageJson(message)));
    received = parsed?.type === 'result' ? parsed.result : null;
  } else {
    received = parseResult(v8.deserialize(v8.serialize(encoded)));
  }
  if (received === null) throw new Error('the answer did not come back as a result');
  const decoded = decodeResult('seek', received);
  if (!decoded.ok) throw new Error(decoded.error.message);
  return decoded.value as SeekResult;
}

let compared = 0;

/**
 * Written the same (key order included), and every seventh also equal value for value with
 * `toEqual` (which walks 10,000-entry tables slowly).
 */
function expectSame(got: SeekResult, want: SeekResult): void {
  const written = (s: SeekResult): string => JSON.stringify({ ...s, model: modelToWire(s.model) });
  expect(written(got)).toBe(written(want));
  expect(got.model.subscriptions).toBeInstanceOf(Table);
  if (compared++ % 7 === 0) expect(got).toEqual(want);
}

/** Seeks as a person makes them: random by seq and time, steps back and forth, the ends. */
function targets(timeline: Timeline, n: number): Where[] {
  const rand = new Rand(3);
  const first = timeline.firstSeq!;
  const last = timeline.lastSeq!;
  const [t0, t1] = [timeline.firstT!, timeline.lastT!];
  const out: Where[] = [{ seq: 0 }, { seq: first }, { seq: last }, { seq: last + 100 }, { t: -1 }];
  for (let i = 0; i < n; i++) {
    const seq = first + rand.int(last - first + 1);
    out.push({ seq }, { t: t0 + rand.next() * (t1 - t0) });
    for (const step of [1, 2, 1, 0, -1]) out.push({ seq: seq + step });
  }
  return out;
}

let dir: string;
let file: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'push-lab-seek-wire-'));
  file = path.join(dir, 'lab.jsonl.gz');
  await writeBundle(file, 12 * CHUNK_EVENTS + 300);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a seek's answer on the wire", () => {
  it('decodes to what the old path delivered, on both transports, for many seeks of a recording', async () => {
    const timeline = await Timeline.fromReader(await TraceReader.open(file));
    const reference = await Timeline.fromReader(await TraceReader.open(file));
    for (const via of ['ws', 'ipc'] as const) {
      for (const where of targets(timeline, 5)) {
        for (const window of [WINDOW, 300, 0]) {
          expectSame(newPath(timeline, where, window, via), oldPath(reference, where, window, via));
        }
      }
    }
  }, 120_000);

  it('is the same for a recording with gaps, a damaged line and a seq that does not rise', async () => {
    const broken = await writeDamagedRecording(file, dir);
    const timeline = await Timeline.fromReader(await TraceReader.open(broken));
    const reference = await Timeline.fromReader(await TraceReader.open(broken));
    expect(timeline.notes().join(' ')).toMatch(/missing/);
    for (const via of ['ws', 'ipc'] as const)
      for (const where of targets(timeline, 4))
        expectSame(newPath(timeline, where, WINDOW, via), oldPath(reference, where, WINDOW, via));
  }, 60_000);

  it("is the same for a live show's events, packed, packing and not yet packed", () => {
    const events = [...labEvents(6 * CHUNK_EVENTS + 77)];
    const timeline = new Timeline();
    const reference = new Timeline();
    for (const [i, event] of events.entries()) {
      timeline.append(event);
      reference.append(event);
      // Asked while chunks deflate on the thread pool and while one fills.
      if (i % 1499 === 0 || i === events.length - 1) {
        for (const via of ['ws', 'ipc'] as const)
          for (const where of [{ seq: event.seq }, { seq: event.seq - 1500 }, { t: event.t }])
            expectSame(
              newPath(timeline, where, WINDOW, via),
              oldPath(reference, where, WINDOW, via),
            );
      }
    }
  });

  it('packs a table of any shapes in its order, undefined fields left out as JSON does', () => {
    const table = Table.from<Record<string, unknown>>([
      ['7', { id: '7', a: 1 }],
      ['b', { id: 'x', a: 2, b: [1, { c: null }] }],
      ['1', { id: '1', a: undefined, c: 'three' }],
    ]);
    const packed = packTable(table);
    expect(packed.shapes).toEqual([
      ['id', 'a'],
      ['id', 'a', 'b'],
      ['id', 'c'],
    ]);
    expect(packed.runs).toEqual([0, 1, 1, 1, 2, 1]);
    expect(packed.keys).toEqual(['7', 'b', '1']);
    const back = unpackTable<Record<string, unknown>>(JSON.parse(JSON.stringify(packed)));
    // The order of a table's entries survives integer-like keys (a record's did not).
    expect([...back.keys()]).toEqual(['7', 'b', '1']);
    expect([...back.values()]).toEqual(JSON.parse(JSON.stringify([...table.values()])));
    expect(packTable(Table.from([['s1', { id: 's1' }]])).keys).toBeNull();
  });

  it('packs a whole table as columns of any shapes in its order, and reads it back the same', () => {
    const entries: [string, Record<string, unknown>][] = [
      ['7', { id: '7', a: 1 }],
      ['8', { id: '8', a: 3 }],
      ['b', { id: 'x', a: 2, b: [1, { c: null }] }],
      ['1', { id: '1', a: undefined, c: 'three' }],
      ['9', { id: '9', a: 4 }],
    ];
    const table = Table.from(entries);
    const packed = packColumns(table);
    expect(packed.shapes).toEqual([
      ['id', 'a'],
      ['id', 'a', 'b'],
      ['id', 'c'],
    ]);
    expect(packed.runs).toEqual([0, 2, 1, 1, 2, 1, 0, 1]);
    expect(packed.columns[0]).toEqual([
      ['7', '8'],
      [1, 3],
    ]);
    expect(packed.keys).toEqual(['7', '8', 'b', '1', '9']);
    const back = unpackColumns<Record<string, unknown>>(JSON.parse(JSON.stringify(packed)));
    expect([...back.keys()]).toEqual(['7', '8', 'b', '1', '9']);
    expect(JSON.stringify([...back.entries()])).toBe(JSON.stringify([...table.entries()]));
    const ids = Table.from([
      ['s1', { id: 's1', n: 1 }],
      ['s2', { id: 's2', n: 2 }],
    ]);
    expect(packColumns(ids).keys).toBeNull();
    expect([...unpackColumns(JSON.parse(JSON.stringify(packColumns(ids))))]).toEqual([...ids]);
    expect(unpackColumns(packColumns(Table.empty<object>()))).toBe(Table.empty());
    const short = { ...packColumns(ids), columns: [[['s1', 's2'], [1]]] };
    expect(() => unpackColumns(short)).toThrow("unpackColumns: run 0's columns are not 2 long");
  });
});
