/**
 * An opened recording's report is read from its file when asked (issue 13: building it while
 * indexing cost every open ~15 % more CPU). It must be the report a recorder fed the same
 * stream gives — for a whole bundle, a cut trace, and one with gap records, a damaged line
 * and an event whose seq does not rise (a violation).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { TraceReader } from '../../../src/main/engine/trace/reader';
import { Recorder } from '../../../src/main/engine/trace/recorder';
import { RecordingShow } from '../../../src/main/engine/workbench/shows/recording';
import { writeBundle } from '../../../bench/replay-fixture';

const EVENTS = 30_000;
let dir: string;
let bundle: string;
let lines: string[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'push-lab-recording-report-'));
  bundle = path.join(dir, 'whole.jsonl.gz');
  await writeBundle(bundle, EVENTS);
  lines = gunzipSync(await readFile(bundle))
    .toString()
    .split('\n');
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The report of `file` as the show gives it, and as a recorder fed while reading gives it. */
async function bothReports(file: string): Promise<{ shown: string; fed: string }> {
  const stage = { timeline: {}, wall: new VirtualClock(), changed() {}, refreshed() {} };
  const show = (await RecordingShow.open(file, 'r', path.basename(file), stage))(1);
  try {
    show.begin();
    await show.whole();
    const shown = await show.report('json');
    const reader = await TraceReader.open(file);
    const recorder = await Recorder.fromReader(reader, { meta: show.header() });
    const fed = recorder.reportText('json', {
      title: 'x',
      endT: recorder.timeline.lastT ?? 0,
    });
    return { shown, fed };
  } finally {
    await show.dispose();
  }
}

describe('an opened recording’s report', () => {
  it('equals a fed recorder’s for a whole bundle', async () => {
    const { shown, fed } = await bothReports(bundle);
    expect(shown).toBe(fed);
    expect(JSON.parse(shown)).toMatchObject({ span: { eventCount: EVENTS } });
  }, 120_000);

  it('equals a fed recorder’s for a cut trace', async () => {
    const cut = path.join(dir, 'cut.jsonl');
    await writeFile(cut, lines.slice(0, 12_001).join('\n'));
    const { shown, fed } = await bothReports(cut);
    expect(shown).toBe(fed);
    expect(JSON.parse(shown)).toMatchObject({ span: { eventCount: 12_000 } });
  }, 120_000);

  it('equals a fed recorder’s for a trace with gap records, a damaged line and a seq that does not rise', async () => {
    const gapped = path.join(dir, 'gaps.jsonl');
    const seqOf = (line: string): number => (JSON.parse(line) as { seq: number }).seq;
    const tOf = (line: string): number => (JSON.parse(line) as { t: number }).t;
    // Events 5,001–5,100 and 9,001–9,050 dropped by the writer, with their gap records.
    const gap = (from: number, to: number): string =>
      JSON.stringify({
        type: 'gap',
        fromSeq: seqOf(lines[from]!),
        toSeq: seqOf(lines[to]!),
        droppedCount: to - from + 1,
        fromT: tOf(lines[from]!),
        toT: tOf(lines[to]!),
      });
    const kept = [
      ...lines.slice(0, 5001),
      gap(5001, 5100),
      ...lines.slice(5101, 7000),
      '{"kind":"message.acked", damaged',
      // An earlier acceptance again (its old seq: not kept on the timeline, judged and counted).
      lines.find((line) => line.includes('"message.accepted"'))!,
      ...lines.slice(7000, 9001),
      gap(9001, 9050),
      ...lines.slice(9051, 15_001),
    ];
    await writeFile(gapped, kept.join('\n') + '\n');
    const { shown, fed } = await bothReports(gapped);
    expect(shown).toBe(fed);
    const report = JSON.parse(shown) as {
      span: { eventCount: number };
      violations: { countByRule: Record<string, number> };
    };
    expect(report.span.eventCount).toBe(15_000 - 150 + 1);
    expect(report.violations.countByRule['bookkeeping']).toBeGreaterThan(0);
  }, 120_000);
});
