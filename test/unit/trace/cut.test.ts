/**
 * Recordings say when they are cut: a clean close writes a closing record; a file without
 * one, or whose gzip stream has no trailer or damaged bytes, is reported as cut with the lab
 * time it covers — by one function, reader.completeness(). Before closing records a bundle
 * cut by kill -9 read as complete.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/events';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { openBundleWriter } from '../../../src/main/engine/trace/bundle';
import { TRACE_ERROR_CODES, TraceError } from '../../../src/main/engine/trace/format';
import { TraceReader } from '../../../src/main/engine/trace/reader';
import { TraceWriter } from '../../../src/main/engine/trace/writer';
import { diffRecordings } from '../../../src/main/engine/trace/diff';
import { LabStream } from './lab-stream';

const META = { scenario: 'cut', seed: 3, clockMode: 'virtual', pushLabVersion: '0.1.0' } as const;
/** The run was meant to last 2 h; the sample covers 4,000 s of it. */
const DURATION_MS = 2 * 3_600_000;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'push-lab-cut-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 2,000 deliveries a second of lab time apart: enough bytes for many deflate blocks. */
function manyEvents(): LabEvent[] {
  const s = new LabStream().service(0).agent(1, 'ua1', 'user-agent').subscribe(2, 'ps1.s1', 'ua1');
  for (let i = 1; i <= 2000; i++) s.delivered(i * 2000, `ps1.m${i}`, 40);
  return s.events;
}

/** A whole bundle, written the way `run --bundle` writes it (flushed as it goes). */
async function writeBundle(file: string, events: LabEvent[]): Promise<void> {
  const wall = new VirtualClock(0);
  const bundle = openBundleWriter(
    file,
    { ...META, durationMs: DURATION_MS, run: { scenario: { name: 'cut' }, speed: 1 } },
    wall,
  );
  for (const [i, event] of events.entries()) {
    bundle.writer.write(event);
    if (i % 500 === 0) wall.advance(200); // the 200 ms sync flush, as in a real run
  }
  const stats = await bundle.close({ reason: 'finished', labTimeMs: DURATION_MS });
  expect(stats.error).toBeNull();
}

async function readWhole(
  file: string,
): Promise<{ reader: TraceReader; events: LabEvent[] } | TraceError> {
  let reader: TraceReader;
  try {
    reader = await TraceReader.open(file);
  } catch (error) {
    if (error instanceof TraceError) return error;
    throw error;
  }
  const events: LabEvent[] = [];
  for await (const event of reader.events()) events.push(event);
  return { reader, events };
}

describe('closing records and cut recordings', () => {
  it('a whole bundle ends with a closing record and reads as whole', async () => {
    const file = join(dir, 'whole.plb');
    const events = manyEvents();
    await writeBundle(file, events);
    const read = await readWhole(file);
    if (read instanceof TraceError) throw read;
    expect(read.events).toEqual(events);
    expect(read.reader.end).toEqual({
      type: 'end',
      version: 1,
      events: events.length,
      lastSeq: events.at(-1)!.seq,
      labTimeMs: DURATION_MS,
      reason: 'finished',
    });
    expect(read.reader.completeness()).toMatchObject({ cut: false, sentence: null });
  });

  it('a bundle truncated at any of several byte offsets reads as cut, never as whole, never throwing', async () => {
    const file = join(dir, 'whole.plb');
    const events = manyEvents();
    await writeBundle(file, events);
    const bytes = await readFile(file);
    const offsets = [2, 9, 30, 300, 3_000, 10_000, bytes.length >> 1, bytes.length - 9];
    offsets.push(bytes.length - 4, bytes.length - 1);
    for (const offset of offsets) {
      const cut = join(dir, `cut-${offset}.plb`);
      await writeFile(cut, bytes.subarray(0, offset));
      const read = await readWhole(cut);
      if (read instanceof TraceError) {
        // So little is left that not even the header line survived.
        expect(read.code, `offset ${offset}`).toBe(TRACE_ERROR_CODES.CUT);
        expect(read.message).toMatch(/cut before the end of its header/);
        continue;
      }
      const whole = read.reader.completeness();
      expect(whole.cut, `offset ${offset}`).toBe(true);
      expect(whole.durationMs).toBe(DURATION_MS);
      expect(whole.sentence).toMatch(/^cut: covers \d\d:\d\d:\d\d of 02:00:00 — /);
      // What is there is a prefix of what was written.
      expect(read.events, `offset ${offset}`).toEqual(events.slice(0, read.events.length));
    }
    // Cut just before the trailer: every event and the closing record are there, but the
    // stream is unterminated.
    const nearEnd = await readWhole(join(dir, `cut-${bytes.length - 4}.plb`));
    if (nearEnd instanceof TraceError) throw nearEnd;
    expect(nearEnd.reader.completeness().sentence).toMatch(/unterminated/);
    // Cut in the middle: the events up to the cut, and the lab time they cover.
    const half = await readWhole(join(dir, `cut-${bytes.length >> 1}.plb`));
    if (half instanceof TraceError) throw half;
    expect(half.events.length).toBeGreaterThan(100);
    expect(half.events.length).toBeLessThan(events.length);
    expect(half.reader.completeness()).toMatchObject({
      coveredMs: half.events.at(-1)!.t - half.events[0]!.t,
      sentence: expect.stringMatching(/the run did not finish \(killed\?\)$/),
    });
  });

  it('damaged compressed bytes end the readable part as a cut, not an exception', async () => {
    const file = join(dir, 'whole.plb');
    await writeBundle(file, manyEvents());
    const bytes = Buffer.from(await readFile(file));
    bytes.fill(0xff, bytes.length >> 1, (bytes.length >> 1) + 64);
    await writeFile(file, bytes);
    const read = await readWhole(file);
    if (read instanceof TraceError) throw read;
    expect(read.events.length).toBeGreaterThan(0);
    expect(read.reader.completeness()).toMatchObject({ cut: true });
    expect(read.reader.completeness().sentence).toMatch(
      /^cut: covers .* — the compressed data is damaged/,
    );
  });

  it('a recording from before closing records still opens, said to have no closing record', async () => {
    const events = manyEvents().slice(0, 50);
    const text = [
      JSON.stringify({ type: 'push-lab-trace', version: 1, ...META }),
      ...events.map((e) => JSON.stringify(e)),
    ].join('\n');
    const plain = join(dir, 'old.jsonl');
    const bundle = join(dir, 'old.plb');
    await writeFile(plain, text + '\n');
    await writeFile(bundle, gzipSync(text + '\n'));
    for (const file of [plain, bundle]) {
      const read = await readWhole(file);
      if (read instanceof TraceError) throw read;
      expect(read.events).toEqual(events);
      expect(read.reader.completeness()).toMatchObject({
        cut: true,
        durationMs: null,
        sentence: `cut: covers ${clockOf(events.at(-1)!.t - events[0]!.t)} of lab time — no closing record (older Push Lab or cut)`,
      });
    }
  });

  it('a newer closing record (more fields, later version) still closes the file; records after it are flagged', async () => {
    const events = manyEvents().slice(0, 5);
    const file = join(dir, 'newer.jsonl');
    const end = { type: 'end', version: 2, events: 5, lastSeq: 5, labTimeMs: 9, reason: 'x' };
    await writeFile(
      file,
      [
        JSON.stringify({ type: 'push-lab-trace', version: 1, ...META }),
        ...events.map((e) => JSON.stringify(e)),
        JSON.stringify({ ...end, checksum: 'abc' }),
        JSON.stringify(events[0]),
      ].join('\n') + '\n',
    );
    const read = await readWhole(file);
    if (read instanceof TraceError) throw read;
    expect(read.reader.completeness()).toMatchObject({ cut: false, sentence: null });
    expect(read.reader.warnings.map((w) => w.message)).toEqual([
      'line 8 follows the closing record; skipped',
    ]);
  });

  it('a run stopped early closes cleanly and says how much it covers; a plain trace too', async () => {
    const file = join(dir, 'stopped.jsonl');
    const writer = TraceWriter.toFile(file, { ...META, durationMs: DURATION_MS });
    for (const event of manyEvents().slice(0, 10)) writer.write(event);
    await writer.close({ reason: 'stopped', labTimeMs: 60_000 });
    const read = await readWhole(file);
    if (read instanceof TraceError) throw read;
    expect(read.reader.completeness()).toEqual({
      cut: false,
      coveredMs: 60_000,
      durationMs: DURATION_MS,
      end: expect.objectContaining({ reason: 'stopped' }),
      sentence: 'stopped early: covers 00:01:00 of 02:00:00 — closed cleanly',
    });
  });

  it('diff flags a cut recording with the same sentence', async () => {
    const whole = join(dir, 'whole.plb');
    const cut = join(dir, 'cut.plb');
    await writeBundle(whole, manyEvents());
    const bytes = await readFile(whole);
    await writeFile(cut, bytes.subarray(0, bytes.length >> 1));
    const result = await diffRecordings(whole, cut);
    expect(result.warnings).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${cut}: cut: covers \\d\\d:\\d\\d:\\d\\d of 02:00:00 — the run did not finish`,
        ),
      ),
    );
    expect(result.warnings.some((w) => w.startsWith(`${whole}: cut`))).toBe(false);
  });
});

function clockOf(ms: number): string {
  const s = Math.floor(ms / 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
}
