/**
 * A recording opens progressively (issue 13): the show is made after its first events, the
 * rest is indexed in the background, and whatever is travelled to meanwhile is the same lab
 * as once the whole recording is in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelToWire } from '../../../src/shared/model';
import type { Result } from '../../../src/shared/result';
import type { RunStatus } from '../../../src/shared/workbench';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { FIRST_VIEW_EVENTS, PROGRESS_EVENTS } from '../../../src/main/engine/trace/indexer';
import { TraceReader } from '../../../src/main/engine/trace/reader';
import { Timeline, type TimelineSeek } from '../../../src/main/engine/trace/timeline';
import { RecordingShow } from '../../../src/main/engine/workbench/shows/recording';
import type { Workbench } from '../../../src/main/engine/workbench/workbench';
import { writeBundle } from '../../../bench/replay-fixture';
import { eventually } from '../../helpers/poll';
import { hostCall, workbenchPerTest } from '../../helpers/workbench';

/** Several progress steps past the first view. */
const EVENTS = FIRST_VIEW_EVENTS + 3 * PROGRESS_EVENTS + 1234;

let dir: string;
let file: string;
/** The same recording indexed whole, the usual way: what every seek must agree with. */
let whole: Timeline;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'push-lab-progressive-'));
  file = path.join(dir, 'big.jsonl.gz');
  await writeBundle(file, EVENTS);
  whole = await Timeline.fromReader(await TraceReader.open(file));
  expect(whole.count).toBe(EVENTS);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A seek's answer in a form `toEqual` compares field by field. */
const plain = (s: TimelineSeek): unknown => ({ ...s, model: modelToWire(s.model) });

describe('a recording opened progressively', () => {
  it('is shown after its first events; seeks before the index is complete equal those after', async () => {
    const seen = { changed: 0, refreshed: 0 };
    const stage = {
      timeline: {},
      wall: new VirtualClock(),
      changed: (): void => void (seen.changed += 1),
      refreshed: (): void => void (seen.refreshed += 1),
    };
    const show = (await RecordingShow.open(file, 'big', 'big.jsonl.gz', stage))(1);
    try {
      // The first view: its first events, and the status says the rest is coming.
      expect(show.timeline.count).toBe(FIRST_VIEW_EVENTS);
      const first = show.status();
      expect(first.events).toBe(FIRST_VIEW_EVENTS);
      expect(first.indexing).toBeGreaterThan(0);
      expect(first.indexing).toBeLessThan(1);
      expect(first.warning).toMatch(/^indexing the recording: \d+ % read, 4,096 events so far/);

      // Travel while the index grows: at each progress step, the newest event indexed and
      // places behind it, by seq and by lab time.
      // (By time only behind the newest: events of the newest instant may still be coming.)
      const during: {
        seq: number;
        t: number;
        bySeq: TimelineSeek;
        byTime: TimelineSeek | null;
      }[] = [];
      const travel = (): void => {
        const last = show.timeline.lastSeq!;
        for (const seq of [last, Math.ceil(last / 2), Math.ceil(last / 3) + 17]) {
          const t = show.timeline.seek(seq, 1).t;
          during.push({
            seq,
            t,
            bySeq: show.timeline.seek(seq, 300),
            byTime: seq === last ? null : show.timeline.seekTime(t, 300),
          });
        }
      };
      travel();
      const report = show.report('json');
      stage.changed = () => {
        seen.changed += 1;
        expect(show.status().indexing).not.toBeNull();
        travel();
      };
      show.begin();
      await show.whole();

      expect(seen.changed).toBe(3);
      expect(during).toHaveLength(12);
      expect(show.timeline.count).toBe(EVENTS);
      const done = show.status();
      expect(done).toMatchObject({ events: EVENTS, indexing: null, warning: null });
      expect(done.elapsedMs).toBe(whole.spanMs);
      // A final snapshot for the clients, and one about a second before (virtual wall: once).
      expect(seen.refreshed).toBe(2);
      for (const { seq, t, bySeq, byTime } of during) {
        expect(plain(bySeq)).toEqual(plain(whole.seek(seq, 300)));
        if (byTime) expect(plain(byTime)).toEqual(plain(whole.seekTime(t, 300)));
      }
      expect(modelToWire(show.snapshot())).toEqual(modelToWire(whole.model()));
      expect(show.timeline.info(100)).toEqual(whole.info(100));
      // Asked for while indexing, the report waited for the whole recording.
      const json = JSON.parse(await report) as { span: { eventCount: number; lastSeq: number } };
      expect(json.span).toMatchObject({ eventCount: EVENTS, lastSeq: EVENTS });
    } finally {
      await show.dispose();
    }
  }, 120_000);

  it('a recording cut short ends its indexing with the cut sentence; what it holds stays shown', async () => {
    // The first 9,000 events as a plain trace, without the closing record (a killed run).
    const lines = gunzipSync(await readFile(file))
      .toString()
      .split('\n');
    const broken = path.join(dir, 'cut.jsonl');
    await writeFile(broken, lines.slice(0, 9001).join('\n'));
    const stage = {
      timeline: {},
      wall: new VirtualClock(),
      changed: (): void => undefined,
      refreshed: (): void => undefined,
    };
    const show = (await RecordingShow.open(broken, 'cut', 'cut.jsonl', stage))(1);
    expect(show.status().indexing).not.toBeNull();
    show.begin();
    await show.whole();
    const status = show.status();
    expect(status.indexing).toBeNull();
    expect(status.warning).toMatch(/^cut: covers .* — no closing record/);
    expect(show.timeline.count).toBe(9000);
    const at = show.timeline.count;
    expect(plain(show.timeline.seek(at, 10))).toEqual(plain(whole.seek(at, 10)));
    await show.dispose();
  }, 60_000);

  it('stops reading when it is disposed mid-way, keeping what it read', async () => {
    const stage = {
      timeline: {},
      wall: new VirtualClock(),
      changed: () => undefined,
      refreshed: () => undefined,
    };
    const show = (await RecordingShow.open(file, 'big', 'big.jsonl.gz', stage))(1);
    stage.changed = () => void show.dispose();
    show.begin();
    await show.whole();
    const kept = show.timeline.count;
    expect(kept).toBeGreaterThanOrEqual(FIRST_VIEW_EVENTS + PROGRESS_EVENTS);
    expect(kept).toBeLessThan(EVENTS);
    // What it kept is the recording's beginning, exactly.
    expect(plain(show.timeline.seek(kept, 10))).toEqual(plain(whole.seek(kept, 10)));
  }, 60_000);
});

describe('the workbench with a recording being indexed', () => {
  let bench: Workbench;
  let dataDir: string;
  workbenchPerTest('push-lab-wb-progressive-', (b, d) => ((bench = b), (dataDir = d)));
  const call = (input: Record<string, unknown>): Promise<Result<unknown>> => hostCall(bench, input);

  it('answers bundle.open at the first view, then travels, and resets clients once whole', async () => {
    const recordings = path.join(dataDir, 'recordings');
    await mkdir(recordings, { recursive: true });
    await copyFile(file, path.join(recordings, 'big.jsonl.gz'));
    let resets = 0;
    bench.onReset(() => (resets += 1));
    const statuses: RunStatus[] = [];
    bench.onRunStatus((s) => statuses.push(s));

    const opened = await call({ type: 'bundle.open', path: 'big.jsonl.gz' });
    expect(opened.ok).toBe(true);
    const status = (opened as { value: RunStatus }).value;
    expect(status).toMatchObject({ mode: 'replay', state: 'recorded' });
    expect(status.events).toBeLessThan(EVENTS);
    expect(status.indexing).not.toBeNull();
    const seek = await call({ type: 'seek', seq: 10, window: 5 });
    expect(seek.ok && (seek.value as { seq: number }).seq).toBe(10);

    const last = await eventually(
      'the whole recording indexed',
      () => (bench.status().indexing === null ? bench.status() : null),
      { timeoutMs: 60_000 },
    );
    expect(last).toMatchObject({ events: EVENTS, warning: null });
    // The last status the clients got says so too, and they were given the whole snapshot.
    expect(statuses.at(-1)).toMatchObject({ events: EVENTS, indexing: null });
    expect(resets).toBeGreaterThanOrEqual(2);
    expect(modelToWire(bench.snapshot())).toEqual(modelToWire(whole.model()));
  }, 120_000);
});
