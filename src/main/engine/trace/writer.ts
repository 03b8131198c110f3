/**
 * Streams LabEvents to a JSONL trace as they happen: the header line first, then one event a
 * line. Each event is handed to the stream at once, so a crash loses only what the stream had
 * not yet passed to the OS (at most its highWaterMark plus the queue below).
 *
 * Backpressure, bounded: while the stream is busy (write() returned false) events wait in a
 * queue of at most `queueCountMax` lines and `queueBytesMax` bytes. Past that bound events
 * are dropped, counted, and replaced in the file by one `{"type":"gap",…}` record when the
 * stream drains. Hitting the bound is reported (stats, `onGap`), never an exception.
 *
 *   lab ──write()──▶ [stream free] ───────────────────────────▶ stream ──▶ disk / stdout
 *                    [stream busy] ─▶ queue (≤ N lines) ─drain─▶
 *                    [queue full]  ─▶ dropped, counted ─drain─▶ one gap record
 *
 * close() writes the closing record (`{"type":"end",…}`, format.ts) after everything else,
 * so a file without one was cut: readers tell a killed run from a finished one by it.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { LabEvent } from '../../../shared/events';
import { VERSION } from '../version';
import {
  TRACE_END_VERSION,
  TRACE_TYPE,
  TRACE_VERSION,
  type TraceEnd,
  type TraceEndReason,
  type TraceGap,
  type TraceHeader,
  type TraceMeta,
} from './format';

/** Header fields the caller supplies; `pushLabVersion` defaults to this build's VERSION. */
export type TraceWriterMeta = Omit<TraceMeta, 'pushLabVersion'> & { pushLabVersion?: string };

export interface TraceWriterOptions {
  /** Lines held while the stream is busy; more are dropped as a gap. Default 10,000. */
  queueCountMax?: number;
  /** Bytes held while the stream is busy (same policy). Default 8 MiB. */
  queueBytesMax?: number;
  /** End the stream on close(): true for files, false (default) for stdout and the like. */
  endStream?: boolean;
  /**
   * Called when a gap record has been written. It runs from the stream's 'drain', never from
   * inside write(), so it may safely emit on the bus (e.g. limit.reached what 'events').
   */
  onGap?: (gap: TraceGap) => void;
}

export interface TraceWriterStats {
  /** Events handed to the stream. */
  eventsWritten: number;
  /** Events dropped because the queue was full (each counted in a gap record). */
  eventsDropped: number;
  /** Events given after close() or after the stream failed; not written. */
  eventsIgnored: number;
  gapsWritten: number;
  /** Bytes handed to the stream, header and gap records included. */
  bytesWritten: number;
  /** The most lines the queue ever held (≤ queueCountMax). */
  queueCountPeak: number;
  /** One sentence when the stream failed, else null. */
  error: string | null;
}

/** What the caller knows about how the run ended, for the closing record. */
export interface TraceClose {
  reason?: TraceEndReason;
  /** Lab time the run covered, ms; default: from the first event to the last one seen. */
  labTimeMs?: number;
}

export const TRACE_QUEUE_COUNT_MAX = 10_000;
export const TRACE_QUEUE_BYTES_MAX = 8 * 1024 * 1024;

export class TraceWriter {
  private readonly queueCountMax: number;
  private readonly queueBytesMax: number;
  private readonly queue: string[] = [];
  private queueBytes = 0;
  /** The run of dropped events not yet recorded in the file. */
  private gap: TraceGap | null = null;
  private blocked = false;
  private closing: Promise<TraceWriterStats> | null = null;
  /** Seen events (dropped ones too): the closing record's lab time span. */
  private firstT: number | null = null;
  private lastT: number | null = null;
  private lastSeqWritten: number | null = null;
  private readonly counts: TraceWriterStats = {
    eventsWritten: 0,
    eventsDropped: 0,
    eventsIgnored: 0,
    gapsWritten: 0,
    bytesWritten: 0,
    queueCountPeak: 0,
    error: null,
  };

  /** A writer that creates (or truncates) the file at `path`; close() ends the file. */
  static toFile(
    path: string,
    meta: TraceWriterMeta,
    options: TraceWriterOptions = {},
  ): TraceWriter {
    return new TraceWriter(createWriteStream(path, { flags: 'w' }), meta, {
      endStream: true,
      ...options,
    });
  }

  /** Writes the header at once; events follow through write(). */
  constructor(
    private readonly stream: Writable,
    meta: TraceWriterMeta,
    private readonly options: TraceWriterOptions = {},
  ) {
    this.queueCountMax = Math.max(1, options.queueCountMax ?? TRACE_QUEUE_COUNT_MAX);
    this.queueBytesMax = Math.max(1, options.queueBytesMax ?? TRACE_QUEUE_BYTES_MAX);
    stream.on('drain', () => this.flush());
    stream.on('error', (error: Error) => this.fail(`trace stream failed: ${error.message}`));
    const header: TraceHeader = {
      type: TRACE_TYPE,
      version: TRACE_VERSION,
      scenario: meta.scenario,
      seed: meta.seed,
      clockMode: meta.clockMode,
      pushLabVersion: meta.pushLabVersion ?? VERSION,
      ...(meta.run ? { run: meta.run } : {}),
      ...(meta.durationMs !== undefined ? { durationMs: meta.durationMs } : {}),
    };
    this.send(JSON.stringify(header) + '\n');
  }

  /** Records one event; never throws (the bus removes listeners that do). */
  write(event: LabEvent): void {
    if (this.closing !== null || this.counts.error !== null) {
      this.counts.eventsIgnored += 1;
      return;
    }
    this.firstT ??= event.t;
    this.lastT = event.t;
    const line = JSON.stringify(event) + '\n';
    if (!this.blocked) {
      this.lastSeqWritten = event.seq;
      this.counts.eventsWritten += 1;
      this.send(line);
      return;
    }
    const full =
      this.queue.length >= this.queueCountMax || this.queueBytes + line.length > this.queueBytesMax;
    // Once dropping has begun it lasts until the stream drains, so the gap is one contiguous run.
    if (this.gap !== null || full) {
      this.drop(event);
      return;
    }
    this.queue.push(line);
    this.lastSeqWritten = event.seq;
    this.queueBytes += line.length;
    this.counts.queueCountPeak = Math.max(this.counts.queueCountPeak, this.queue.length);
  }

  /** A copy of the counters so far. */
  get stats(): TraceWriterStats {
    return { ...this.counts };
  }

  /**
   * Stops accepting events, writes what is queued (and a pending gap record), then the
   * closing record, ends the stream when `endStream`, and resolves with the final counters.
   * Never rejects: a stream failure is reported in `error`. Calling it again returns the
   * same promise (the first call's `end` is the one written).
   */
  close(end: TraceClose = {}): Promise<TraceWriterStats> {
    this.closing ??= this.drainAndEnd(end);
    return this.closing;
  }

  private async drainAndEnd(end: TraceClose): Promise<TraceWriterStats> {
    while (this.blocked && this.counts.error === null) await this.waitForDrain();
    if (this.counts.error === null) {
      const record: TraceEnd = {
        type: 'end',
        version: TRACE_END_VERSION,
        events: this.counts.eventsWritten,
        lastSeq: this.lastSeqWritten,
        labTimeMs:
          end.labTimeMs ??
          (this.firstT !== null && this.lastT !== null ? this.lastT - this.firstT : 0),
        reason: end.reason ?? 'closed',
      };
      this.send(JSON.stringify(record) + '\n');
      while (this.blocked && this.counts.error === null) await this.waitForDrain();
    }
    if (this.options.endStream && this.counts.error === null) {
      try {
        this.stream.end();
        await finished(this.stream);
      } catch (error) {
        this.fail(`trace stream failed: ${(error as Error).message}`);
      }
    }
    return this.stats;
  }

  private send(chunk: string): void {
    this.counts.bytesWritten += Buffer.byteLength(chunk);
    if (!this.stream.write(chunk)) this.blocked = true;
  }

  private drop(event: LabEvent): void {
    this.counts.eventsDropped += 1;
    if (this.gap === null) {
      this.gap = {
        type: 'gap',
        fromSeq: event.seq,
        toSeq: event.seq,
        droppedCount: 1,
        fromT: event.t,
        toT: event.t,
      };
    } else {
      this.gap.toSeq = event.seq;
      this.gap.droppedCount += 1;
      this.gap.toT = event.t;
    }
  }

  /** The stream drained: write the queue and the pending gap record as one chunk. */
  private flush(): void {
    this.blocked = false;
    if (this.counts.error !== null || (this.queue.length === 0 && this.gap === null)) return;
    const gap = this.gap;
    const chunk = this.queue.join('') + (gap ? JSON.stringify(gap) + '\n' : '');
    this.counts.eventsWritten += this.queue.length;
    this.queue.length = 0;
    this.queueBytes = 0;
    this.gap = null;
    this.send(chunk);
    if (gap) {
      this.counts.gapsWritten += 1;
      try {
        this.options.onGap?.(gap);
      } catch {
        // A broken observer must not stop the trace.
      }
    }
  }

  private fail(sentence: string): void {
    if (this.counts.error !== null) return;
    this.counts.error = sentence;
    // What was queued (and the pending gap) can no longer be written.
    this.counts.eventsDropped += this.queue.length;
    this.queue.length = 0;
    this.queueBytes = 0;
    this.gap = null;
  }

  /** Resolves on 'drain', or when the stream closes or fails (then no drain will come). */
  private waitForDrain(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('close', onClose);
        this.stream.off('error', done);
        resolve();
      };
      const onClose = (): void => {
        if (this.blocked) this.fail('trace stream closed before the trace was written');
        done();
      };
      this.stream.once('drain', done);
      this.stream.once('close', onClose);
      this.stream.once('error', done);
    });
  }
}
