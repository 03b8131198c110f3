/**
 * Commands the UI (or any client) can give the lab, with runtime validation: every command
 * that arrives over IPC or WebSocket is parsed here before the engine sees it.
 */
import { SEND_TEXT_CHARS_MAX, SEND_TOPIC_PATTERN, SEND_TTL_SECONDS_MAX } from './send-bounds';
import { z } from 'zod';
import { PROFILES } from './events';
import type { LabModel } from './model';
import { fail, ok, type Result } from './result';
import {
  MARKER_KIND_ORDER,
  MARKER_PAGE_MAX,
  MARKER_TEXT_MAX,
  SEEK_WINDOW_MAX,
  SPEED_MAX,
  SPEED_MIN,
  TIMELINE_BUCKETS_MAX,
  UPLOAD_BYTES_MAX,
  UPLOAD_CHUNK_CHARS_MAX,
  type CompareProgress,
  type CompareResult,
  type MessageDetail,
  type DiffResult,
  type LinksInfo,
  type LinkView,
  type MarkerKind,
  type MarkerPage,
  type RunStatus,
  type ScenarioCheck,
  type ScenarioExample,
  type SeekResult,
  type TimelineInfo,
} from './workbench';

const id = z.string().min(1).max(200);
/**
 * A file on the machine that runs the engine: a name in the workspace (scenarios) or the
 * recordings folder, or a handle (`@…/name`) for a file the user chose. Anything else is
 * refused by the engine (engine/fs/confined.ts).
 */
const filePath = z.string().min(1).max(4096);
const uploadId = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'an upload id from bundle.upload.begin');
/** Scenario text (YAML or JSON). */
const scenarioText = z.string().max(1_000_000);
/** Numeric seeds are 32-bit (the engine's Rng takes `seed >>> 0`): larger ones would alias smaller ones. */
export const SEED_NUMBER_MAX = 2 ** 32 - 1;
const seed = z.union([z.number().int().min(0).max(SEED_NUMBER_MAX), z.string().min(1).max(200)]);
const speed = z.union([z.literal(0), z.number().min(SPEED_MIN).max(SPEED_MAX)]);
const seq = z.number().int().min(0);

export const commandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot') }).strict(),
  z.object({ type: z.literal('info') }).strict(),
  z
    .object({
      type: z.literal('send'),
      /** The subscription to send to; the lab's application server does the sending. */
      subscriptionId: id,
      ttlSeconds: z.number().int().min(0).max(SEND_TTL_SECONDS_MAX),
      urgency: z.enum(['very-low', 'low', 'normal', 'high']).optional(),
      topic: z
        .string()
        .regex(SEND_TOPIC_PATTERN, '1 to 32 characters of the base64url alphabet')
        .optional(),
      text: z.string().max(SEND_TEXT_CHARS_MAX).optional(),
      receipt: z.boolean().optional(),
    })
    .strict(),
  z.object({ type: z.literal('subscribe'), agentId: id.optional() }).strict(),
  /** The lab's report so far (the engine's ReportBuilder over every event since start). */
  z.object({ type: z.literal('report'), format: z.enum(['html', 'json']) }).strict(),

  // ---- the workbench: what runs, run controls ---------------------------------------------
  z.object({ type: z.literal('status') }).strict(),
  /** Back to the default live lab. */
  z.object({ type: z.literal('sandbox') }).strict(),
  /** Runs scenario text (replacing what runs now); `path` names the file it came from. */
  z
    .object({
      type: z.literal('run.start'),
      text: scenarioText,
      path: filePath.optional(),
      seed: seed.optional(),
      speed: speed.optional(),
      /** Start paused once the world is built (step from the first event). */
      paused: z.boolean().optional(),
    })
    .strict(),
  z.object({ type: z.literal('run.pause') }).strict(),
  z.object({ type: z.literal('run.resume') }).strict(),
  /** Runs the next `count` timers of the virtual clock (default 1), then pauses. */
  z
    .object({ type: z.literal('run.step'), count: z.number().int().min(1).max(10_000).optional() })
    .strict(),
  z.object({ type: z.literal('run.speed'), speed }).strict(),
  z.object({ type: z.literal('run.stop') }).strict(),

  // ---- scenario files -----------------------------------------------------------------------
  z.object({ type: z.literal('scenario.examples') }).strict(),
  z.object({ type: z.literal('scenario.recent') }).strict(),
  z.object({ type: z.literal('scenario.read'), path: filePath }).strict(),
  /** Atomic: written to a temporary file beside it, then renamed over it. */
  z
    .object({
      type: z.literal('scenario.save'),
      path: filePath,
      text: scenarioText,
      /** false: refuse (ERR_EXISTS) when the file exists. Default true. */
      overwrite: z.boolean().optional(),
    })
    .strict(),
  z.object({ type: z.literal('scenario.validate'), text: scenarioText }).strict(),

  // ---- links and faults ---------------------------------------------------------------------
  z.object({ type: z.literal('links') }).strict(),
  /** A recent message's body and headers, decrypted with its holder's keys (the inspector). */
  z.object({ type: z.literal('message'), messageId: id }).strict(),
  /** Replaces the faults of each link (all-or-nothing: one invalid fault changes nothing). */
  z
    .object({
      type: z.literal('link.faults'),
      linkIds: z.array(id).min(1).max(100_000),
      faults: z.array(z.unknown()).max(32),
    })
    .strict(),

  // ---- compare profiles ---------------------------------------------------------------------
  z
    .object({
      type: z.literal('compare'),
      text: scenarioText,
      profiles: z
        .array(z.enum(PROFILES as [string, ...string[]]))
        .min(1)
        .max(3)
        // The same profile twice would run twice and show two identical columns.
        .refine((list) => new Set(list).size === list.length, {
          message: 'each profile at most once',
        }),
      seed: seed.optional(),
      /** Shortens (or lengthens) the scenario for the comparison. */
      durationMs: z
        .number()
        .int()
        .min(1)
        .max(7 * 24 * 3_600_000)
        .optional(),
    })
    .strict(),
  /** Each profile's progress in the comparison running now (or the last one). */
  z.object({ type: z.literal('compare.progress') }).strict(),
  /** Stops the comparison running now: its `compare` answers ERR_CANCELLED. */
  z.object({ type: z.literal('compare.cancel') }).strict(),

  // ---- recordings and time travel -----------------------------------------------------------
  z.object({ type: z.literal('bundle.open'), path: filePath }).strict(),
  /**
   * A bundle's bytes, for a client that can drop a file but not name its path: begin (with
   * the size), chunks of base64 in order, end (opens it). Streamed to disk; one at a time.
   */
  z
    .object({
      type: z.literal('bundle.upload.begin'),
      name: z.string().min(1).max(255),
      bytes: z.number().int().min(1).max(UPLOAD_BYTES_MAX),
    })
    .strict(),
  z
    .object({
      type: z.literal('bundle.upload.chunk'),
      uploadId,
      data: z.string().min(1).max(UPLOAD_CHUNK_CHARS_MAX),
    })
    .strict(),
  z.object({ type: z.literal('bundle.upload.end'), uploadId }).strict(),
  z.object({ type: z.literal('bundle.upload.abort'), uploadId }).strict(),
  /** Saves the recording of what runs (or ran) now as a bundle. */
  z.object({ type: z.literal('bundle.save'), path: filePath }).strict(),
  /** Runs the recording's scenario again with its seed. */
  z.object({ type: z.literal('bundle.rerun') }).strict(),
  z.object({ type: z.literal('bundle.diff'), a: filePath, b: filePath }).strict(),
  z
    .object({
      type: z.literal('timeline'),
      buckets: z.number().int().min(1).max(TIMELINE_BUCKETS_MAX),
    })
    .strict(),
  /**
   * The model just after event `seq` — or after the last event at or before lab time `t` —
   * clamped to the recording, and up to `window` events before it. Give `seq` or `t`.
   */
  z
    .object({
      type: z.literal('seek'),
      seq: seq.optional(),
      t: z.number().finite().optional(),
      window: z.number().int().min(0).max(SEEK_WINDOW_MAX).optional(),
      /**
       * The id of the last seek answer this client decoded: the answer may be sent as what
       * changed since it (seek-wire.ts). One the host does not hold gets the whole answer.
       */
      base: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
      /**
       * The id of the last seek answer sent whole that this client decoded: an answer sent
       * whole leaves out the columns of its tables that are that one's (seek-wire.ts). One
       * the host does not hold gets them all.
       */
      like: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
    })
    .strict()
    .refine((c) => (c.seq === undefined) !== (c.t === undefined), {
      message: 'give exactly one of seq and t',
    }),
  /** The seq of the next (or previous) violation, or event of `messageId`, after `from`. */
  z
    .object({
      type: z.literal('find'),
      from: seq,
      direction: z.union([z.literal(1), z.literal(-1)]),
      what: z.enum(['violation', 'message', 'marker']),
      messageId: id.optional(),
    })
    .strict(),
  /**
   * A page of the show's markers, oldest first: those after seq `after` (default: from the
   * start), of the `kinds` named (default all) whose sentence contains `text` (any case).
   */
  z
    .object({
      type: z.literal('markers'),
      after: seq.optional(),
      kinds: z
        .array(z.enum(MARKER_KIND_ORDER as [MarkerKind, ...MarkerKind[]]))
        .min(1)
        .max(MARKER_KIND_ORDER.length)
        .optional(),
      text: z.string().max(MARKER_TEXT_MAX).optional(),
      limit: z.number().int().min(1).max(MARKER_PAGE_MAX).optional(),
    })
    .strict(),
]);

export type Command = z.infer<typeof commandSchema>;
export type CommandType = Command['type'];

export interface SendOutcome {
  /** HTTP status the push service answered the application server with. */
  status: number;
  messageId: string | null;
  detail: string | null;
}

export interface LabInfo {
  version: string;
  services: { id: string; url: string; profile: string }[];
}

/** The value each command answers with. */
export interface CommandResults {
  snapshot: LabModel;
  info: LabInfo;
  send: SendOutcome;
  subscribe: { subscriptionId: string };
  report: { format: 'html' | 'json'; content: string };
  status: RunStatus;
  sandbox: RunStatus;
  'run.start': RunStatus;
  'run.pause': RunStatus;
  'run.resume': RunStatus;
  'run.step': RunStatus;
  'run.speed': RunStatus;
  'run.stop': RunStatus;
  'scenario.examples': ScenarioExample[];
  'scenario.recent': string[];
  'scenario.read': { path: string; text: string };
  'scenario.save': { path: string; bytes: number };
  'scenario.validate': ScenarioCheck;
  links: LinksInfo;
  message: MessageDetail;
  'link.faults': LinkView[];
  compare: CompareResult;
  'compare.progress': CompareProgress;
  'compare.cancel': { cancelled: boolean };
  'bundle.open': RunStatus;
  'bundle.upload.begin': { uploadId: string };
  'bundle.upload.chunk': { received: number };
  'bundle.upload.end': RunStatus;
  'bundle.upload.abort': { aborted: boolean };
  'bundle.save': { path: string; events: number; bytes: number };
  'bundle.rerun': RunStatus;
  'bundle.diff': DiffResult;
  timeline: TimelineInfo;
  /** As the client decodes it; the engine answers a SeekAnswer, its events as text (seek-wire.ts). */
  seek: SeekResult;
  find: { seq: number | null };
  markers: MarkerPage;
}

export type ResultOf<C extends Command> = CommandResults[C['type']];

/** Turns untrusted input into a Command or an error that names what is wrong. */
export function parseCommand(input: unknown): Result<Command> {
  const parsed = commandSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  return fail('ERR_BAD_COMMAND', describeIssues(parsed.error.issues, input));
}

/** `path.to.field: what is wrong (got X)` for each problem, joined with '; '. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  return issueLines(issues, input).join('; ');
}

/** One line per problem: `path.to.field: what is wrong (got X)`. */
export function issueLines(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${[...issue.path.map(String), key].join('.')}: unknown key`);
    }
    const path = issue.path.map(String).join('.') || '(root)';
    // Nested validators (e.g. a fault spec) already say what they got.
    if (issue.message.includes('(got ')) return [`${path}: ${issue.message}`];
    return [`${path}: ${issue.message} (got ${preview(valueAt(input, issue.path))})`];
  });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
