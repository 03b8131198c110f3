/**
 * The workbench's side of the contract: what the lab is showing (the sandbox lab, a scenario
 * run, or an opened recording), its run controls, scenario files, links and their faults,
 * profile comparisons, and the recorded timeline every view can travel along.
 *
 * Types only (plus a few bounds): the engine implements them, the renderer displays them.
 */
import type { LabEvent, Profile } from './events';
import type { LabModel } from './model';
import { formatCount } from './format';

// ---- what is running ------------------------------------------------------------------------

/** sandbox: the default live lab (one service, a user agent, the Send form). */
export type WorkbenchMode = 'sandbox' | 'run' | 'replay';

export type RunState =
  /** Building the world: services start, agents subscribe. */
  | 'starting'
  | 'running'
  | 'paused'
  /** Reached the scenario's duration. */
  | 'finished'
  /** Stopped by the user before the end. */
  | 'stopped'
  /** Could not start or broke down; `error` says why. */
  | 'failed'
  /** A recording opened for replay (nothing runs). */
  | 'recorded';

export interface RunStatus {
  mode: WorkbenchMode;
  /** Grows by one whenever the lab is replaced (new run, bundle opened, back to sandbox). */
  epoch: number;
  /** Scenario name, or the bundle's file name; null for the sandbox. */
  name: string | null;
  /** The show's scenario as its trace header names it (null: the sandbox, a plain trace). */
  scenario: string | null;
  state: RunState;
  seed: number | string | null;
  clockMode: 'real' | 'scaled' | 'virtual';
  /**
   * Simulated milliseconds per real millisecond. A virtual run is paced at this speed;
   * 0 means as fast as the machine allows. Real-clock labs (the sandbox) say 1.
   */
  speed: number;
  /** Lab time elapsed since the run started (simulated ms). */
  elapsedMs: number;
  durationMs: number | null;
  /** Events recorded so far (the whole timeline the scrubber can reach). */
  events: number;
  /** Pause, step and speed work (virtual-clock runs only). */
  controllable: boolean;
  /** The scenario file the run came from, when it came from one. */
  path: string | null;
  /** A bundle of the run can be saved (`bundle.save`) or run again (`bundle.rerun`). */
  canSave: boolean;
  canRerun: boolean;
  /** A warning about what is shown (e.g. a truncated bundle, opened up to its last intact event). */
  warning: string | null;
  /**
   * A recording still being indexed in the background: how much of its file has been read,
   * 0–1. The scrubber reaches what is indexed so far (`events`). Absent or null otherwise.
   */
  indexing?: number | null;
  /** A run still starting its fleet: how far it has come. Absent or null otherwise. */
  starting?: StartProgress | null;
  /** Why the run failed (state 'failed'). */
  error: string | null;
}

/** A fleet starting: agents (user agents, gateways) connected and subscriptions made, of all. */
export interface StartProgress {
  agents: number;
  agentsTotal: number;
  subscriptions: number;
  subscriptionsTotal: number;
}

/** Pacing speeds the UI offers (0 = as fast as possible). Any value in [SPEED_MIN, SPEED_MAX] or 0 works. */
export const SPEED_CHOICES: readonly number[] = [0.1, 0.5, 1, 2, 5, 10, 60, 600, 0];
export const SPEED_MIN = 0.01;
export const SPEED_MAX = 100_000;

// ---- scenarios ------------------------------------------------------------------------------

export interface ScenarioExample {
  /** File name without extension, e.g. 'commute'. */
  id: string;
  /** The scenario's `name`. */
  title: string;
  description: string;
  text: string;
}

/** One problem in scenario text; `line`/`column` (1-based) when it can be placed. */
export interface ScenarioProblem {
  /** Dotted field path ('userAgents.0.count'); null for a YAML syntax error. */
  path: string | null;
  line: number | null;
  column: number | null;
  message: string;
}

export interface ScenarioSummary {
  name: string;
  seed: number | string;
  durationMs: number;
  clockMode: 'real' | 'scaled' | 'virtual';
  speed: number;
  services: { id: string; profile: Profile }[];
  userAgents: number;
  gateways: number;
  devices: number;
  appServers: number;
}

export interface ScenarioCheck {
  ok: boolean;
  problems: ScenarioProblem[];
  summary: ScenarioSummary | null;
}

/** Most recent scenario files remembered. */
export const RECENT_FILES_MAX = 10;

// ---- links ----------------------------------------------------------------------------------

export interface FaultView {
  name: string;
  /** The fault's spec as validated (type and attributes). */
  spec: Record<string, unknown>;
  /** On now (a scheduled fault may be waiting for its window). */
  active: boolean;
}

export interface LinkView {
  id: string;
  /** The agent the link serves (link ids are '<template>:<agentId>'). */
  agentId: string;
  state: 'up' | 'impaired' | 'down';
  faults: FaultView[];
  counters: Record<string, number>;
  connections: number;
}

export interface PresetView {
  name: string;
  description: string;
  faults: Record<string, unknown>[];
}

/** What kind of value a fault attribute takes (a duration is a number in its `unit`). */
export type FaultAttributeType = 'integer' | 'number' | 'duration' | 'probability' | 'enum';

/**
 * One attribute of a fault type, as data: the engine builds its validation from it, the Links
 * form its fields, docs/faults.md's table is checked against it.
 */
export interface FaultAttribute {
  name: string;
  type: FaultAttributeType;
  /** 'ms', 'µs', 'bytes', 'KB/s'; null where the value has none (probabilities, enums). */
  unit: string | null;
  /** Numbers: the smallest value allowed, or the bound it must exceed when `minExclusive`. */
  min?: number;
  minExclusive?: boolean;
  /** Numbers: the largest value allowed. */
  max?: number;
  /** Enums: the values allowed. */
  values?: readonly string[];
  /** The value used when the attribute is left out. */
  default?: number | string;
  /** A default computed from other attributes ('1 − p'), when there is no fixed one. */
  defaultFrom?: string;
  /** One line: what it does. */
  description: string;
}

/** A fault type as forms and docs see it; from the engine's stage registry. */
export interface FaultTypeView {
  type: string;
  /** The `stream` a fault of this type gets when it names none. */
  defaultStream: 'upstream' | 'downstream' | 'both';
  /** While a fault of this type is on, the link is down (new connections are refused). */
  takesLinkDown: boolean;
  attributes: readonly FaultAttribute[];
}

/**
 * `ms, 0 to 3,600,000, default 0`: an attribute's unit, range and default in one phrase (the
 * Links form's hint and docs/faults.md's table both read it).
 */
export function attributeSummary(a: FaultAttribute): string {
  const parts = [a.type === 'enum' ? (a.values ?? []).join(' | ') : (a.unit ?? a.type)];
  if (a.type !== 'enum' && a.min !== undefined && a.max !== undefined) {
    const [min, max] = [
      formatCount(a.min, decimalsOf(a.min)),
      formatCount(a.max, decimalsOf(a.max)),
    ];
    parts.push(a.minExclusive ? `> ${min} and ≤ ${max}` : `${min} to ${max}`);
  }
  if (typeof a.default === 'number')
    parts.push(`default ${formatCount(a.default, decimalsOf(a.default))}`);
  else if (a.default !== undefined) parts.push(`default ${String(a.default)}`);
  else if (a.defaultFrom !== undefined) parts.push(`default ${a.defaultFrom}`);
  else parts.push('required');
  return parts.join(', ');
}

/** The decimals `n` is written with (0.05 keeps its two; a bound is never rounded). */
function decimalsOf(n: number): number {
  const text = String(n);
  return text.includes('.') && !text.includes('e') ? text.length - text.indexOf('.') - 1 : 0;
}

export interface LinksInfo {
  links: LinkView[];
  presets: PresetView[];
  /** The fault types and the attributes each takes, as data, for forms. */
  faultTypes: FaultTypeView[];
}

/** Most links listed by one `links` answer (a fleet may have 100,000). */
export const LINKS_LISTED_MAX = 2_000;

// ---- the inspector --------------------------------------------------------------------------

/** One message as the push service received it, and as its user agent's keys decrypt it. */
export interface MessageDetail {
  messageId: string;
  subscriptionId: string;
  /** The TTL the sender asked for (the service may have kept less: see message.accepted). */
  ttlRequestedSeconds: number;
  /** Content headers the service kept and passes on (content-encoding, content-type). */
  contentHeaders: Record<string, string>;
  bytes: number;
  /** The body as it arrived, hex (RFC 8291 ciphertext for an encrypted push). */
  bodyHex: string;
  /** Decrypted with the keys of the agent that holds the subscription. */
  plaintext: string | null;
  decryption: 'ok' | 'failed' | 'not-encrypted' | 'no-keys';
  /** Why decryption failed, or why there are no keys. */
  note: string | null;
  /** The agent holding the subscription, when it is one of the lab's. */
  holderId: string | null;
}

// ---- compare --------------------------------------------------------------------------------

export interface CompareRow {
  profile: Profile;
  events: number;
  accepted: number;
  delivered: number;
  expired: number;
  replaced: number;
  lost: number;
  stale: number;
  redeliveries: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  connections: number;
  joulesTotal: number | null;
  joulesPerDelivered: number | null;
  /** Joules per energy class ('phone-lte', …). */
  joulesByClass: Record<string, number>;
  violations: number;
  /** Deliveries per bucket of `bucketMs` lab time, from the run's start. */
  deliveredSeries: number[];
  /** Cumulative joules at the end of each bucket (all radios); empty without energy. */
  joulesSeries: number[];
}

export interface CompareResult {
  scenario: string;
  seed: number | string;
  durationMs: number;
  bucketMs: number;
  rows: CompareRow[];
}

/** Where one profile's run of a comparison is. */
export type CompareRunState = 'waiting' | 'running' | 'done' | 'failed' | 'cancelled';

export interface CompareProfileProgress {
  profile: Profile;
  state: CompareRunState;
  /** Lab time the run has reached (simulated ms), of `durationMs`. */
  elapsedMs: number;
  durationMs: number;
}

/** The comparison running now, or the last one (`compare.progress`). */
export interface CompareProgress {
  /** Grows by one with each comparison started; 0 before the first. */
  id: number;
  running: boolean;
  /** 'workers': each profile in its own worker thread, at once; 'in-process': in turn. */
  where: 'workers' | 'in-process';
  /** Worker threads the comparison may use at once (1 in process). */
  workers: number;
  profiles: CompareProfileProgress[];
}

/** How often the Compare view asks for `compare.progress` while a comparison runs. */
export const COMPARE_PROGRESS_POLL_MS = 250;

// ---- recordings and time travel ------------------------------------------------------------

export type MarkerKind = 'outage' | 'expiry' | 'replacement' | 'receipt' | 'violation';

export interface TimelineMarker {
  seq: number;
  t: number;
  kind: MarkerKind;
  label: string;
}

export interface TimelineInfo {
  epoch: number;
  firstSeq: number;
  lastSeq: number;
  firstT: number;
  lastT: number;
  /** Events per bucket, `buckets` equal slices of [firstT, lastT]. */
  density: number[];
  /** At most MARKERS_MAX, spread over the run when there are more. */
  markers: TimelineMarker[];
  /** Marker counts by kind (all of them, listed or not). */
  markerCounts: Record<MarkerKind, number>;
}

export const MARKERS_MAX = 2_000;
export const TIMELINE_BUCKETS_MAX = 2_000;

/** The marker kinds, in the order lists and legends show them. */
export const MARKER_KIND_ORDER: readonly MarkerKind[] = [
  'violation',
  'outage',
  'expiry',
  'replacement',
  'receipt',
];

/** One marker of a `markers` page: a TimelineMarker and the message its event is about. */
export interface ListedMarker extends TimelineMarker {
  /** The message the marker's event names (null: a link outage). */
  messageId: string | null;
}

/** A page of the show's markers (`markers`), oldest first, filtered by kind and text. */
export interface MarkerPage {
  epoch: number;
  markers: ListedMarker[];
  /** Markers kept that match the filter, on every page together. */
  matched: number;
  /** Pass as `after` for the next page; null on the last. */
  next: number | null;
  /** Marker counts by kind (all of them, listed or not: past the timeline's bound some are not kept). */
  counts: Record<MarkerKind, number>;
}

/** Most markers one `markers` answer lists. */
export const MARKER_PAGE_MAX = 500;
/** Longest text filter of a `markers` command, characters. */
export const MARKER_TEXT_MAX = 200;

/** The lab as it was just after event `seq`, with the events that led there. */
export interface SeekResult {
  epoch: number;
  seq: number;
  t: number;
  model: LabModel;
  /** The events up to and including `seq`, oldest first (at most the `window` asked for). */
  events: LabEvent[];
}

export const SEEK_WINDOW_MAX = 20_000;
// ---- files and uploads ----------------------------------------------------------------------

/**
 * Largest message a client sends, bytes: the largest command is scenario text (1,000,000
 * characters, at most 3 bytes each in UTF-8) or one upload chunk (base64), plus its envelope.
 */
export const COMMAND_MESSAGE_BYTES_MAX = 4 * 1024 * 1024;
/** Bytes of one upload chunk (before base64); a multiple of 3, so chunks' base64 join cleanly. */
export const UPLOAD_CHUNK_BYTES_MAX = 3 * 349_525;
/** base64 characters of the largest chunk. */
export const UPLOAD_CHUNK_CHARS_MAX = (UPLOAD_CHUNK_BYTES_MAX / 3) * 4;
/** Largest recording one upload may bring, bytes. */
export const UPLOAD_BYTES_MAX = 64 * 1024 * 1024;
/** Bytes all uploads in progress may hold on disk together. */
export const UPLOADS_BYTES_MAX = 128 * 1024 * 1024;
/** An upload without a chunk for this long is deleted, ms. */
export const UPLOAD_IDLE_MS = 60_000;
/** Largest recording opened from disk, bytes (a compressed bundle; hours of a fleet). */
export const BUNDLE_BYTES_MAX = 1024 * 1024 * 1024;

export interface DiffResult {
  a: string;
  b: string;
  sameScenario: boolean;
  /** null: identical, event for event. */
  divergence: {
    /** 0-based event index. */
    index: number;
    /** Lab time since the start of the recording. */
    t: number;
    a: LabEvent | null;
    b: LabEvent | null;
    fields: string[];
  } | null;
  /** `figure: a → b` for each figure of the reports that differs. */
  figures: string[];
  eventsA: number;
  eventsB: number;
  warnings: string[];
}
