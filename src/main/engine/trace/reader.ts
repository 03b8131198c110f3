/**
 * Reads a JSONL trace line by line (node:readline, streaming): validates the header, then
 * yields events and gap records in file order. Damage is data, not an exception:
 *
 * - a last line that does not parse (the writer died mid-line) → warning "trace cut at line N";
 * - a line that does not parse but is followed by more → warning, line skipped;
 * - a line that parses but is not an event or a gap record → warning, line skipped.
 *
 * Whether the recording is whole is known once it has been read to its end: `completeness()`
 * (below) is the one place that decides it, for replay, diff, rerun and the UI alike.
 *
 * Input that is not a trace at all (empty, not JSON, wrong header, newer version, a line
 * longer than `lineBytesMax`) throws a TraceError whose message is one sentence naming the
 * problem. Memory is bounded: one line at a time, at most `warningsMax` warnings kept.
 */
import { open } from 'node:fs/promises';
import { crc32, createGunzip, constants as zlibConstants } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { LabEvent } from '../../../shared/events';
import { parseDurationMs } from '../scenario/duration';
import {
  LAB_EVENT_KINDS,
  TRACE_ERROR_CODES,
  TRACE_TYPE,
  TRACE_VERSION,
  TraceError,
  isRecord,
  type TraceEnd,
  type TraceGap,
  type TraceHeader,
  type TraceRecord,
} from './format';
import { LineBatches } from './lines';

export interface TraceReaderOptions {
  /** Longest line accepted, bytes; a longer one ends reading with ERR_TRACE_LINE_TOO_LONG. Default 1 MiB. */
  lineBytesMax?: number;
  /** Warnings kept (all are counted in `warningCount`). Default 100. */
  warningsMax?: number;
}

export interface TraceWarning {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  message: string;
}

/**
 * Records in file order, a batch at a time (what one piece of the stream held), each with its
 * line: `lines[i]` is the text of `records[i]` — an event's JSON as the file holds it.
 */
export interface RecordBatch {
  records: TraceRecord[];
  lines: string[];
}

/** What reading the gzip layer of a bundle found (null for a plain trace). */
interface GzipState {
  /** The file's last 8 bytes: CRC-32 and length of what a whole stream decompresses to. */
  trailer: { crc: number; size: number } | null;
  crc: number;
  size: number;
  /** The compressed stream failed mid-way (damaged bytes), with zlib's message. */
  damaged: string | null;
}

export const TRACE_LINE_BYTES_MAX = 1024 * 1024;
export const TRACE_WARNINGS_MAX = 100;

export class TraceReader {
  /** The first `warningsMax` warnings, in file order. */
  readonly warnings: TraceWarning[] = [];
  /** Every warning, including those not kept. */
  warningCount = 0;
  /** Lines read so far. */
  lineCount = 0;
  /** The closing record, once read (null until then, and for a cut or older file). */
  end: TraceEnd | null = null;
  /** True once records() has read to the end of the input. */
  finished = false;
  /**
   * The line of the record records() yielded last: an event's JSON as the file holds it, which
   * a timeline packs without encoding the event again.
   */
  line = '';
  /** The last line did not parse: the writer died mid-line. */
  private cutMidLine = false;
  private firstT: number | null = null;
  private lastT: number | null = null;
  private lastSeq: number | null = null;
  private consumed = false;
  /** Set by open() for a bundle. */
  private gzip: GzipState | null = null;
  /** Set by open(): the file's size and how much of it has been read (for `progress()`). */
  private file: { bytes: number; read: () => number } | null = null;

  private constructor(
    readonly header: TraceHeader,
    private readonly lines: LineBatches,
    /** The lines that came with the header's, not yet read. */
    private rest: string[],
    private readonly input: Readable,
    private readonly name: string,
    private readonly warningsMax: number,
  ) {
    this.lineCount = 1;
  }

  /** Opens the trace at `path` and reads its header. Throws TraceError (OPEN, NOT_A_TRACE, VERSION). */
  static async open(path: string, options: TraceReaderOptions = {}): Promise<TraceReader> {
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'no such file'
          : String((error as Error).message);
      throw new TraceError(TRACE_ERROR_CODES.OPEN, `Cannot open trace ${path}: ${reason}.`);
    }
    // A run bundle is a gzip-compressed trace: detect it by its magic bytes, and read a cut
    // one up to its last complete block (the writer flushes after every batch).
    const magic = Buffer.alloc(2);
    await handle.read(magic, 0, 2, 0);
    const { size: fileBytes } = await handle.stat();
    let trailer: GzipState['trailer'] = null;
    // 18 bytes: the smallest whole gzip stream (10 header, 2 empty deflate, 8 trailer).
    if (fileBytes >= 18) {
      const tail = Buffer.alloc(8);
      await handle.read(tail, 0, 8, fileBytes - 8);
      trailer = { crc: tail.readUInt32LE(0), size: tail.readUInt32LE(4) };
    }
    const raw = handle.createReadStream({ start: 0 });
    const file = { bytes: fileBytes, read: () => raw.bytesRead };
    if (magic[0] !== 0x1f || magic[1] !== 0x8b) {
      const plain = await TraceReader.fromStream(raw, path, options);
      plain.file = file;
      return plain;
    }
    // Pieces of 64 kB rather than zlib's 16 kB: a quarter of the callbacks and line batches.
    const gunzip = createGunzip({ finishFlush: zlibConstants.Z_SYNC_FLUSH, chunkSize: 64 * 1024 });
    raw.on('error', (error) => gunzip.destroy(error));
    gunzip.on('close', () => raw.destroy());
    // A whole stream ends with the CRC-32 and length of its content; a cut one ends anywhere
    // (Z_SYNC_FLUSH above lets it be read up to there), so matching both is the proof of a
    // terminated stream. zlib does not tell a stream's end apart from its input's end.
    const gzip: GzipState = { trailer, crc: 0, size: 0, damaged: null };
    let newline = false;
    gunzip.on('data', (chunk: Buffer) => {
      gzip.crc = crc32(chunk, gzip.crc);
      gzip.size = (gzip.size + chunk.length) % 2 ** 32;
      newline ||= chunk.includes(0x0a);
    });
    let reader: TraceReader;
    try {
      reader = await TraceReader.fromStream(raw.pipe(gunzip), path, options);
    } catch (error) {
      // Nothing, or not even one whole line, came out of an unterminated stream: the header
      // itself was cut (a whole line that is not a header is "not a trace", as for any file).
      const cut =
        error instanceof TraceError &&
        error.code === TRACE_ERROR_CODES.NOT_A_TRACE &&
        !newline &&
        !terminated(gzip);
      if (!cut) throw error;
      throw new TraceError(
        TRACE_ERROR_CODES.CUT,
        `${path} is a compressed recording cut before the end of its header (${fileBytes} bytes): nothing in it can be replayed.`,
      );
    }
    reader.gzip = gzip;
    reader.file = file;
    return reader;
  }

  /** Reads a trace from any Readable (stdin, a socket); `name` appears in messages. */
  static async fromStream(
    input: Readable,
    name = 'the input',
    options: TraceReaderOptions = {},
  ): Promise<TraceReader> {
    const lineBytesMax = options.lineBytesMax ?? TRACE_LINE_BYTES_MAX;
    guardLineLength(input, lineBytesMax, name);
    const lines = new LineBatches(input);
    let first: string[] | null;
    try {
      first = await lines.next();
    } catch (error) {
      input.destroy();
      throw asTraceError(error, name);
    }
    if (first === null) {
      throw new TraceError(
        TRACE_ERROR_CODES.NOT_A_TRACE,
        `${name} is not a Push Lab trace: it is empty.`,
      );
    }
    let header: TraceHeader;
    try {
      header = parseHeader(first[0]!, name);
    } catch (error) {
      input.destroy();
      throw error;
    }
    return new TraceReader(
      header,
      lines,
      first.slice(1),
      input,
      name,
      options.warningsMax ?? TRACE_WARNINGS_MAX,
    );
  }

  /** Events and gap records in file order. A reader can be iterated once (this or `batches`). */
  async *records(): AsyncGenerator<TraceRecord> {
    for await (const batch of this.batches()) {
      for (let i = 0; i < batch.records.length; i++) {
        this.line = batch.lines[i]!;
        yield batch.records[i]!;
      }
    }
  }

  /**
   * Events and gap records in file order, a batch at a time, each with its line: what a
   * reader of a large file loops over without a promise a record. Warnings are noted as a
   * batch is read, so they may run ahead of the records handled so far.
   */
  async *batches(): AsyncGenerator<RecordBatch> {
    if (this.consumed) throw new Error('TraceReader: records() may be iterated only once');
    this.consumed = true;
    /** A line that did not parse: a cut if nothing follows it, damage if something does. */
    let unparsed: { line: number; problem: string } | null = null;
    try {
      for (;;) {
        let texts: string[] | null = this.rest;
        this.rest = [];
        if (texts.length === 0) {
          try {
            texts = await this.lines.next();
          } catch (error) {
            // Damaged compressed bytes end the readable part, like a cut: keep what came before.
            if (this.gzip === null || !isZlibError(error)) throw asTraceError(error, this.name);
            this.gzip.damaged = (error as Error).message;
            this.warn(this.lineCount, `compressed data damaged after line ${this.lineCount}`);
            break;
          }
          if (texts === null) break;
        }
        const batch: RecordBatch = { records: [], lines: [] };
        for (const text of texts) {
          unparsed = this.readLine(text, unparsed, batch);
        }
        if (batch.records.length > 0) yield batch;
      }
      if (unparsed) {
        this.cutMidLine = true;
        this.warn(unparsed.line, `trace cut at line ${unparsed.line} (${unparsed.problem})`);
      }
      this.finished = true;
    } finally {
      this.input.destroy();
    }
  }

  /**
   * One line of the file into `batch` (a record), a warning, or nothing (blank, the closing
   * record); returns the line that did not parse, if this one did not (else null).
   */
  private readLine(
    text: string,
    before: { line: number; problem: string } | null,
    batch: RecordBatch,
  ): { line: number; problem: string } | null {
    const line = ++this.lineCount;
    if (text.trim() === '') return before;
    if (before) {
      this.warn(before.line, `line ${before.line} is damaged (${before.problem}); skipped`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { line, problem: (error as Error).message };
    }
    const record = toRecord(value);
    if (typeof record === 'string') {
      this.warn(line, `line ${line} ${record}; skipped`);
      return null;
    }
    if (this.end !== null) {
      this.warn(line, `line ${line} follows the closing record; skipped`);
      return null;
    }
    if (record.type === 'end') {
      this.end = record;
      if (record.lastSeq !== this.lastSeq) {
        this.warn(
          line,
          `the closing record says the last event is seq ${String(record.lastSeq)}, but the last one read is seq ${String(this.lastSeq)}`,
        );
      }
      return null;
    }
    const [fromT, toT] =
      record.type === 'event' ? [record.event.t, record.event.t] : [record.fromT, record.toT];
    this.firstT ??= fromT;
    this.lastT = toT;
    if (record.type === 'event') this.lastSeq = record.event.seq;
    batch.records.push(record);
    batch.lines.push(text);
    return null;
  }

  /**
   * Whether the recording is whole, and if not how much of the run it holds: the one
   * detection used by replay, rerun, diff and the UI. Call it once records() has been read
   * to its end (before that it throws: a half-read file cannot be judged).
   */
  completeness(): Completeness {
    if (!this.finished) throw new Error('TraceReader: completeness() needs the whole file read');
    const durationMs = headerDurationMs(this.header);
    const coveredMs =
      this.end?.labTimeMs ??
      (this.firstT !== null && this.lastT !== null ? this.lastT - this.firstT : 0);
    const span = `covers ${clock(coveredMs)}${durationMs !== null ? ` of ${clock(durationMs)}` : ' of lab time'}`;
    const streamCut = this.gzip !== null && !terminated(this.gzip);
    let why: string | null = null;
    if (this.gzip?.damaged) why = `the compressed data is damaged (${this.gzip.damaged})`;
    else if (this.end === null && (streamCut || this.cutMidLine))
      why = 'the run did not finish (killed?)';
    else if (this.end === null) why = 'no closing record (older Push Lab or cut)';
    else if (streamCut) why = 'its compressed stream is unterminated';
    if (why !== null) {
      return { cut: true, coveredMs, durationMs, end: this.end, sentence: `cut: ${span} — ${why}` };
    }
    const { reason } = this.end!;
    const short = durationMs !== null && coveredMs < durationMs;
    const early = reason === 'failed' || ((reason === 'stopped' || reason === 'saved') && short);
    return {
      cut: false,
      coveredMs,
      durationMs,
      end: this.end,
      sentence: early ? `${END_WORDS[reason]}: ${span} — closed cleanly` : null,
    };
  }

  /**
   * How much of the file has been read, 0–1 (1 once records() reached the end); null for a
   * stream of unknown length. The stream reads a little ahead of the records yielded.
   */
  progress(): number | null {
    if (this.finished) return 1;
    if (this.file === null) return null;
    return this.file.bytes > 0 ? Math.min(1, this.file.read() / this.file.bytes) : 1;
  }

  /** Only the events (gap records are skipped; read them with records()). */
  async *events(): AsyncGenerator<LabEvent> {
    for await (const record of this.records()) if (record.type === 'event') yield record.event;
  }

  /** Stops reading and releases the file; safe at any time. */
  close(): void {
    this.input.destroy();
  }

  private warn(line: number, message: string): void {
    this.warningCount += 1;
    if (this.warnings.length < this.warningsMax) this.warnings.push({ line, message });
  }
}

/** How a whole but short recording is introduced, by its closing record's reason. */
const END_WORDS: Record<string, string> = {
  stopped: 'stopped early',
  saved: 'saved while running',
  failed: 'the run failed',
};

/** What completeness() found; `sentence` is one line for a person, null when all is well. */
export interface Completeness {
  cut: boolean;
  /** Lab time the recording holds, ms. */
  coveredMs: number;
  /** Lab time the run was meant to cover, ms, when the header says (null otherwise). */
  durationMs: number | null;
  end: TraceEnd | null;
  sentence: string | null;
}

/** The run's planned duration: the header's own field, or the bundled scenario's (older bundles). */
function headerDurationMs(header: TraceHeader): number | null {
  if (header.durationMs !== undefined) return header.durationMs;
  const written = isRecord(header.run?.scenario) ? header.run.scenario.duration : undefined;
  if (typeof written === 'number' && Number.isFinite(written)) return written * 1000;
  return typeof written === 'string' ? parseDurationMs(written) : null;
}

/** `hh:mm:ss` of lab time (hours grow past 99 rather than wrap). */
function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
}

function terminated(gzip: GzipState): boolean {
  return (
    gzip.trailer !== null &&
    gzip.damaged === null &&
    gzip.trailer.crc === gzip.crc >>> 0 &&
    gzip.trailer.size === gzip.size
  );
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

function parseHeader(text: string, name: string): TraceHeader {
  const notTrace = (problem: string): TraceError =>
    new TraceError(TRACE_ERROR_CODES.NOT_A_TRACE, `${name} is not a Push Lab trace: ${problem}.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw notTrace(
      `its first line is not JSON (it starts with ${JSON.stringify(text.slice(0, 20))})`,
    );
  }
  if (!isRecord(value) || value.type !== TRACE_TYPE) {
    const got = isRecord(value) ? JSON.stringify(value.type ?? null) : 'not an object';
    throw notTrace(
      `its first line should be a header with "type":"${TRACE_TYPE}" (got type ${got})`,
    );
  }
  if (value.version !== TRACE_VERSION) {
    throw new TraceError(
      TRACE_ERROR_CODES.VERSION,
      `${name} is a trace of version ${JSON.stringify(value.version ?? null)}; this Push Lab reads version ${TRACE_VERSION}.`,
    );
  }
  const clockModes = ['real', 'scaled', 'virtual'];
  if (typeof value.clockMode !== 'string' || !clockModes.includes(value.clockMode)) {
    throw notTrace(
      `its header's clockMode is ${JSON.stringify(value.clockMode ?? null)}, not one of ${clockModes.join(', ')}`,
    );
  }
  return {
    type: TRACE_TYPE,
    version: TRACE_VERSION,
    scenario: typeof value.scenario === 'string' ? value.scenario : null,
    seed: typeof value.seed === 'string' || typeof value.seed === 'number' ? value.seed : null,
    clockMode: value.clockMode as TraceHeader['clockMode'],
    pushLabVersion: typeof value.pushLabVersion === 'string' ? value.pushLabVersion : 'unknown',
    ...(isRecord(value.run) && typeof value.run.speed === 'number'
      ? { run: { scenario: value.run.scenario, speed: value.run.speed } }
      : {}),
    ...(typeof value.durationMs === 'number' && Number.isFinite(value.durationMs)
      ? { durationMs: value.durationMs }
      : {}),
  };
}

/** A record, or what is wrong with the value (completing "line N …"). */
function toRecord(value: unknown): TraceRecord | TraceEnd | string {
  if (!isRecord(value)) return 'is not a JSON object';
  if (value.type === 'gap') {
    const { fromSeq, toSeq, droppedCount, fromT, toT } = value;
    if (![fromSeq, toSeq, droppedCount, fromT, toT].every((n) => typeof n === 'number')) {
      return 'is a gap record without fromSeq, toSeq, droppedCount, fromT and toT';
    }
    return value as unknown as TraceGap;
  }
  if (value.type === 'end') {
    const { events, lastSeq, labTimeMs, reason } = value;
    if (
      typeof events !== 'number' ||
      (lastSeq !== null && typeof lastSeq !== 'number') ||
      typeof labTimeMs !== 'number' ||
      typeof reason !== 'string'
    ) {
      return 'is a closing record without events, lastSeq, labTimeMs and reason';
    }
    // A newer closing-record version may add fields; these four keep their meaning.
    return value as unknown as TraceEnd;
  }
  if (value.type === TRACE_TYPE) return 'is a second trace header (two traces concatenated?)';
  if (value.type !== undefined) return `is a record of unknown type ${JSON.stringify(value.type)}`;
  if (!Number.isInteger(value.seq) || (value.seq as number) < 1)
    return 'is not an event: seq is not a positive integer';
  if (typeof value.t !== 'number' || !Number.isFinite(value.t))
    return 'is not an event: t is not a number';
  if (typeof value.kind !== 'string' || !LAB_EVENT_KINDS.has(value.kind)) {
    return `is an event of unknown kind ${JSON.stringify(value.kind ?? null)}`;
  }
  return { type: 'event', event: value as unknown as LabEvent };
}

/** Destroys `input` with ERR_TRACE_LINE_TOO_LONG when a line grows past the bound. */
function guardLineLength(input: Readable, lineBytesMax: number, name: string): void {
  /** Bytes of the line not yet ended, from earlier chunks. */
  let lineBytes = 0;
  const tooLong = (): void => {
    input.destroy(
      new TraceError(
        TRACE_ERROR_CODES.LINE_TOO_LONG,
        `${name} is not a readable Push Lab trace: a line is longer than ${lineBytesMax} bytes.`,
      ),
    );
  };
  input.on('data', (chunk: Buffer | string) => {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const first = buffer.indexOf(0x0a);
    if (first < 0) {
      lineBytes += buffer.length;
      if (lineBytes > lineBytesMax) tooLong();
      return;
    }
    // The line that ends here began in earlier chunks: its head counts with them.
    if (lineBytes + first > lineBytesMax) return tooLong();
    // A line wholly inside the chunk is shorter than the chunk: look only in a large one.
    const last = buffer.lastIndexOf(0x0a);
    if (buffer.length > lineBytesMax) {
      for (let start = first + 1; start < last;) {
        const end = buffer.indexOf(0x0a, start);
        if (end - start > lineBytesMax) return tooLong();
        start = end + 1;
      }
    }
    lineBytes = buffer.length - last - 1;
    if (lineBytes > lineBytesMax) tooLong();
  });
}

function asTraceError(error: unknown, name: string): TraceError {
  if (error instanceof TraceError) return error;
  return new TraceError(
    TRACE_ERROR_CODES.OPEN,
    `Cannot read ${name}: ${(error as Error).message}.`,
  );
}
