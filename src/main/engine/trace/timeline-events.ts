/**
 * The event storage behind a Timeline: events in seq order, addressed by position (0 = the
 * first event kept), with each position's seq and lab time answerable without touching the
 * events themselves.
 *
 * Events live in chunks of CHUNK_EVENTS. The chunk being filled holds the objects as given;
 * a full chunk is packed: its events as one JSON array, deflated (raw, level 1), and the
 * objects let go. A packed chunk is unpacked on demand, and the last few unpacked chunks'
 * JSON is cached (see below). Figures for a 1,000,000-event lab (bench/replay.ts's mix: 10,000 subscriptions,
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
 * What a seek unpacks is kept as text, not as objects, and only what it asks for is parsed
 * (issue 13): a random seek's p95 is the young-generation collection it meets, and whole
 * chunks parsed and kept parsed made more of them (62 → 46 scavenges per 400 seeks, CPU p95
 * ~0.7 ×). The last few chunks' JSON is cached as strings (~160 kB each: V8's large-object
 * space, never copied by a scavenge), a chunk's events are one per line (`,\n` between
 * them), so a slice parses only the events it asks for, and the last slice's events are
 * reused by the next slice where the two overlap: a step (± 1 event) parses one event. A chunk whose lines came with newlines of their own
 * (a recording's other spacing) is parsed whole, then cut.
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
  /** Full chunks deflating on the thread pool, by index: their events (and lines) until then. */
  private readonly packing = new Map<number, HeldChunk>();
  /** Running-maximum lab time of each position, one array per chunk (the last one filling). */
  private readonly times: Float64Array[] = [];
  /** The first time of each chunk, to find a time's chunk. */
  private readonly chunkFirstTimes: number[] = [];
  /** Runs of consecutive seqs: the run's first seq and first position. */
  private readonly runSeqs: number[] = [];
  private readonly runPositions: number[] = [];
  /** Packed chunks whose events are not one a line (parsed whole; see above). */
  private readonly packedNotLines = new Set<number>();
  /** Inflated JSON of recently unpacked chunks by index, least recently used first. */
  private readonly texts = new Map<number, string>();
  /** Where each event's line starts in a cached text (for the chunks in `texts` asked so). */
  private readonly lineStarts = new Map<number, Int32Array>();
  /** The chunk packed last, its objects kept: a live run's recent past is likely asked for next. */
  private lastPacked: (HeldChunk & { index: number }) | null = null;
  /** The last slice's events, positions [from, from + events.length): the next slice reuses them. */
  private lastSlice: { from: number; events: LabEvent[] } = { from: 0, events: [] };
  private lastSeq = 0;
  private lastT = -Infinity;
  count = 0;
  /** Chunks' inflated JSON kept for the next calls (the Timeline sizes it to a seek's reach). */
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
      const index = this.packed.length;
      const lines = this.fillingLines ?? events.map((event) => JSON.stringify(event));
      const json = `[${lines.join(',\n')}]`;
      if (this.fillingLines !== null && newlines(json) !== CHUNK_EVENTS - 1)
        this.packedNotLines.add(index);
      this.filling = [];
      this.fillingLines = [];
      this.pack(index, { events, lines }, json);
      this.lastPacked = { index, events, lines };
    }
  }

  /** Chunks still deflating on the thread pool (their events held in memory meanwhile). */
  get packingCount(): number {
    return this.packing.size;
  }

  private pack(index: number, held: HeldChunk, json: string): void {
    const bytes = Buffer.byteLength(json);
    this.packedBytes.push(bytes);
    // One byte a character only when every character is ASCII.
    if (bytes !== json.length) this.packedNotAscii.add(index);
    if (this.packing.size >= PACKING_MAX) {
      this.packed.push(deflateRawSync(json, DEFLATE_OPTIONS));
      return;
    }
    this.packed.push(null);
    this.packing.set(index, held);
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
   * They (and the array) may be shared with the next slice and other callers: never change them.
   */
  slice(from: number, to: number): LabEvent[] {
    const last = this.lastSlice;
    const lastTo = last.from + last.events.length - 1;
    if (from === last.from && to === lastTo) return last.events;
    const out: LabEvent[] = [];
    if (last.events.length === 0 || to < last.from || from > lastTo) {
      this.gather(from, to, out);
    } else {
      // Before the last slice, what it shares with this one, after it.
      if (from < last.from) this.gather(from, last.from - 1, out);
      const end = Math.min(to, lastTo) - last.from;
      for (let i = Math.max(0, from - last.from); i <= end; i++) out.push(last.events[i]!);
      if (to > lastTo) this.gather(lastTo + 1, to, out);
    }
    this.lastSlice = { from, events: out };
    return out;
  }

  /**
   * The events at positions [from, to] (inclusive, 0 ≤ from ≤ to < count) as the JSON text
   * of an array, oldest first, without parsing them: the lines the store holds (a recording's
   * lines as read — each one parsed and checked as an event when it was indexed — or the
   * engine's own JSON.stringify of a live event), joined. `JSON.parse` of it gives what
   * `slice` gives.
   */
  sliceJson(from: number, to: number): string {
    const pieces: string[] = [];
    for (let chunk = Math.floor(from / CHUNK_EVENTS); chunk * CHUNK_EVENTS <= to; chunk++) {
      const base = chunk * CHUNK_EVENTS;
      const first = Math.max(0, from - base);
      const last = Math.min(CHUNK_EVENTS - 1, to - base);
      const held = this.heldLines(chunk);
      if (held !== null) {
        for (let i = first; i <= last; i++) pieces.push(held[i]!);
        continue;
      }
      if (this.packedNotLines.has(chunk)) {
        // Lines with newlines of their own: not cut by line, parsed and written again.
        const { events, offset } = this.parse(chunk, first, last);
        for (let i = first; i <= last; i++) pieces.push(JSON.stringify(events[i - offset]));
        continue;
      }
      const text = this.text(chunk);
      const starts = this.starts(chunk, text);
      // Up to the last event's closing comma (or the chunk's `]`): starts[i + 1] - 2.
      pieces.push(text.slice(starts[first]!, starts[last + 1]! - 2));
    }
    return `[${pieces.join(',\n')}]`;
  }

  /** Every event, oldest first, including any appended while iterating (the caches are left as is). */
  *all(): Generator<LabEvent> {
    for (let chunk = 0; chunk * CHUNK_EVENTS < this.count; chunk++) {
      const held = this.held(chunk);
      yield* held ?? (JSON.parse(this.texts.get(chunk) ?? this.inflate(chunk)) as LabEvent[]);
    }
  }

  /** Appends the events at positions [from, to] to `out`, parsing only those of packed chunks. */
  private gather(from: number, to: number, out: LabEvent[]): void {
    for (let chunk = Math.floor(from / CHUNK_EVENTS); chunk * CHUNK_EVENTS <= to; chunk++) {
      const base = chunk * CHUNK_EVENTS;
      const first = Math.max(0, from - base);
      const last = Math.min(CHUNK_EVENTS - 1, to - base);
      const held = this.held(chunk);
      if (held !== null) {
        for (let i = first; i <= last; i++) out.push(held[i]!);
        continue;
      }
      const { events, offset } = this.parse(chunk, first, last);
      for (let i = first; i <= last; i++) out.push(events[i - offset]!);
    }
  }

  /** A chunk whose objects are at hand: the one filling, one deflating, or the one packed last. */
  private held(index: number): LabEvent[] | null {
    if (index === this.packed.length) return this.filling;
    if (this.lastPacked?.index === index) return this.lastPacked.events;
    return this.packing.get(index)?.events ?? null;
  }

  /** The JSON lines of a chunk whose objects are at hand (a live run's filling chunk: written now). */
  private heldLines(index: number): readonly string[] | null {
    if (index === this.packed.length)
      return this.fillingLines ?? this.filling.map((event) => JSON.stringify(event));
    if (this.lastPacked?.index === index) return this.lastPacked.lines;
    return this.packing.get(index)?.lines ?? null;
  }

  /**
   * Where each event's line starts in packed chunk `index`'s `text` (one a line), and where
   * a line after the last would (past the `]`): found once per cached text.
   */
  private starts(index: number, text: string): Int32Array {
    let starts = this.lineStarts.get(index);
    if (starts !== undefined) return starts;
    starts = new Int32Array(CHUNK_EVENTS + 1);
    // Event i's line starts after the i-th newline (event 0's after the `[`).
    starts[0] = 1;
    for (let i = 1; i < CHUNK_EVENTS; i++) starts[i] = text.indexOf('\n', starts[i - 1]!) + 1;
    starts[CHUNK_EVENTS] = text.length + 1;
    this.lineStarts.set(index, starts);
    return starts;
  }

  /**
   * Events [first, last] of packed chunk `index`: only those parsed (`offset`: the first one's
   * index in the chunk), unless the chunk is not one event a line (then all, offset 0).
   */
  private parse(
    index: number,
    first: number,
    last: number,
  ): { events: LabEvent[]; offset: number } {
    const text = this.text(index);
    if ((first === 0 && last === CHUNK_EVENTS - 1) || this.packedNotLines.has(index))
      return { events: JSON.parse(text) as LabEvent[], offset: 0 };
    const starts = this.starts(index, text);
    // Up to the last event's closing comma (or the chunk's `]`).
    const lines = text.slice(starts[first]!, starts[last + 1]! - 2);
    return { events: JSON.parse(`[${lines}]`) as LabEvent[], offset: first };
  }

  /** Chunk `index`'s JSON, from the cache or inflated (and cached). */
  private text(index: number): string {
    const cached = this.texts.get(index);
    if (cached !== undefined) {
      this.texts.delete(index);
      this.texts.set(index, cached);
      return cached;
    }
    const text = this.inflate(index);
    this.texts.set(index, text);
    while (this.texts.size > this.cacheChunks) {
      const oldest = this.texts.keys().next().value!;
      this.texts.delete(oldest);
      this.lineStarts.delete(oldest);
    }
    return text;
  }

  private inflate(index: number): string {
    return inflateRawSync(this.packed[index]!, {
      chunkSize: Math.max(zlibConstants.Z_MIN_CHUNK, this.packedBytes.at(index)),
    }).toString(this.packedNotAscii.has(index) ? 'utf8' : 'latin1');
  }
}

/** A full chunk whose objects are still at hand, with each event's JSON line. */
interface HeldChunk {
  events: LabEvent[];
  lines: readonly string[];
}

/** How many newline characters `text` holds. */
function newlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
}
