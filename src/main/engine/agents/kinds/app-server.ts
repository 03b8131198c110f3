/**
 * Agent kind `appServers`: application servers whose traffic is planned from the seed when
 * the world is built (pattern, TTL/urgency/topic/receipt mix, window), each with its own
 * link instance and, unless told otherwise, a VAPID key drawn from the seed.
 */
import { z } from 'zod';
import { durationMs } from '../../scenario/duration';
import { id, positive, share, urgency } from '../../scenario/fields';
import type { Rng } from '../../rng/rng';
import { AppServer } from '../app-server';
import { planTraffic, type TrafficPattern } from '../traffic';
import { defineKind } from './kind';

/** Sends per second of a constant or Poisson pattern. */
export const RATE_PER_SECOND_MAX = 100_000;
/** Sends in one burst. */
export const BURST_SIZE_MAX = 100_000;
/** Sends in one script. */
export const SCRIPTED_SENDS_MAX = 100_000;
/** Characters of a scripted send's text (what fits in one encrypted record of 4096 octets). */
export const SCRIPTED_TEXT_CHARS_MAX = 3993;
/** Distinct topics of one server's mix. */
export const TOPICS_MAX = 10_000;
/** Sends of one server waiting for an answer at once. */
export const CONCURRENCY_MAX = 10_000;
/** TTL seconds a send may ask for. */
const TTL_SECONDS_MAX = 2 ** 31;
/** Groups in a scenario's `appServers` section. */
const GROUPS_MAX = 100;

/** A server's defaults, in the scenario's units (durations in ms, TTL in seconds). */
export const APP_SERVER_DEFAULTS = {
  start: 0,
  mix: {
    ttl: [{ value: 3600, share: 1 }],
    urgency: { normal: 1 },
    topicShare: 0,
    topics: 1,
    receiptShare: 0,
  },
  vapid: true,
  concurrency: 64,
} as const;
const d = APP_SERVER_DEFAULTS;

const ttlSeconds = z.number().int().min(0).max(TTL_SECONDS_MAX);

const traffic = z.discriminatedUnion('pattern', [
  z
    .object({ pattern: z.literal('constant'), ratePerSecond: positive.max(RATE_PER_SECOND_MAX) })
    .strict(),
  z
    .object({ pattern: z.literal('poisson'), ratePerSecond: positive.max(RATE_PER_SECOND_MAX) })
    .strict(),
  z
    .object({
      pattern: z.literal('burst'),
      size: z.number().int().min(1).max(BURST_SIZE_MAX),
      every: durationMs,
    })
    .strict(),
  z
    .object({
      pattern: z.literal('script'),
      sends: z
        .array(
          z
            .object({
              at: durationMs,
              target: z.number().int().min(0).optional(),
              ttl: ttlSeconds.optional(),
              urgency: urgency.optional(),
              topic: z
                .string()
                .regex(/^[A-Za-z0-9_-]{1,32}$/)
                .optional(),
              receipt: z.boolean().optional(),
              text: z.string().max(SCRIPTED_TEXT_CHARS_MAX).optional(),
            })
            .strict(),
        )
        .max(SCRIPTED_SENDS_MAX),
    })
    .strict(),
]);

const entry = z
  .object({
    id,
    service: id,
    link: id.optional(),
    /** Agent groups (user agents or gateways) whose subscriptions it sends to; default all. */
    targets: z.array(id).min(1).optional(),
    traffic,
    start: durationMs.default(d.start),
    stop: durationMs.optional(),
    mix: z
      .object({
        ttl: z
          .array(z.object({ value: ttlSeconds, share: z.number().min(0) }).strict())
          .min(1)
          .default(() => d.mix.ttl.map((t) => ({ ...t }))),
        urgency: z.partialRecord(urgency, z.number().min(0)).default(() => ({ ...d.mix.urgency })),
        topicShare: share.default(d.mix.topicShare),
        topics: z.number().int().min(1).max(TOPICS_MAX).default(d.mix.topics),
        receiptShare: share.default(d.mix.receiptShare),
      })
      .strict()
      .prefault({}),
    vapid: z.boolean().default(d.vapid),
    /** Most sends waiting for an answer at once; a planned send beyond it waits its turn. */
    concurrency: z.number().int().min(1).max(CONCURRENCY_MAX).default(d.concurrency),
  })
  .strict()
  .superRefine((server, ctx) => {
    if (server.stop !== undefined && server.stop < server.start)
      ctx.addIssue({ code: 'custom', path: ['stop'], message: 'before start' });
  });

export type AppServerEntry = z.output<typeof entry>;

export const appServerKind = defineKind({
  section: 'appServers',
  noun: 'application server',
  roles: ['app-server'],
  entry,
  groupsMax: GROUPS_MAX,
  defaults: APP_SERVER_DEFAULTS,
  sample: { id: 'as', service: 'ps1', traffic: { pattern: 'constant', ratePerSecond: 1 } },
  targetable: false,
  references: (server) => [
    { path: ['service'], value: server.service, to: 'service' },
    { path: ['link'], value: server.link, to: 'link' },
    ...(server.targets ?? []).map((value, j) => ({
      path: ['targets', j],
      value,
      to: 'group' as const,
    })),
  ],
  plan(spec, world, hashLine) {
    const stopMs = Math.min(spec.stop ?? world.durationMs, world.durationMs);
    const plan = planTraffic(
      toPattern(spec.traffic),
      {
        ttlSeconds: spec.mix.ttl,
        urgency: spec.mix.urgency,
        topic: { share: spec.mix.topicShare, count: spec.mix.topics },
        receiptShare: spec.mix.receiptShare,
      },
      { startMs: spec.start, stopMs },
      world.rng.fork(`traffic:${spec.id}`),
    );
    for (const p of plan)
      hashLine(
        `${spec.id}|${p.atMs}|${p.target}|${p.ttlSeconds}|${p.urgency}|${p.topic}|${p.receipt}\n`,
      );
    const service = world.service(spec.service);
    const server = new AppServer(
      {
        id: spec.id,
        profile: service.profileName,
        vapid: spec.vapid,
        reproducible: { vapidScalar: scalarFrom(world.rng.fork(`vapid:${spec.id}`)) },
        createConnection: () => world.connection(spec.link, spec.id, service, null),
        identify: (path) => service.identify(path),
        ...(service.witness ? { witness: service.witness } : {}),
        senderSecrets: world.senderSecrets,
      },
      world.clock,
      world.bus,
    );
    return { server, plan, targets: spec.targets, concurrency: spec.concurrency };
  },
});

/** A server's `traffic` entry as the planner takes it (the World's plan, and `push-lab artillery`'s counts). */
export function toPattern(traffic: AppServerEntry['traffic']): TrafficPattern {
  switch (traffic.pattern) {
    case 'constant':
    case 'poisson':
      return { kind: traffic.pattern, ratePerSecond: traffic.ratePerSecond };
    case 'burst':
      return { kind: 'burst', size: traffic.size, everyMs: traffic.every };
    case 'script':
      return {
        kind: 'script',
        sends: traffic.sends.map((s) => ({
          atMs: s.at,
          ...(s.target !== undefined ? { target: s.target } : {}),
          ...(s.ttl !== undefined ? { ttlSeconds: s.ttl } : {}),
          ...(s.urgency ? { urgency: s.urgency } : {}),
          ...(s.topic ? { topic: s.topic } : {}),
          ...(s.receipt !== undefined ? { receipt: s.receipt } : {}),
          ...(s.text !== undefined ? { text: s.text } : {}),
        })),
      };
  }
}

/** 32 octets at a time from a seeded stream (a VAPID private key). */
function scalarFrom(rng: Rng): () => Uint8Array {
  return () => {
    const bytes = new Uint8Array(32);
    for (let i = 0; i < 32; i += 4) new DataView(bytes.buffer).setUint32(i, rng.nextUint32());
    return bytes;
  };
}
