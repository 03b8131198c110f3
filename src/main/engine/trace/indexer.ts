/**
 * Reads a recording into a show's Recorder in steps, so the show can be on screen before the
 * whole file is read (issue 13): `read(FIRST_VIEW_EVENTS)` gives the first view (its first
 * events, the model after them, the timeline so far), then `readRest` indexes the rest while
 * the views already work, telling its progress every PROGRESS_EVENTS events. Seeks, finds and
 * the timeline answer from what has been indexed so far: a Timeline only grows.
 *
 * It never yields to a timer: reading the file is I/O, so the event loop gets a turn (and the
 * UI's commands an answer) between the stream's chunks.
 */
import type { RecordBatch, TraceReader } from './reader';
import type { Recorder } from './recorder';
import { CHUNK_EVENTS } from './timeline-events';

/** Events read before a recording is shown: a few chunks, tens of milliseconds. */
export const FIRST_VIEW_EVENTS = 4 * CHUNK_EVENTS;
/** Events between two progress calls while the rest is read. */
export const PROGRESS_EVENTS = 64 * CHUNK_EVENTS;

export class RecordingIndexer {
  private readonly batches: AsyncIterator<RecordBatch>;
  /** The batch being recorded and the index of its next record. */
  private batch: RecordBatch = { records: [], lines: [] };
  private next = 0;
  /** Reading was stopped before the end (`cancel`). */
  cancelled = false;
  /** True once the whole recording has been read (or reading was cancelled). */
  done = false;

  constructor(
    readonly reader: TraceReader,
    private readonly recorder: Recorder,
  ) {
    this.batches = reader.batches()[Symbol.asyncIterator]();
  }

  /** How much of the file has been indexed, 0–1 (null: a stream of unknown length). */
  progress(): number | null {
    return this.done ? 1 : this.reader.progress();
  }

  /**
   * Records up to `events` more events (and the gap records among them); resolves true when
   * the recording has ended. A reading failure (TraceError) rejects, with what came before it
   * recorded.
   */
  async read(events: number): Promise<boolean> {
    for (let read = 0; read < events;) {
      if (this.cancelled) return this.finish();
      if (this.next === this.batch.records.length) {
        const next = await this.batches.next();
        if (next.done === true) return this.finish();
        this.batch = next.value;
        this.next = 0;
      }
      // The batch's records in a plain loop: no promise a record.
      const { records, lines } = this.batch;
      while (this.next < records.length && read < events) {
        const record = records[this.next]!;
        if (record.type === 'event') {
          this.recorder.recordRead(record.event, lines[this.next]);
          read += 1;
        } else this.recorder.noteGap(record);
        this.next += 1;
      }
    }
    return false;
  }

  /** Reads to the end, calling `progress` every PROGRESS_EVENTS events. */
  async readRest(progress: () => void): Promise<void> {
    while (!(await this.read(PROGRESS_EVENTS))) progress();
  }

  /** Stops reading and releases the file; what was read stays recorded. */
  cancel(): void {
    this.cancelled = true;
    this.reader.close();
  }

  private finish(): true {
    this.done = true;
    this.reader.close();
    return true;
  }
}
