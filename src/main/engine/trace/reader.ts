/**
 * Reads a JSONL trace line by line (node:readline, streaming): validates the header, then
 * yields events and gap records in file order. Damage is data, not an exception:
 *
 * - a last line that does not parse (the writer died mid-line) → warning "trace cut at line N";
 * - a line that does not parse but is followed by more → warning, line skipped;
 * - a line that parses but is not an event or a gap record → warning, line skipped.
 *
 * Input that is not a trace at all (empty, not JSON, wrong header, newer version, a line
 * longer than `lineBytesMax`) throws a TraceError whose message is one sentence naming the
 * problem. Memory is bounded: one line at a time, at most `warningsMax` warnings kept.
 */
import { open } from 'node:fs/promises';
import { createGunzip, constants as zlibConstants } from 'node:zlib';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { LabEvent } from '../../../shared/events';
import {
  LAB_EVENT_KINDS,
  TRACE_ERROR_CODES,
  TRACE_TYPE,
  TRACE_VERSION,
  TraceError,
  isRecord,
  type TraceGap,
  type TraceHeader,
  type TraceRecord,
} from './format';

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

export const TRACE_LINE_BYTES_MAX = 1024 * 1024;
export const TRACE_WARNINGS_MAX = 100;

export class TraceReader {
  /** The first `warningsMax` warnings, in file order. */
  readonly warnings: TraceWarning[] = [];
  /** Every warning, including those not kept. */
  warningCount = 0;
  /** Lines read so far. */
  lineCount = 0;
  private consumed = false;

  private constructor(
    readonly header: TraceHeader,
    private readonly lines: AsyncIterator<string>,
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
    const raw = handle.createReadStream({ start: 0 });
    if (magic[0] !== 0x1f || magic[1] !== 0x8b) return TraceReader.fromStream(raw, path, options);
    const gunzip = createGunzip({ finishFlush: zlibConstants.Z_SYNC_FLUSH });
    raw.on('error', (error) => gunzip.destroy(error));
    gunzip.on('close', () => raw.destroy());
    return TraceReader.fromStream(raw.pipe(gunzip), path, options);
  }

  /** Reads a trace from any Readable (stdin, a socket); `name` appears in messages. */
  static async fromStream(
    input: Readable,
    name = 'the input',
    options: TraceReaderOptions = {},
  ): Promise<TraceReader> {
    const lineBytesMax = options.lineBytesMax ?? TRACE_LINE_BYTES_MAX;
    guardLineLength(input, lineBytesMax, name);
    const lines = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
    let first: IteratorResult<string>;
    try {
      first = await lines.next();
    } catch (error) {
      input.destroy();
      throw asTraceError(error, name);
    }
    if (first.done) {
      throw new TraceError(
        TRACE_ERROR_CODES.NOT_A_TRACE,
        `${name} is not a Push Lab trace: it is empty.`,
      );
    }
    let header: TraceHeader;
    try {
      header = parseHeader(first.value, name);
    } catch (error) {
      input.destroy();
      throw error;
    }
    return new TraceReader(header, lines, input, name, options.warningsMax ?? TRACE_WARNINGS_MAX);
  }

  /** Events and gap records in file order. A reader can be iterated once. */
  async *records(): AsyncGenerator<TraceRecord> {
    if (this.consumed) throw new Error('TraceReader: records() may be iterated only once');
    this.consumed = true;
    /** A line that did not parse: a cut if nothing follows it, damage if something does. */
    let unparsed: { line: number; problem: string } | null = null;
    try {
      for (;;) {
        let next: IteratorResult<string>;
        try {
          next = await this.lines.next();
        } catch (error) {
          throw asTraceError(error, this.name);
        }
        if (next.done) break;
        const line = ++this.lineCount;
        if (next.value.trim() === '') continue;
        if (unparsed) {
          this.warn(
            unparsed.line,
            `line ${unparsed.line} is damaged (${unparsed.problem}); skipped`,
          );
          unparsed = null;
        }
        let value: unknown;
        try {
          value = JSON.parse(next.value);
        } catch (error) {
          unparsed = { line, problem: (error as Error).message };
          continue;
        }
        const record = toRecord(value);
        if (typeof record === 'string') this.warn(line, `line ${line} ${record}; skipped`);
        else yield record;
      }
      if (unparsed)
        this.warn(unparsed.line, `trace cut at line ${unparsed.line} (${unparsed.problem})`);
    } finally {
      this.input.destroy();
    }
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
  };
}

/** A record, or what is wrong with the value (completing "line N …"). */
function toRecord(value: unknown): TraceRecord | string {
  if (!isRecord(value)) return 'is not a JSON object';
  if (value.type === 'gap') {
    const { fromSeq, toSeq, droppedCount, fromT, toT } = value;
    if (![fromSeq, toSeq, droppedCount, fromT, toT].every((n) => typeof n === 'number')) {
      return 'is a gap record without fromSeq, toSeq, droppedCount, fromT and toT';
    }
    return value as unknown as TraceGap;
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
  let lineBytes = 0;
  input.on('data', (chunk: Buffer | string) => {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const lastNewline = buffer.lastIndexOf(0x0a);
    lineBytes = lastNewline < 0 ? lineBytes + buffer.length : buffer.length - lastNewline - 1;
    if (lineBytes > lineBytesMax) {
      input.destroy(
        new TraceError(
          TRACE_ERROR_CODES.LINE_TOO_LONG,
          `${name} is not a readable Push Lab trace: a line is longer than ${lineBytesMax} bytes.`,
        ),
      );
    }
  });
}

function asTraceError(error: unknown, name: string): TraceError {
  if (error instanceof TraceError) return error;
  return new TraceError(
    TRACE_ERROR_CODES.OPEN,
    `Cannot read ${name}: ${(error as Error).message}.`,
  );
}
