/**
 * A Timeline indexes one recording — a live run's events as they come, or a trace opened
 * from disk — and answers the workbench's time-travel questions fast: the lab as it was just
 * after any event (`seek`, `seekTime`), the run's shape (`info`: event density and markers),
 * and the next or previous violation, marker or event of one message (`find`).
 *
 * - Events are kept compactly (timeline-events.ts: deflated chunks, figures there).
 * - Snapshots of the LabModel, folded with the shared reducer, are taken every K events, so a
 *   seek folds at most K - 1 events onto the nearest one (or onto one of the last few seeks'
 *   models, when closer: a scrubber moves back and forth). The reducer's tables share what a
 *   batch did not change (shared/table.ts), so what a snapshot adds to the ones before it is
 *   what the K events since changed: it is counted as min(K, its entries). Snapshots are
 *   bounded by that count together (`snapshotEntriesMax`) and by number: past a bound K
 *   doubles and every other snapshot goes. K starts at 1 chunk (issue 13: it used to grow
 *   with the entries a snapshot holds, to 16,384 events in the benchmark's lab, and a seek
 *   folded and unpacked up to that many; at 4,096 the same lab's heap grew by ~75 MB a
 *   million events and seeks took about half the time; at 2,048 it holds ~45 MB more than at
 *   4,096 — 276 rather than 229 bytes an event — and a random seek costs ~23 % less CPU at
 *   the median, ~14 % at p95; at 1,024 the Timeline's heap is ~54 MB more again, 279 rather
 *   than 225 MB, and the seek's CPU p95 is ~0.4–0.5 × for near jumps of ± 2,000 events and
 *   random ones, measured side by side in one process, bench/results-parts/near.md).
 * - Markers (link outages, expiries, replacements, receipts, invariant violations) and a
 *   per-message list of positions are indexed as events are appended. Violations come from
 *   an InvariantChecker fed the same events; 'lost' is a judgement about the run's end, not
 *   an event (a message whose TTL has just run out looks lost until the expiry sweep), so it
 *   is not a marker: `verdict()` has it.
 * - Everything is bounded: past `eventsMax` events the timeline stops indexing and says so
 *   (`truncated`, `notes()`); the message index and the marker lists have bounds of their own.
 *
 * Events arrive in seq order, normally gap-free from 1. A stream with gaps (a trace whose
 * writer fell behind, a damaged file) is indexed as it is: seeks clamp into the seqs present.
 * An event whose seq does not rise is checked but not kept.
 */
import type { LabEvent } from '../../../shared/events';
import { ModelFold, applyEvents, emptyModel, type LabModel } from '../../../shared/model';
import {
  MARKERS_MAX,
  SEEK_WINDOW_MAX,
  TIMELINE_BUCKETS_MAX,
  type ListedMarker,
  type MarkerKind,
  type MarkerPage,
  type SeekResult,
  type TimelineInfo,
  type TimelineMarker,
} from '../../../shared/workbench';
import {
  InvariantChecker,
  type CheckerOptions,
  type CheckerVerdicts,
  type CheckResult,
  type Violation,
} from './checker';
import type { SeekAnswer } from '../../../shared/seek-wire';
import type { TraceReader } from './reader';
import { CHUNK_EVENTS, EventStore, IntList } from './timeline-events';

export interface TimelineOptions {
  /** Events indexed; later ones are counted, not kept. Default 2,000,000. */
  eventsMax?: number;
  /** Messages the per-message index knows; events of later ones are not indexed. Default 1,000,000. */
  messagesMax?: number;
  /** Markers kept, all kinds together (all are counted). Default 500,000. */
  markersMax?: number;
  /**
   * Table entries (subscriptions, messages, agents) all snapshots may add together, each
   * counted as min(K, its entries). Default 2,000,000 (the benchmark's busy lab: a million
   * events count 1,000,000, at K = 1,024 as at 2,048, and hold ~54 MB more at 1,024).
   */
  snapshotEntriesMax?: number;
  /** K to start with: events between two snapshots (it doubles past the bounds). Default 1,024. */
  snapshotEvery?: number;
  /** Options for the invariant checker that finds the violations. */
  checker?: Omit<CheckerOptions, 'onViolation'>;
}

export type TimelineFind = 'violation' | 'message' | 'marker';

/** A seek's answer; the caller adds its epoch. Events and model are shared: never change them. */
export type TimelineSeek = Omit<SeekResult, 'epoch'>;

/** A seek's answer with its events as the JSON text of an array (`EventStore.sliceJson`). */
export type TimelineSeekJson = Pick<SeekAnswer, 'seq' | 't' | 'model' | 'eventsJson'>;

/** A seek's answer without its events: its window is the store positions [first, end). */
export interface TimelineSeekWindow extends Omit<TimelineSeekJson, 'eventsJson'> {
  first: number;
  end: number;
}

export const TIMELINE_EVENTS_MAX = 2_000_000;
export const TIMELINE_MESSAGES_MAX = 1_000_000;
export const TIMELINE_MARKERS_MAX = 500_000;
export const TIMELINE_SNAPSHOT_ENTRIES_MAX = 2_000_000;
/** Events past the bound folded into the live model at a time (bounds what waits unfolded). */
const BEYOND_BATCH_EVENTS = 2_000;
/** Recent seeks whose models are kept to start the next seek from. */
const RECENT_MODELS = 8;
/** Snapshots at most, whatever their size. */
const SNAPSHOTS_MAX = 1024;
/** K starts at one chunk, and stops doubling here (so a seek never folds more). */
const SNAPSHOT_EVERY_MIN = CHUNK_EVENTS;
const SNAPSHOT_EVERY_MAX = 128 * CHUNK_EVENTS;

const MARKER_KINDS: readonly MarkerKind[] = [
  'violation',
  'outage',
  'expiry',
  'replacement',
  'receipt',
];

/** One kind's markers: positions ascending, with their labels and the message each names. */
interface MarkerList {
  positions: IntList;
  labels: string[];
  /** Kept so a page need not unpack each marker's chunk (~6 ms a chunk) to name its message. */
  messageIds: (string | null)[];
  /** All of this kind, kept or not. */
  count: number;
}

const markerList = (): MarkerList => ({
  positions: new IntList(),
  labels: [],
  messageIds: [],
  count: 0,
});

/** Where one message's events are: a linked list, newest first, in `nodes`. */
interface MessageNodes {
  position: IntList;
  /** Index of the message's previous node, -1 for its first. */
  previous: IntList;
}

export class Timeline {
  private readonly store = new EventStore();
  private readonly eventsMax: number;
  private readonly messagesMax: number;
  private readonly markersMax: number;
  private readonly snapshotEntriesMax: number;
  private readonly checker: InvariantChecker;

  /** snapshots[i] is the model after the first i·K events. */
  private snapshots: LabModel[] = [emptyModel()];
  private snapshotEntries: number[] = [0];
  private every = SNAPSHOT_EVERY_MIN;
  /**
   * The model after `headCount` events, and the fold of the events kept since (null when
   * there are none): each event is folded as it is appended, its message step read by the
   * checker (one step an event, issue 13), and the fold closed into `head` when asked.
   */
  private head = emptyModel();
  private headCount = 0;
  private fold: ModelFold | null = null;
  /** The last few seeks' models (oldest first): a scrubber moves back and forth near them. */
  private recent: { count: number; model: LabModel }[] = [];
  /**
   * Past `eventsMax` the events are not kept, but the show's live model still follows them:
   * the model after every event (`beyond`, null until the bound is reached) and those since.
   */
  private beyond: LabModel | null = null;
  private beyondPending: LabEvent[] = [];

  private readonly markers: Record<MarkerKind, MarkerList> = {
    violation: markerList(),
    outage: markerList(),
    expiry: markerList(),
    replacement: markerList(),
    receipt: markerList(),
  };
  private markersKept = 0;
  private markersDropped = 0;
  /** messageId → index of its newest node. */
  private readonly messages = new Map<string, number>();
  private readonly nodes: MessageNodes = { position: new IntList(), previous: new IntList() };
  private unindexedMessageEvents = 0;

  /** Where violations the checker finds now go: the event being appended (or the last kept). */
  private appending = 0;
  private ignoredCount = 0;
  private skippedCount = 0;
  private gapCount = 0;

  constructor(options: TimelineOptions = {}) {
    this.eventsMax = options.eventsMax ?? TIMELINE_EVENTS_MAX;
    this.messagesMax = options.messagesMax ?? TIMELINE_MESSAGES_MAX;
    this.markersMax = options.markersMax ?? TIMELINE_MARKERS_MAX;
    this.snapshotEntriesMax = options.snapshotEntriesMax ?? TIMELINE_SNAPSHOT_ENTRIES_MAX;
    this.every = Math.max(1, Math.floor(options.snapshotEvery ?? SNAPSHOT_EVERY_MIN) || 1);
    this.checker = new InvariantChecker({
      ...options.checker,
      onViolation: (v) => this.onViolation(v),
    });
    this.sizeCache();
  }

  /**
   * Reads a whole trace (or bundle) into a new Timeline, streaming. The reader's warnings
   * (a cut or damaged file) are the caller's to show; gap records reach the checker.
   */
  static async fromReader(reader: TraceReader, options: TimelineOptions = {}): Promise<Timeline> {
    const timeline = new Timeline(options);
    for await (const { records, lines } of reader.batches()) {
      records.forEach((record, i) => {
        if (record.type === 'event') timeline.append(record.event, lines[i]);
        else timeline.noteGap(record);
      });
    }
    return timeline;
  }

  /** Events indexed. */
  get count(): number {
    return this.store.count;
  }

  /** The first and last seq indexed; null before any event. */
  get firstSeq(): number | null {
    return this.store.count > 0 ? this.store.seqAt(0) : null;
  }
  get lastSeq(): number | null {
    return this.store.count > 0 ? this.store.seqAt(this.store.count - 1) : null;
  }

  /** The first event's lab time, and the latest lab time seen; null before any event. */
  get firstT(): number | null {
    return this.store.count > 0 ? this.store.timeAt(0) : null;
  }
  get lastT(): number | null {
    return this.store.count > 0 ? this.store.timeAt(this.store.count - 1) : null;
  }

  /**
   * Lab time from the first event to the last (0 before any): the show's "now" as recorded.
   * The run bar (status.elapsedMs) and the timeline's end both read it, so they never disagree.
   */
  get spanMs(): number {
    return this.store.count > 0
      ? this.store.timeAt(this.store.count - 1) - this.store.timeAt(0)
      : 0;
  }

  /** Every event indexed, oldest first (unpacked one chunk at a time; shared: never change them). */
  all(): Generator<LabEvent> {
    return this.store.all();
  }

  /** K: events between two snapshots, the most a seek folds (for tests and the benchmark). */
  get snapshotEvery(): number {
    return this.every;
  }

  /** The bound on events was reached: later events are not on the timeline. */
  get truncated(): boolean {
    return this.ignoredCount > 0;
  }

  /**
   * Indexes one event (the next in seq order). Returns false when it was not kept: past the
   * bound, or a seq that does not rise. `line`: its JSON as read from a recording, if it was.
   */
  append(event: LabEvent, line?: string): boolean {
    if (this.store.count >= this.eventsMax) {
      this.ignoredCount += 1;
      // Still judged (the checker's memory is bounded on its own), so the show's report,
      // which reads this checker, covers the whole stream; counted, not placed (-1).
      this.appending = -1;
      this.checker.check(event);
      this.beyondPending.push(event);
      if (this.beyondPending.length >= BEYOND_BATCH_EVENTS) this.model();
      return false;
    }
    const count = this.store.count;
    const rises = count === 0 || event.seq > this.store.seqAt(count - 1);
    // Violations the checker finds now belong to this event, or (if it is not kept) the last one.
    this.appending = rises ? count : count - 1;
    if (!rises) {
      this.checker.check(event);
      this.skippedCount += 1;
      return false;
    }
    // Folded first, so the checker judges from the step the fold made. As in applyEvents, an
    // event at or below the model's seq is not folded (only a first seq ≤ 0 can be).
    const fold = (this.fold ??= new ModelFold(this.head));
    const folded = event.seq > fold.seq;
    if (folded) fold.apply(event);
    this.checker.check(event, folded ? fold : undefined);
    this.store.append(event, line);
    this.indexMarker(event, count);
    this.indexMessage(event, count);
    if (this.store.count % this.every === 0) this.takeSnapshot();
    return true;
  }

  /** Closes the fold of the events since `head` into `head`. */
  private closeFold(): void {
    if (this.fold === null) return;
    this.head = this.fold.finish();
    this.headCount = this.store.count;
    this.fold = null;
  }

  /**
   * The lab after every event appended so far, kept or past the bound: the show's live model.
   * Each event is folded into it once (the head snapshots build on the same fold), so a show
   * needs no second model of its own.
   */
  model(): LabModel {
    this.closeFold();
    if (this.beyondPending.length > 0) {
      this.beyond = applyEvents(this.beyond ?? this.head, this.beyondPending);
      this.beyondPending = [];
    }
    return this.beyond ?? this.head;
  }

  /** A trace gap record: the writer dropped seqs [fromSeq, toSeq] (for the checker and notes). */
  noteGap(gap: { fromSeq: number; toSeq: number }): void {
    this.gapCount += 1;
    this.checker.noteGap(gap);
  }

  /** The lab just after event `seq` (clamped into the recording), and up to `window` events before. */
  seek(seq: number, window: number): TimelineSeek {
    return this.seekPosition(this.store.countUpToSeq(seq) - 1, window);
  }

  /** The lab just after the last event at or before lab time `t` (the first event, if none). */
  seekTime(t: number, window: number): TimelineSeek {
    return this.seekPosition(this.store.countUpToTime(t) - 1, window);
  }

  /**
   * `seek`, its events as JSON text (the `seek` command's answer, issue 13): only the events
   * the fold needs are parsed here; the window's are parsed once, by the client.
   */
  seekJson(seq: number, window: number): TimelineSeekJson {
    return this.withEventsJson(this.seekWindow({ seq }, window));
  }

  /** `seekTime`, its events as JSON text (see `seekJson`). */
  seekTimeJson(t: number, window: number): TimelineSeekJson {
    return this.withEventsJson(this.seekWindow({ t }, window));
  }

  /**
   * `seek` (given `seq`) or `seekTime` (given `t`) without its events: the window is named by
   * store positions [first, end), which never change within a show (the store only appends),
   * so the `seek` command can send only the events a client's earlier window lacks
   * (`eventsJson`).
   */
  seekWindow(where: { seq: number } | { t: number }, window: number): TimelineSeekWindow {
    const target =
      'seq' in where
        ? this.store.countUpToSeq(where.seq) - 1
        : this.store.countUpToTime(where.t) - 1;
    return this.seekPositionWindow(target, window);
  }

  /** The events at store positions [first, end) as the JSON text of an array (`[]` if none). */
  eventsJson(first: number, end: number): string {
    return first < end ? this.store.sliceJson(first, end - 1) : '[]';
  }

  private withEventsJson({ first, end, ...at }: TimelineSeekWindow): TimelineSeekJson {
    return { ...at, eventsJson: this.eventsJson(first, end) };
  }

  /**
   * The run's span, event density over `buckets` equal slices of [firstT, lastT], and its
   * markers (at most MARKERS_MAX, shared fairly between kinds and spread evenly within one).
   */
  info(buckets: number): Omit<TimelineInfo, 'epoch'> {
    const n = Math.min(TIMELINE_BUCKETS_MAX, Math.max(1, Math.floor(buckets) || 1));
    const count = this.store.count;
    const markerCounts = Object.fromEntries(
      MARKER_KINDS.map((kind) => [kind, this.markers[kind].count]),
    ) as Record<MarkerKind, number>;
    if (count === 0) {
      return {
        firstSeq: 0,
        lastSeq: 0,
        firstT: 0,
        lastT: 0,
        density: new Array<number>(n).fill(0),
        markers: [],
        markerCounts,
      };
    }
    const firstT = this.store.timeAt(0);
    const lastT = this.store.timeAt(count - 1);
    const density: number[] = [];
    // Slice i ends at firstT + (i+1)·(lastT − firstT)/n; an event on an edge counts in the slice below it.
    let counted = 0;
    for (let i = 1; i < n; i++) {
      const upTo = this.store.countUpToTime(firstT + ((lastT - firstT) * i) / n);
      density.push(upTo - counted);
      counted = upTo;
    }
    density.push(count - counted);
    return {
      firstSeq: this.store.seqAt(0),
      lastSeq: this.store.seqAt(count - 1),
      firstT,
      lastT,
      density,
      markers: this.listMarkers(),
      markerCounts,
    };
  }

  /**
   * The seq of the next (direction 1: first after `from`) or previous (-1: last before
   * `from`) violation, marker of any kind, or event naming `messageId`; null when none.
   */
  find(from: number, direction: 1 | -1, what: TimelineFind, messageId?: string): number | null {
    // Positions ≥ `boundary` come after `from`; positions < `boundary` come before it.
    const boundary =
      direction === 1 ? this.store.countUpToSeq(from) : this.store.countUpToSeq(from - 1);
    let found = -1;
    if (what === 'message') {
      if (messageId !== undefined) found = this.findMessage(messageId, boundary, direction);
    } else {
      const kinds = what === 'violation' ? (['violation'] as const) : MARKER_KINDS;
      for (const kind of kinds) {
        const positions = this.markers[kind].positions;
        const i = positions.lastAtOrBelow(boundary - 1) + (direction === 1 ? 1 : 0);
        if (i < 0 || i >= positions.length) continue;
        const p = positions.at(i);
        if (found < 0 || (direction === 1 ? p < found : p > found)) found = p;
      }
    }
    return found < 0 ? null : this.store.seqAt(found);
  }

  /**
   * A page of the markers kept, oldest first: those after seq `after` (all: -1 … 0), of
   * `kinds`, whose sentence contains `text` (any case), at most `limit`. Each marker's
   * sentence and message are the ones indexed with it (a violation's are the checker's).
   * `matched` counts every page; with a text filter that is one pass over the kept markers'
   * sentences (at most `markersMax`).
   */
  markerPage(
    after: number,
    kinds: readonly MarkerKind[],
    text: string,
    limit: number,
  ): Omit<MarkerPage, 'epoch'> {
    const needle = text.trim().toLowerCase();
    const boundary = this.store.countUpToSeq(after);
    const lists = kinds.map((kind) => ({ kind, list: this.markers[kind] }));
    // One cursor per kind at its first position ≥ boundary; the page merges them by position.
    const cursors = lists.map(({ list }) => list.positions.lastAtOrBelow(boundary - 1) + 1);
    const matches = (label: string) => needle === '' || label.toLowerCase().includes(needle);
    const picked: (Omit<ListedMarker, 'seq' | 't'> & { position: number })[] = [];
    let more = false;
    for (;;) {
      let best = -1;
      for (let k = 0; k < lists.length; k++) {
        const { positions } = lists[k]!.list;
        if (cursors[k]! >= positions.length) continue;
        if (best < 0 || positions.at(cursors[k]!) < lists[best]!.list.positions.at(cursors[best]!))
          best = k;
      }
      if (best < 0) break;
      const { kind, list } = lists[best]!;
      const index = cursors[best]!++;
      const label = list.labels[index]!;
      if (!matches(label)) continue;
      if (picked.length === limit) {
        more = true;
        break;
      }
      picked.push({
        position: list.positions.at(index),
        kind,
        label,
        messageId: list.messageIds[index] ?? null,
      });
    }
    let matched = 0;
    for (const { list } of lists) {
      if (needle === '') matched += list.positions.length;
      else for (const label of list.labels) if (matches(label)) matched += 1;
    }
    const markers: ListedMarker[] = picked.map(({ position, kind, label, messageId }) => ({
      seq: this.store.seqAt(position),
      t: this.store.timeAt(position),
      kind,
      label,
      messageId,
    }));
    const counts = Object.fromEntries(
      MARKER_KINDS.map((kind) => [kind, this.markers[kind].count]),
    ) as Record<MarkerKind, number>;
    return { markers, matched, next: more ? markers[markers.length - 1]!.seq : null, counts };
  }

  /** The checker's verdict over the events so far ('lost' judged at `endT`, default the last event's t). */
  verdict(endT?: number): CheckResult {
    return this.checker.finish(endT);
  }

  /** The one checker of this stream, for the show's report to read (ReportOptions.verdicts). */
  get verdicts(): CheckerVerdicts {
    return this.checker;
  }

  /** What limited the timeline, one sentence each; empty when it holds the whole stream. */
  notes(): string[] {
    const notes: string[] = [];
    const count = this.store.count;
    if (this.ignoredCount > 0)
      notes.push(
        `The timeline holds its first ${count} events (eventsMax=${this.eventsMax}); ${this.ignoredCount} later event(s) are not on it.`,
      );
    if (count > 0) {
      const missing = this.store.seqAt(count - 1) - this.store.seqAt(0) + 1 - count;
      if (missing > 0)
        notes.push(
          `${missing} seq(s) between ${this.store.seqAt(0)} and ${this.store.seqAt(count - 1)} are missing${this.gapCount > 0 ? ` (the trace has ${this.gapCount} gap record(s))` : ''}.`,
        );
    }
    if (this.skippedCount > 0)
      notes.push(`${this.skippedCount} event(s) whose seq did not rise were left out.`);
    if (this.unindexedMessageEvents > 0)
      notes.push(
        `${this.unindexedMessageEvents} event(s) of messages beyond messagesMax=${this.messagesMax} cannot be found by message.`,
      );
    if (this.markersDropped > 0)
      notes.push(
        `${this.markersDropped} marker(s) beyond markersMax=${this.markersMax} are counted but not listed.`,
      );
    return notes;
  }

  // ---- seeking -------------------------------------------------------------------------------

  private seekPosition(target: number, window: number): TimelineSeek {
    const count = this.store.count;
    if (count === 0) return { seq: 0, t: 0, model: emptyModel(), events: [] };
    const { position, wanted, size, base, baseCount } = this.seekBase(target, window);
    const from = Math.max(0, Math.min(baseCount, wanted - size));
    const events = from < wanted ? this.store.slice(from, position) : [];
    const model = this.foldTo(base, baseCount, wanted, events, baseCount - from);
    return {
      seq: model.seq,
      t: model.t,
      model,
      // The store's own array when it is the window (most seeks): shared, never changed.
      events: size === 0 ? [] : events.length <= size ? events : events.slice(events.length - size),
    };
  }

  private seekPositionWindow(target: number, window: number): TimelineSeekWindow {
    const count = this.store.count;
    if (count === 0) return { seq: 0, t: 0, model: emptyModel(), first: 0, end: 0 };
    const { position, wanted, size, base, baseCount } = this.seekBase(target, window);
    // Only the events to fold are parsed (the window's are the client's to parse).
    const events = baseCount < wanted ? this.store.slice(baseCount, position) : [];
    const model = this.foldTo(base, baseCount, wanted, events, 0);
    return {
      seq: model.seq,
      t: model.t,
      model,
      first: wanted - Math.min(size, wanted),
      end: wanted,
    };
  }

  /** Where a seek lands (clamped), its window's size, and the closest model at or before it. */
  private seekBase(
    target: number,
    window: number,
  ): { position: number; wanted: number; size: number; base: LabModel; baseCount: number } {
    const position = Math.min(this.store.count - 1, Math.max(0, target));
    const wanted = position + 1;
    const size = Math.min(SEEK_WINDOW_MAX, Math.max(0, Math.floor(window) || 0));
    // The closest model at or before the target: a snapshot, the head, or a recent seek's.
    const index = Math.min(Math.floor(wanted / this.every), this.snapshots.length - 1);
    let base = this.snapshots[index]!;
    let baseCount = index * this.every;
    for (const other of [{ count: this.headCount, model: this.head }, ...this.recent]) {
      if (other.count <= wanted && other.count > baseCount) {
        base = other.model;
        baseCount = other.count;
      }
    }
    return { position, wanted, size, base, baseCount };
  }

  /**
   * The model after `wanted` events: `base` (after `baseCount`) with `events[skip …]` folded
   * in place (no copy of the events: issue 13, a seek's garbage is its p95); kept as a recent
   * seek's model.
   */
  private foldTo(
    base: LabModel,
    baseCount: number,
    wanted: number,
    events: readonly LabEvent[],
    skip: number,
  ): LabModel {
    let model = base;
    if (baseCount < wanted) {
      const fold = new ModelFold(base);
      for (let i = skip; i < events.length; i++) {
        const event = events[i]!;
        if (event.seq > fold.seq) fold.apply(event);
      }
      model = fold.finish();
    }
    this.recent = this.recent.filter((r) => r.count !== wanted);
    this.recent.push({ count: wanted, model });
    if (this.recent.length > RECENT_MODELS) this.recent.shift();
    return model;
  }

  private takeSnapshot(): void {
    this.closeFold();
    // What this snapshot holds that the one before does not: the entries the events since
    // changed (the tables share the rest), at most all of them.
    const entries = Math.min(
      this.every,
      this.head.subscriptions.size +
        this.head.messages.size +
        this.head.agents.size +
        this.head.links.size +
        this.head.agentFacts.size,
    );
    this.snapshots.push(this.head);
    this.snapshotEntries.push(entries);
    const total = (): number => this.snapshotEntries.reduce((a, b) => a + b, 0);
    while (
      this.every < SNAPSHOT_EVERY_MAX &&
      (this.snapshots.length > SNAPSHOTS_MAX || total() > this.snapshotEntriesMax)
    ) {
      this.every *= 2;
      this.snapshots = this.snapshots.filter((_, i) => i % 2 === 0);
      this.snapshotEntries = this.snapshotEntries.filter((_, i) => i % 2 === 0);
      this.sizeCache();
    }
  }

  /** Enough unpacked chunks for a seek's reach (K events to fold, or the largest window). */
  private sizeCache(): void {
    this.store.cacheChunks = Math.ceil(Math.max(this.every, SEEK_WINDOW_MAX) / CHUNK_EVENTS) + 2;
  }

  // ---- markers and the message index -------------------------------------------------------

  private indexMarker(e: LabEvent, position: number): void {
    switch (e.kind) {
      case 'link.changed':
        if (e.state === 'down')
          this.addMarker(
            'outage',
            position,
            `link ${e.linkId} down${e.faults.length > 0 ? ` (${e.faults.join(', ')})` : ''}`,
          );
        break;
      case 'message.expired':
        this.addMarker('expiry', position, `message ${e.messageId} expired`, e.messageId);
        break;
      case 'message.replaced':
        this.addMarker(
          'replacement',
          position,
          `message ${e.messageId} replaced by ${e.byMessageId}`,
          e.messageId,
        );
        break;
      case 'receipt.sent':
        this.addMarker(
          'receipt',
          position,
          `receipt ${e.status} for message ${e.messageId}`,
          e.messageId,
        );
        break;
      default:
        break;
    }
  }

  private onViolation(v: Violation): void {
    const list = this.markers.violation;
    if (this.appending < 0) {
      list.count += 1;
      return;
    }
    // One marker per event: a second violation of the same event is counted, not listed.
    if (list.positions.last === this.appending) list.count += 1;
    else this.addMarker('violation', this.appending, v.sentence, v.messageId);
  }

  private addMarker(
    kind: MarkerKind,
    position: number,
    label: string,
    messageId: string | null = null,
  ): void {
    const list = this.markers[kind];
    list.count += 1;
    if (this.markersKept >= this.markersMax) {
      this.markersDropped += 1;
      return;
    }
    this.markersKept += 1;
    list.positions.push(position);
    list.labels.push(label);
    list.messageIds.push(messageId);
  }

  /** At most MARKERS_MAX markers: kinds with few are listed whole, the rest share what is left. */
  private listMarkers(): TimelineMarker[] {
    const kinds = [...MARKER_KINDS].sort(
      (a, b) => this.markers[a].positions.length - this.markers[b].positions.length,
    );
    let room = MARKERS_MAX;
    const picked: { position: number; kind: MarkerKind; label: string }[] = [];
    kinds.forEach((kind, i) => {
      const { positions, labels } = this.markers[kind];
      const take = Math.min(positions.length, Math.floor(room / (kinds.length - i)));
      room -= take;
      for (let j = 0; j < take; j++) {
        const index = Math.floor((j * positions.length) / take);
        picked.push({ position: positions.at(index), kind, label: labels[index]! });
      }
    });
    picked.sort((a, b) => a.position - b.position);
    return picked.map(({ position, kind, label }) => ({
      seq: this.store.seqAt(position),
      t: this.store.timeAt(position),
      kind,
      label,
    }));
  }

  private indexMessage(e: LabEvent, position: number): void {
    if (!('messageId' in e) || typeof e.messageId !== 'string') return;
    const newest = this.messages.get(e.messageId);
    if (newest === undefined && this.messages.size >= this.messagesMax) {
      this.unindexedMessageEvents += 1;
      return;
    }
    this.messages.set(e.messageId, this.nodes.position.length);
    this.nodes.position.push(position);
    this.nodes.previous.push(newest ?? -1);
  }

  /** The message's first position ≥ boundary (direction 1) or last < boundary (-1), or -1. */
  private findMessage(messageId: string, boundary: number, direction: 1 | -1): number {
    let found = -1;
    for (let node = this.messages.get(messageId) ?? -1; node >= 0;) {
      const position = this.nodes.position.at(node);
      if (direction === -1 && position < boundary) return position;
      if (direction === 1) {
        if (position < boundary) break;
        found = position;
      }
      node = this.nodes.previous.at(node);
    }
    return found;
  }
}
