/**
 * The event storage behind a Timeline: events in seq order, addressed by position (0 = the
 * first event kept), with each position's seq and lab time answerable without touching the
 * events themselves.
 *
 * Events live in chunks of CHUNK_EVENTS. The chunk being filled holds the objects as given;
 * a full chunk is packed: its events as one JSON array, deflated (raw, level 1), and the
 * objects let go. A packed chunk is unpacked on demand, and the last few unpacked chunks are
 * cached. Figures for a 1,000,000-event lab (bench/replay.ts's mix: 10,000 subscriptions,
 * ~150,000 messages), node 20 on the benchmark machine:
 *
 *   kept as            heap + external   full GC    unpack one chunk (1,024 / 4,096 events)
 *   live objects       152 MB            ~170 ms    —
 *   one JSON string    160 MB             ~31 ms    0.7 / 2.7 ms (JSON.parse)
 *   deflated JSON       20 MB              ~9 ms    2.4 / 7.5 ms (inflate + JSON.parse)
 *
 * A JSON string saves GC work but no memory (V8 objects of this shape cost about what their
 * JSON does); deflated JSON costs an eighth of the memory and a few milliseconds per chunk
 * touched, which a seek pays once for the events it needs anyway. Chunks of 1,024 rather than
 * 4,096 events unpack at the same cost per event but waste less around a seek's range.
 *
 * Packing is the costly part of keeping an event (issue 13: JSON.stringify and deflate were
 * ~10 % of opening a recording). Events read from a recording come with their line, so the
 * chunk's JSON is those lines joined; and the deflate runs on libuv's thread pool (another
 * core), the chunk's objects kept until it is done — at most PACKING_MAX chunks at a time,
 * past that it deflates in line. What is packed is the same either way.
 *
 * Unpacking is inflate, decode and JSON.parse; a chunk's JSON is ~160 kB, so inflate writes
 * it into one buffer of its known size (zlib's default 16 kB pieces joined cost ~0.1 ms more
 * a chunk), and a chunk whose JSON is all ASCII (nearly all are) is decoded as latin1, a copy,
 * rather than validated as UTF-8 (~0.1 ms). JSON.parse (~0.75 ms a chunk) is the rest.
 *
 * Seqs are kept as runs of consecutive seqs (one run unless the stream has gaps), lab times
 * as one Float64Array per chunk. The times kept are the running maximum of the events' `t`,
 * so they never decrease and can be binary-searched even if a damaged stream's clock stepped
 * back (the events themselves keep their own `t`).
 */
import { constants as zlibConstants, deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { LabEvent } from '../../../shared/events';

export const CHUNK_EVENTS = 1024;
/** Chunks deflating on the thread pool at once; their events are held until they are packed. */
export const PACKING_MAX = 8;
const DEFLATE_OPTIONS = { level: 1 } as const;

/** A growable list of 32-bit integers (positions): 4 bytes an entry, not a boxed number. */
export class IntList {
  private data = new Int32Array(64);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  at(index: number): number {
    return this.data[index]!;
  }

  get last(): number | undefined {
    return this.length > 0 ? this.data[this.length - 1] : undefined;
  }

  /** The index of the last value ≤ `x` (values ascending), or -1. */
  lastAtOrBelow(x: number): number {
    return lastAtOrBelow(this.data, this.length, x);
  }
}

/** In `values[0 … length)`, ascending: the index of the last value ≤ `x`, or -1. */
export function lastAtOrBelow(values: ArrayLike<number>, length: number, x: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** One recording's events by position: packed chunks, seq runs and lab times (see above). */
export class EventStore {
  /** Deflated JSON of each full chunk (null while it deflates); the chunk being filled is `filling`. */
  private readonly packed: (Buffer | null)[] = [];
  /** Each packed chunk's JSON size in bytes (what inflating it gives). */
  private readonly packedBytes = new IntList();
  /** Packed chunks whose JSON is not all ASCII (decoded as UTF-8; the others as latin1). */
  private readonly packedNotAscii = new Set<number>();
  private filling: LabEvent[] = [];
  /** The filling chunk's events as JSON lines, while every one came with its line. */
  private fillingLines: string[] | null = [];
  /** Full chunks deflating on the thread pool, by index: their events until then. */
  private readonly packing = new Map<number, LabEvent[]>();
  /** Running-maximum lab time of each position, one array per chunk (the last one filling). */
  private readonly times: Float64Array[] = [];
  /** The first time of each chunk, to find a time's chunk. */
  private readonly chunkFirstTimes: number[] = [];
  /** Runs of consecutive seqs: the run's first seq and first position. */
  private readonly runSeqs: number[] = [];
  private readonly runPositions: number[] = [];
  /** Unpacked chunks by index, least recently used first. */
  private readonly unpacked = new Map<number, LabEvent[]>();
  private lastSeq = 0;
  private lastT = -Infinity;
  count = 0;
  /** Unpacked chunks kept for the next calls (the Timeline sizes it to a seek's reach). */
  cacheChunks = 4;

  /**
   * Keeps `event`, whose seq must be above every seq kept so far. `line`: its JSON as read
   * from a recording (parsing to the same event), which saves encoding it again.
   */
  append(event: LabEvent, line?: string): void {
    const position = this.count;
    const offset = position % CHUNK_EVENTS;
    if (position === 0 || event.seq !== this.lastSeq + 1) {
      this.runSeqs.push(event.seq);
      this.runPositions.push(position);
    }
    this.lastSeq = event.seq;
    this.lastT = Math.max(this.lastT, event.t);
    if (offset === 0) {
      this.times.push(new Float64Array(CHUNK_EVENTS));
      this.chunkFirstTimes.push(this.lastT);
    }
    this.times[this.times.length - 1]![offset] = this.lastT;
    this.filling.push(event);
    if (line === undefined) this.fillingLines = null;
    else this.fillingLines?.push(line);
    this.count += 1;
    if (this.filling.length === CHUNK_EVENTS) {
      const events = this.filling;
      const json =
        this.fillingLines !== null ? `[${this.fillingLines.join(',')}]` : JSON.stringify(events);
      this.filling = [];
      this.fillingLines = [];
      this.pack(this.packed.length, events, json);
      // The objects just packed are likely the next asked for (a live run's recent past).
      this.remember(this.packed.length - 1, events);
    }
  }

  /** Chunks still deflating on the thread pool (their events held in memory meanwhile). */
  get packingCount(): number {
    return this.packing.size;
  }

  private pack(index: number, events: LabEvent[], json: string): void {
    const bytes = Buffer.byteLength(json);
    this.packedBytes.push(bytes);
    // One byte a character only when every character is ASCII.
    if (bytes !== json.length) this.packedNotAscii.add(index);
    if (this.packing.size >= PACKING_MAX) {
      this.packed.push(deflateRawSync(json, DEFLATE_OPTIONS));
      return;
    }
    this.packed.push(null);
    this.packing.set(index, events);
    deflateRaw(json, DEFLATE_OPTIONS, (error, packed) => {
      // zlib does not fail on a string; should it, the chunk is deflated here instead.
      this.packed[index] = error ? deflateRawSync(json, DEFLATE_OPTIONS) : packed;
      this.packing.delete(index);
    });
  }

  /** The seq of the event at `position` (0 ≤ position < count). */
  seqAt(position: number): number {
    const run = lastAtOrBelow(this.runPositions, this.runPositions.length, position);
    return this.runSeqs[run]! + (position - this.runPositions[run]!);
  }

  /** How many events kept have a seq ≤ `seq`. */
  countUpToSeq(seq: number): number {
    const run = lastAtOrBelow(this.runSeqs, this.runSeqs.length, seq);
    if (run < 0) return 0;
    const start = this.runPositions[run]!;
    const end = this.runPositions[run + 1] ?? this.count;
    return start + Math.min(seq - this.runSeqs[run]! + 1, end - start);
  }

  /** The (running-maximum) lab time at `position`. */
  timeAt(position: number): number {
    return this.times[Math.floor(position / CHUNK_EVENTS)]![position % CHUNK_EVENTS]!;
  }

  /** How many events kept have a (running-maximum) time ≤ `t`. */
  countUpToTime(t: number): number {
    const chunk = lastAtOrBelow(this.chunkFirstTimes, this.chunkFirstTimes.length, t);
    if (chunk < 0) return 0;
    const size = Math.min(CHUNK_EVENTS, this.count - chunk * CHUNK_EVENTS);
    return chunk * CHUNK_EVENTS + lastAtOrBelow(this.times[chunk]!, size, t) + 1;
  }

  /**
   * The events at positions [from, to] (inclusive, 0 ≤ from ≤ to < count), oldest first.
   * They may be shared with the cache and other callers: never change them.
   */
  slice(from: number, to: number): LabEvent[] {
    const out: LabEvent[] = [];
    for (let chunk = Math.floor(from / CHUNK_EVENTS); chunk * CHUNK_EVENTS <= to; chunk++) {
      const events = this.chunk(chunk);
      const base = chunk * CHUNK_EVENTS;
      const end = Math.min(events.length - 1, to - base);
      for (let i = Math.max(0, from - base); i <= end; i++) out.push(events[i]!);
    }
    return out;
  }

  /** Every event, oldest first, including any appended while iterating (the cache is left as is). */
  *all(): Generator<LabEvent> {
    for (let chunk = 0; chunk * CHUNK_EVENTS < this.count; chunk++) {
      const events =
        chunk === this.packed.length
          ? this.filling
          : (this.unpacked.get(chunk) ?? this.packing.get(chunk) ?? this.unpack(chunk));
      yield* events;
    }
  }

  private chunk(index: number): LabEvent[] {
    if (index === this.packed.length) return this.filling;
    const cached = this.unpacked.get(index);
    if (cached) {
      this.unpacked.delete(index);
      this.unpacked.set(index, cached);
      return cached;
    }
    const deflating = this.packing.get(index);
    if (deflating) return deflating;
    const events = this.unpack(index);
    this.remember(index, events);
    return events;
  }

  private unpack(index: number): LabEvent[] {
    const json = inflateRawSync(this.packed[index]!, {
      chunkSize: Math.max(zlibConstants.Z_MIN_CHUNK, this.packedBytes.at(index)),
    }).toString(this.packedNotAscii.has(index) ? 'utf8' : 'latin1');
    return JSON.parse(json) as LabEvent[];
  }

  private remember(index: number, events: LabEvent[]): void {
    this.unpacked.set(index, events);
    while (this.unpacked.size > this.cacheChunks) {
      this.unpacked.delete(this.unpacked.keys().next().value!);
    }
  }
}
