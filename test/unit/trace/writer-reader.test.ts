/**
 * Trace files end to end: write + read round trip through a temp file, a trace cut mid-line,
 * a damaged line in the middle, inputs that are not traces, and writing to any Writable.
 */
import { mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/events';
import { TraceReader } from '../../../src/main/engine/trace/reader';
import { TraceWriter } from '../../../src/main/engine/trace/writer';
import {
  TRACE_ERROR_CODES,
  TraceError,
  type TraceRecord,
} from '../../../src/main/engine/trace/format';
import { VERSION } from '../../../src/main/engine/version';
import { LabStream } from './lab-stream';

const META = { scenario: 'round-trip', seed: 42, clockMode: 'virtual' } as const;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'push-lab-trace-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sample(): LabEvent[] {
  const s = new LabStream().service(0).agent(1, 'ua1', 'user-agent').subscribe(2, 'ps1.s1', 'ua1');
  s.delivered(10, 'ps1.m1', 7, { receiptRequested: true }).receipt(17, 'ps1.m1', 204);
  return s.events;
}

async function writeTrace(path: string, events: LabEvent[]): Promise<void> {
  const writer = TraceWriter.toFile(path, META);
  for (const event of events) writer.write(event);
  const stats = await writer.close();
  expect(stats).toMatchObject({
    eventsWritten: events.length,
    eventsDropped: 0,
    gapsWritten: 0,
    error: null,
  });
}

async function readAll(reader: TraceReader): Promise<TraceRecord[]> {
  const records: TraceRecord[] = [];
  for await (const record of reader.records()) records.push(record);
  return records;
}

/** Expects `promise` to reject with a TraceError of `code` whose message matches `sentence`. */
async function expectTraceError(
  promise: Promise<unknown>,
  code: string,
  sentence: RegExp,
): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TraceError);
  expect((error as TraceError).code).toBe(code);
  expect((error as TraceError).message).toMatch(sentence);
}

describe('TraceWriter + TraceReader', () => {
  it('round-trips a run through a file: header first, then every event as emitted', async () => {
    const path = join(dir, 'run.jsonl');
    const events = sample();
    await writeTrace(path, events);

    const lines = (await readFile(path, 'utf8')).split('\n');
    // header + events + the closing record + the final newline
    expect(lines).toHaveLength(events.length + 3);
    expect(JSON.parse(lines.at(-2)!)).toEqual({
      type: 'end',
      version: 1,
      events: events.length,
      lastSeq: events.at(-1)!.seq,
      labTimeMs: events.at(-1)!.t - events[0]!.t,
      reason: 'closed',
    });
    expect(JSON.parse(lines[0]!)).toEqual({
      type: 'push-lab-trace',
      version: 1,
      ...META,
      pushLabVersion: VERSION,
    });

    const reader = await TraceReader.open(path);
    expect(reader.header).toEqual({
      type: 'push-lab-trace',
      version: 1,
      ...META,
      pushLabVersion: VERSION,
    });
    const read: LabEvent[] = [];
    for await (const event of reader.events()) read.push(event);
    expect(read).toEqual(events);
    expect(reader.warnings).toEqual([]);
    expect(reader.lineCount).toBe(events.length + 2);
    expect(reader.completeness()).toMatchObject({ cut: false, sentence: null });
  });

  it('reports a trace cut mid-line as a warning with its line number; earlier events intact', async () => {
    const path = join(dir, 'cut.jsonl');
    const events = sample();
    await writeTrace(path, events);
    // What a writer killed mid-line leaves: no closing record, a partial last line.
    const whole = await readFile(path, 'utf8');
    await writeFile(path, whole.slice(0, whole.lastIndexOf('{"type":"end"')));
    await appendFile(path, '{"seq":12,"t":20,"kind":"message.ac');

    const reader = await TraceReader.open(path);
    const records = await readAll(reader);
    expect(records).toEqual(events.map((event) => ({ type: 'event', event })));
    const cutLine = events.length + 2;
    expect(reader.warnings).toHaveLength(1);
    expect(reader.warnings[0]!.line).toBe(cutLine);
    expect(reader.warnings[0]!.message).toMatch(new RegExp(`^trace cut at line ${cutLine} \\(`));
    expect(reader.completeness().sentence).toMatch(/^cut: covers .* — the run did not finish/);
  });

  it('skips a damaged line in the middle and one that is not an event, with warnings', async () => {
    const path = join(dir, 'damaged.jsonl');
    const [a, b, c] = sample();
    const body = [
      JSON.stringify(a),
      '{"seq":2,"t":1,"ki',
      '{"seq":"x","t":1,"kind":"agent.wake"}',
      JSON.stringify(b),
      JSON.stringify(c),
    ];
    await writeFile(
      path,
      JSON.stringify({ type: 'push-lab-trace', version: 1, ...META, pushLabVersion: '0.1.0' }) +
        '\n' +
        body.join('\n') +
        '\n',
    );

    const reader = await TraceReader.open(path);
    const records = await readAll(reader);
    expect(records).toEqual([a, b, c].map((event) => ({ type: 'event', event })));
    expect(reader.warnings.map((w) => w.line)).toEqual([3, 4]);
    expect(reader.warnings[0]!.message).toMatch(/^line 3 is damaged \(.*\); skipped$/);
    expect(reader.warnings[1]!.message).toBe(
      'line 4 is not an event: seq is not a positive integer; skipped',
    );
  });

  it('yields gap records in place', async () => {
    const path = join(dir, 'gap.jsonl');
    const [a, , , d] = sample();
    const gap = { type: 'gap', fromSeq: 2, toSeq: 3, droppedCount: 2, fromT: 1, toT: 2 };
    const header = { type: 'push-lab-trace', version: 1, ...META, pushLabVersion: '0.1.0' };
    await writeFile(path, [header, a, gap, d].map((r) => JSON.stringify(r)).join('\n') + '\n');
    const records = await readAll(await TraceReader.open(path));
    expect(records).toEqual([{ type: 'event', event: a }, gap, { type: 'event', event: d }]);
  });

  it.each([
    [
      'an empty file',
      '',
      TRACE_ERROR_CODES.NOT_A_TRACE,
      /^\S+ is not a Push Lab trace: it is empty\.$/,
    ],
    [
      'plain text',
      'hello world\n',
      TRACE_ERROR_CODES.NOT_A_TRACE,
      /is not a Push Lab trace: its first line is not JSON \(it starts with "hello world"\)\.$/,
    ],
    [
      'JSON without a header',
      '{"seq":1,"t":0,"kind":"agent.wake","agentId":"a"}\n',
      TRACE_ERROR_CODES.NOT_A_TRACE,
      /should be a header with "type":"push-lab-trace" \(got type null\)/,
    ],
    [
      'a newer version',
      '{"type":"push-lab-trace","version":2,"clockMode":"real"}\n',
      TRACE_ERROR_CODES.VERSION,
      /is a trace of version 2; this Push Lab reads version 1\.$/,
    ],
    [
      'a header without a clock mode',
      '{"type":"push-lab-trace","version":1}\n',
      TRACE_ERROR_CODES.NOT_A_TRACE,
      /clockMode is null, not one of real, scaled, virtual/,
    ],
  ])('refuses %s with a sentence naming the problem', async (_name, content, code, sentence) => {
    const path = join(dir, 'input.txt');
    await writeFile(path, content);
    await expectTraceError(TraceReader.open(path), code, sentence);
  });

  it('refuses a missing file and a line past the length bound', async () => {
    await expectTraceError(
      TraceReader.open(join(dir, 'nope.jsonl')),
      TRACE_ERROR_CODES.OPEN,
      /^Cannot open trace .*nope\.jsonl: no such file\.$/,
    );
    const binary = Readable.from([Buffer.alloc(4096, 0x41)]);
    await expectTraceError(
      TraceReader.fromStream(binary, 'blob.bin', { lineBytesMax: 1024 }),
      TRACE_ERROR_CODES.LINE_TOO_LONG,
      /^blob\.bin is not a readable Push Lab trace: a line is longer than 1024 bytes\.$/,
    );
  });

  it.each([
    // The line grows over chunks and ends in one whose tail is short: its head counted too.
    ['a line that ends in a later chunk', ['A'.repeat(1000), `${'A'.repeat(100)}\n{}\n`]],
    // A chunk larger than the bound with the long line between two others.
    ['a long line inside one large chunk', [`{}\n${'A'.repeat(2000)}\n{}\n`]],
  ])('refuses %s past the length bound', async (_name, body) => {
    const header = `${JSON.stringify({ type: 'push-lab-trace', version: 1, ...META })}\n`;
    const input = Readable.from([Buffer.from(header), ...body.map((b) => Buffer.from(b))]);
    const reader = await TraceReader.fromStream(input, 'long.jsonl', { lineBytesMax: 1024 });
    const read = async (): Promise<void> => {
      for await (const _record of reader.records()) void _record;
    };
    await expectTraceError(
      read(),
      TRACE_ERROR_CODES.LINE_TOO_LONG,
      /^long\.jsonl is not a readable Push Lab trace: a line is longer than 1024 bytes\.$/,
    );
  });

  it('writes to any Writable (stdout-like) without ending it, and ignores events after close', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    const writer = new TraceWriter(out, { ...META, pushLabVersion: '9.9.9' });
    const events = sample();
    for (const event of events) writer.write(event);
    const closing = writer.close();
    expect(writer.close()).toBe(closing);
    const stats = await closing;
    writer.write(events[0]!);
    expect(stats).toMatchObject({ eventsWritten: events.length, eventsDropped: 0, error: null });
    expect(writer.stats.eventsIgnored).toBe(1);
    expect(out.writableEnded).toBe(false);

    const reader = await TraceReader.fromStream(Readable.from([Buffer.concat(chunks)]), 'stdout');
    expect(reader.header.pushLabVersion).toBe('9.9.9');
    const read: LabEvent[] = [];
    for await (const event of reader.events()) read.push(event);
    expect(read).toEqual(events);
  });

  it('reports a stream that fails instead of throwing', async () => {
    const writer = TraceWriter.toFile(join(dir, 'no-such-dir', 'run.jsonl'), META);
    writer.write(sample()[0]!);
    const stats = await writer.close();
    expect(stats.error).toMatch(/^trace stream failed: ENOENT/);
  });
});
