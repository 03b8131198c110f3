/**
 * What an Artillery script says to the fleet engine: its options (`config.engines.push-lab`)
 * and a scenario's steps (`scenarios[].flow`), validated by zod. Durations are milliseconds
 * (`…Ms`) except `think`, which is seconds as in Artillery's own engines. The converter
 * (cli/artillery.ts) writes these shapes, so it reads the bounds and defaults from here.
 */
import { z } from 'zod';
import { PROFILES, URGENCIES, type Urgency } from '../../../shared/events';
import { SEED_NUMBER_MAX } from '../../../shared/commands';
import { FAULTS_MAX } from '../net/spec';
import { presetNames } from '../net/presets';

/** Steps in one scenario's flow. */
export const FLEET_STEPS_MAX = 1000;
/** Messages one `send` step sends. */
export const SEND_COUNT_MAX = 100_000;
/** Messages one `receive` step waits for. */
export const RECEIVE_COUNT_MAX = 100_000;
/** The longest wait anywhere in a flow (a receive, a think, the delivery wait): an hour. */
export const WAIT_MS_MAX = 3_600_000;
/**
 * Octets of plaintext a message carries at most: one RFC 8291 record of 4096 octets less its
 * padding delimiter, tag and header (as a scenario's scripted text).
 */
export const MESSAGE_BYTES_MAX = 3993;
/** The shortest message: the marker that names it (`pushlab:<vu>.<n>:`) needs the room. */
export const MESSAGE_BYTES_MIN = 48;

/** The engine's defaults, in its own units; the converter leaves out what equals them. */
export const FLEET_DEFAULTS = {
  profile: 'rfc8030',
  seed: 1,
  vapid: true,
  deliveryWaitMs: 10_000,
  requestTimeoutMs: 30_000,
  ack: { policy: 'immediate', delayMs: 1000, crashProbability: 0.3 },
  send: { to: 'self', count: 1, intervalMs: 0, ttl: 60, urgency: 'normal', bytes: 64 },
  receive: { count: 1, timeoutMs: 10_000 },
} as const;

const waitMs = z.number().int().min(0).max(WAIT_MS_MAX);
const D = FLEET_DEFAULTS;

export const fleetOptionsSchema = z
  .object({
    /** The service's protocol profile. */
    profile: z.enum(PROFILES as [string, ...string[]]).default(D.profile),
    /** A PEM CA file trusted for an https target (relative to the working directory). */
    ca: z.string().min(1).max(4096).optional(),
    /** Do not check the target's certificate. */
    insecure: z.boolean().optional(),
    /** Seeds the link faults' decisions and the pool's picks (each VU forks its own stream). */
    seed: z
      .union([z.number().int().min(0).max(SEED_NUMBER_MAX), z.string().max(200)])
      .default(D.seed),
    /** The link between each VU and the service: a preset's faults, then these. */
    link: z
      .object({
        preset: z
          .string()
          .refine((name) => presetNames().includes(name), {
            error: () => `unknown preset; allowed ${presetNames().join(', ')}`,
          })
          .optional(),
        faults: z.array(z.unknown()).max(FAULTS_MAX).default([]),
      })
      .strict()
      .prefault({}),
    ack: z
      .object({
        policy: z.enum(['immediate', 'delayed', 'never', 'crash']).default(D.ack.policy),
        delayMs: waitMs.default(D.ack.delayMs),
        crashProbability: z.number().min(0).max(1).default(D.ack.crashProbability),
      })
      .strict()
      .prefault({}),
    reconnect: z
      .object({
        initialMs: z.number().int().min(1).max(WAIT_MS_MAX),
        maxMs: z.number().int().min(1).max(WAIT_MS_MAX),
        jitter: z.number().min(0).max(1),
      })
      .strict()
      .optional(),
    /** Sign sends with VAPID (a key per VU's application server). */
    vapid: z.boolean().default(D.vapid),
    /** How long a VU waits, after its last step, for its messages still on their way. */
    deliveryWaitMs: waitMs.default(D.deliveryWaitMs),
    /** Bound on connecting and on each request. */
    requestTimeoutMs: z.number().int().min(1).max(WAIT_MS_MAX).default(D.requestTimeoutMs),
  })
  .strict()
  .prefault({});

export type FleetOptions = z.output<typeof fleetOptionsSchema>;
export type FleetOptionsInput = NonNullable<z.input<typeof fleetOptionsSchema>>;

/** An http(s) URL: the service's origin, and where to subscribe when it has a path. */
export const targetSchema = z.string().refine(
  (text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  },
  { error: 'allowed an http:// or https:// URL of an RFC 8030 push service' },
);

/** Choices in a send's TTL mix. */
export const MIX_CHOICES_MAX = 100;
const ttlSeconds = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31);
const weightedTtl = z.object({ value: ttlSeconds, share: z.number().min(0) }).strict();
const urgency = z.enum(URGENCIES as [Urgency, ...Urgency[]]);

const sendStep = z
  .object({
    /** `self`: the VU's own subscription; `pool`: a subscription of any running VU of this worker. */
    to: z.enum(['self', 'pool']).default(D.send.to),
    count: z.number().int().min(1).max(SEND_COUNT_MAX).default(D.send.count),
    /** Pause between two sends of the step. */
    intervalMs: waitMs.default(D.send.intervalMs),
    /** TTL, seconds; or a mix, one drawn per message by weight (a scenario's `mix.ttl`). */
    ttl: z
      .union([ttlSeconds, z.array(weightedTtl).min(1).max(MIX_CHOICES_MAX)])
      .default(D.send.ttl),
    /** An urgency; or a mix `{ high: 1, normal: 3 }`, one drawn per message by weight. */
    urgency: z
      .union([
        urgency,
        z
          .partialRecord(urgency, z.number().min(0))
          .refine((mix) => Object.keys(mix).length > 0, { error: 'allowed at least one urgency' }),
      ])
      .default(D.send.urgency),
    /** Plaintext octets per message. */
    bytes: z.number().int().min(MESSAGE_BYTES_MIN).max(MESSAGE_BYTES_MAX).default(D.send.bytes),
  })
  .strict();

const receiveStep = z
  .object({
    count: z.number().int().min(1).max(RECEIVE_COUNT_MAX).default(D.receive.count),
    timeoutMs: waitMs.default(D.receive.timeoutMs),
  })
  .strict();

/** The body schema of each step kind; a step is `{ <kind>: body }`, one key, as Artillery writes flows. */
export const FLEET_STEP_BODIES = {
  subscribe: z.object({}).strict(),
  send: sendStep,
  receive: receiveStep,
  /** Seconds, as Artillery's own `think`. */
  think: z
    .number()
    .min(0)
    .max(WAIT_MS_MAX / 1000),
} as const;

export type StepKind = keyof typeof FLEET_STEP_BODIES;
export const STEP_KINDS = Object.keys(FLEET_STEP_BODIES) as StepKind[];

export type SendStep = z.output<typeof sendStep>;
export type ReceiveStep = z.output<typeof receiveStep>;
export type FleetStep =
  | { subscribe: Record<string, never> }
  | { send: SendStep }
  | { receive: ReceiveStep }
  | { think: number };
/** A step as a script may write it (defaults left out). */
export type FleetStepInput =
  | { subscribe: Record<string, never> | null }
  | { send: z.input<typeof sendStep> | null }
  | { receive: z.input<typeof receiveStep> | null }
  | { think: number };
