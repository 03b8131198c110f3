/**
 * The trace file format, shared by the writer and the reader. JSON Lines, one record a line:
 *
 *   line 1    {"type":"push-lab-trace","version":1,"scenario":…,"seed":…,"clockMode":…,"pushLabVersion":…}
 *   line 2…   one LabEvent each, exactly as the bus emitted it: {"seq":1,"t":…,"kind":…,…}
 *   anywhere  {"type":"gap","fromSeq":…,"toSeq":…,"droppedCount":…,"fromT":…,"toT":…}
 *   last      {"type":"end","version":1,"events":…,"lastSeq":…,"labTimeMs":…,"reason":…}
 *
 * Events carry `kind`, never `type`; the writer's own records carry `type`, never `kind`.
 * The closing record is written only on a clean close, so its absence means the file was
 * cut (or written before Push Lab wrote closing records). It has its own version: the file
 * format stays 1, so a reader from before closing records still opens new files (it skips
 * the record with a warning), and this reader opens old files (it reports them as cut).
 * See docs/traces.md.
 */
import type { LabEvent, LabEventKind } from '../../../shared/events';
import { LabError } from '../errors';

export const TRACE_TYPE = 'push-lab-trace';
export const TRACE_VERSION = 1;

/** What the run was, written into the header line. */
export interface TraceMeta {
  /** Scenario name, or null for an interactive run. */
  scenario: string | null;
  /** The Rng seed that reproduces the run. */
  seed: number | string | null;
  clockMode: 'real' | 'scaled' | 'virtual';
  /** Push Lab's version (src/main/engine/version.ts). */
  pushLabVersion: string;
  /**
   * A run bundle's extra: the scenario exactly as it ran (validated, defaults filled in) and
   * the clock speed, so `push-lab rerun` can run it again. Absent in plain traces.
   */
  run?: { scenario: unknown; speed: number };
  /**
   * The lab time the run was meant to cover, ms (the scenario's duration), so a reader can
   * say how much of it a cut recording holds. Absent for interactive runs and older files.
   */
  durationMs?: number;
}

export interface TraceHeader extends TraceMeta {
  type: typeof TRACE_TYPE;
  version: typeof TRACE_VERSION;
}

/**
 * Events the writer could not write because the disk was slower than the lab. The seqs in
 * [fromSeq, toSeq] are missing from the file (all of them: the writer drops a contiguous run).
 */
export interface TraceGap {
  type: 'gap';
  fromSeq: number;
  toSeq: number;
  droppedCount: number;
  /** Lab time of the first and the last dropped event, ms. */
  fromT: number;
  toT: number;
}

export const TRACE_END_VERSION = 1;

/** Why a recording was closed: every reason is a clean close, the file is whole. */
export type TraceEndReason =
  /** The scenario ran its whole duration. */
  | 'finished'
  /** Stopped early on request (Ctrl-C, the UI's stop); the events up to then are all there. */
  | 'stopped'
  /** The run failed (an error ended it); the events up to the failure are all there. */
  | 'failed'
  /** Written from a show that was still going (the UI's "save" during a run). */
  | 'saved'
  /** Closed by a caller that gave no reason (an interactive trace). */
  | 'closed';

/** The closing record: what the writer wrote, so a reader can check it got all of it. */
export interface TraceEnd {
  type: 'end';
  version: typeof TRACE_END_VERSION;
  /** Events written (dropped ones are in gap records, not counted here). */
  events: number;
  /** The seq of the last event written, or null when there was none. */
  lastSeq: number | null;
  /** Lab time covered: from the first event to the end of the run, ms. */
  labTimeMs: number;
  reason: TraceEndReason;
}

/** One record of a trace body, in file order. */
export type TraceRecord = { type: 'event'; event: LabEvent } | TraceGap;

/** Every event kind of the current contract; `satisfies` makes tsc flag a missing one. */
const KINDS = {
  'service.started': true,
  'service.stopped': true,
  'agent.started': true,
  'agent.connected': true,
  'agent.disconnected': true,
  'subscription.created': true,
  'subscription.deleted': true,
  'message.accepted': true,
  'message.rejected': true,
  'message.replaced': true,
  'message.pushed': true,
  'message.acked': true,
  'message.expired': true,
  'message.dropped': true,
  'message.received': true,
  'receipt.sent': true,
  'limit.reached': true,
  'store.failed': true,
  'service.error': true,
  'lab.error': true,
  'send.attempted': true,
  'receipt.received': true,
  'message.acknowledging': true,
  'agent.power': true,
  'agent.sleep': true,
  'agent.wake': true,
  'radio.state': true,
  'device.delivered': true,
  'link.changed': true,
  'link.reset': true,
  'link.faults': true,
  'link.sampled': true,
  'energy.sampled': true,
} satisfies Record<LabEventKind, true>;

export const LAB_EVENT_KINDS: ReadonlySet<string> = new Set(Object.keys(KINDS));

/** Stable codes for trace errors; callers branch on `code`, `message` is one sentence. */
export const TRACE_ERROR_CODES = {
  /** The file could not be opened or read. */
  OPEN: 'ERR_TRACE_OPEN',
  /** The input is not a Push Lab trace (empty, not JSON, wrong header). */
  NOT_A_TRACE: 'ERR_TRACE_NOT_A_TRACE',
  /** A trace of a version this Push Lab cannot read. */
  VERSION: 'ERR_TRACE_VERSION',
  /** Recorded by a newer Push Lab than this one. */
  NEWER: 'ERR_TRACE_NEWER',
  /** A line longer than the reader's bound (a binary file, or a damaged trace). */
  LINE_TOO_LONG: 'ERR_TRACE_LINE_TOO_LONG',
  /** A compressed recording cut before its header: nothing in it can be read. */
  CUT: 'ERR_TRACE_CUT',
} as const;

export type TraceErrorCode = (typeof TRACE_ERROR_CODES)[keyof typeof TRACE_ERROR_CODES];

/** The one error type thrown by the trace reader. */
export class TraceError extends LabError {
  override readonly name = 'TraceError';
  declare readonly code: TraceErrorCode;

  constructor(code: TraceErrorCode, message: string) {
    super(code, message);
  }
}

/** Records (and the header) are objects; this narrows a parsed JSON value to one. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
