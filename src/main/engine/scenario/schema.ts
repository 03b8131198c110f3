/**
 * The scenario file: push services, links, agents and their counts, traffic, duration, seed
 * and clock. Validated with zod before anything starts; every problem is reported as
 * `path.to.field: what is wrong (got X, allowed Y)`. docs/scenarios.md documents each field.
 */
import { z } from 'zod';
import { SEED_NUMBER_MAX } from '../../../shared/commands';
import { PROFILES, URGENCIES } from '../../../shared/events';
import { parseFaultSpec } from '../net/spec';
import { presetNames } from '../net/presets';
import { durationMs } from './duration';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, { error: '1 to 40 of A-Z a-z 0-9 _ -' });
const share = z.number().min(0).max(1);
const positive = z.number().positive();
const urgency = z.enum(URGENCIES as [string, ...string[]]) as z.ZodType<(typeof URGENCIES)[number]>;

/** A fault as the net room validates it (checked with its own schema, problems prefixed). */
const fault = z.unknown().superRefine((value, ctx) => {
  const parsed = parseFaultSpec(value);
  if (!parsed.ok)
    for (const problem of parsed.problems) ctx.addIssue({ code: 'custom', message: problem });
});

const service = z
  .object({
    id,
    profile: z.enum(PROFILES as [string, ...string[]]).default('rfc8030'),
    limits: z
      .object({
        ttlSecondsMax: z
          .number()
          .int()
          .min(1)
          .max(2 ** 31)
          .optional(),
        queueCountMax: z.number().int().min(1).max(1_000_000).optional(),
        subscriptionCountMax: z.number().int().min(1).max(10_000_000).optional(),
        sendsPerSecondPerSubscription: z.number().min(0).optional(),
        sendsPerSecondPerSender: z.number().min(0).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

const link = z
  .object({
    id,
    /** A preset from resources/network-presets.json (its faults come first). */
    preset: z
      .string()
      .refine((name) => presetNames().includes(name), {
        error: () => `unknown preset; allowed ${presetNames().join(', ')}`,
      })
      .optional(),
    faults: z.array(fault).max(64).default([]),
  })
  .strict();

const power = z
  .object({
    battery: share.default(0.8),
    charging: z.boolean().default(false),
    wifi: z.boolean().default(false),
  })
  .strict();

const userAgents = z
  .object({
    id,
    count: z.number().int().min(1).max(100_000).default(1),
    service: id,
    link: id.optional(),
    subscriptions: z.number().int().min(1).max(100).default(1),
    radio: z.enum(['lte', '3g', 'wifi']).optional(),
    ack: z
      .object({
        policy: z.enum(['immediate', 'delayed', 'never', 'crash']).default('immediate'),
        delay: durationMs.default(1000),
        crashProbability: share.default(0.3),
      })
      .strict()
      .default({ policy: 'immediate', delay: 1000, crashProbability: 0.3 }),
    doze: z.object({ awake: durationMs, asleep: durationMs }).strict().optional(),
    power: power.default({ battery: 0.8, charging: false, wifi: false }),
    /** Scripted power changes (e.g. plugged in at 10m). */
    powerChanges: z
      .array(
        z
          .object({
            at: durationMs,
            battery: share.optional(),
            charging: z.boolean().optional(),
            wifi: z.boolean().optional(),
          })
          .strict(),
      )
      .max(1000)
      .default([]),
    keepalive: durationMs.optional(),
    reconnect: z
      .object({
        initial: durationMs.default(1000),
        max: durationMs.default(60_000),
        jitter: share.default(0.5),
      })
      .strict()
      .optional(),
  })
  .strict();

const localLink = z
  .object({
    latency: durationMs.default(50),
    loss: share.default(0),
    outages: z
      .array(z.object({ from: durationMs, to: durationMs }).strict())
      .max(1000)
      .default([]),
  })
  .strict();

const gateway = z
  .object({
    id,
    count: z.number().int().min(1).max(10_000).default(1),
    service: id,
    link: id.optional(),
    ackMode: z.enum(['on-receipt', 'end-to-end']).default('end-to-end'),
    keepalive: durationMs.optional(),
    devices: z
      .object({
        count: z.number().int().min(1).max(10_000),
        wakeEvery: durationMs,
        awake: durationMs.default(2000),
        radio: z.enum(['lte', '3g', 'wifi']).optional(),
        localLink: localLink.default({ latency: 50, loss: 0, outages: [] }),
        bufferMax: z.number().int().min(1).max(100_000).default(100),
      })
      .strict(),
  })
  .strict();

const traffic = z.discriminatedUnion('pattern', [
  z.object({ pattern: z.literal('constant'), ratePerSecond: positive.max(100_000) }).strict(),
  z.object({ pattern: z.literal('poisson'), ratePerSecond: positive.max(100_000) }).strict(),
  z
    .object({
      pattern: z.literal('burst'),
      size: z.number().int().min(1).max(100_000),
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
              ttl: z
                .number()
                .int()
                .min(0)
                .max(2 ** 31)
                .optional(),
              urgency: urgency.optional(),
              topic: z
                .string()
                .regex(/^[A-Za-z0-9_-]{1,32}$/)
                .optional(),
              receipt: z.boolean().optional(),
              text: z.string().max(3993).optional(),
            })
            .strict(),
        )
        .max(100_000),
    })
    .strict(),
]);

const appServer = z
  .object({
    id,
    service: id,
    link: id.optional(),
    /** Agent groups (user agents or gateways) whose subscriptions it sends to; default all. */
    targets: z.array(id).min(1).optional(),
    traffic,
    start: durationMs.default(0),
    stop: durationMs.optional(),
    mix: z
      .object({
        ttl: z
          .array(
            z
              .object({
                value: z
                  .number()
                  .int()
                  .min(0)
                  .max(2 ** 31),
                share: z.number().min(0),
              })
              .strict(),
          )
          .min(1)
          .default([{ value: 3600, share: 1 }]),
        urgency: z.partialRecord(urgency, z.number().min(0)).default({ normal: 1 }),
        topicShare: share.default(0),
        topics: z.number().int().min(1).max(10_000).default(1),
        receiptShare: share.default(0),
      })
      .strict()
      .default({
        ttl: [{ value: 3600, share: 1 }],
        urgency: { normal: 1 },
        topicShare: 0,
        topics: 1,
        receiptShare: 0,
      }),
    vapid: z.boolean().default(true),
    /** Most sends waiting for an answer at once; a planned send beyond it waits its turn. */
    concurrency: z.number().int().min(1).max(10_000).default(64),
  })
  .strict();

export const scenarioSchema = z
  .object({
    name: z.string().min(1).max(200),
    description: z.string().max(5000).optional(),
    seed: z
      .union([z.number().int().min(0).max(SEED_NUMBER_MAX), z.string().max(200)], {
        error: `not a seed; allowed a whole number from 0 to 2^32-1 (${SEED_NUMBER_MAX}), or text of up to 200 characters`,
      })
      .default(1),
    duration: durationMs,
    clock: z
      .object({
        mode: z.enum(['virtual', 'scaled', 'real']).default('virtual'),
        speed: z.number().min(1).max(1000).default(1),
      })
      .strict()
      .default({ mode: 'virtual', speed: 1 }),
    services: z.array(service).min(1).max(8),
    links: z.array(link).max(100).default([]),
    userAgents: z.array(userAgents).max(100).default([]),
    gateways: z.array(gateway).max(100).default([]),
    appServers: z.array(appServer).max(100).default([]),
  })
  .strict()
  .superRefine((s, ctx) => {
    const services = new Set(s.services.map((x) => x.id));
    const links = new Set(s.links.map((x) => x.id));
    const groups = new Set([...s.userAgents.map((x) => x.id), ...s.gateways.map((x) => x.id)]);
    const unique = (kind: string, ids: string[]): void => {
      const seen = new Set<string>();
      ids.forEach((value, i) => {
        if (seen.has(value))
          ctx.addIssue({
            code: 'custom',
            path: [kind, i, 'id'],
            message: `duplicate id "${value}"`,
          });
        seen.add(value);
      });
    };
    unique(
      'services',
      s.services.map((x) => x.id),
    );
    unique(
      'links',
      s.links.map((x) => x.id),
    );
    const refer = (
      path: (string | number)[],
      value: string | undefined,
      known: Set<string>,
      what: string,
    ): void => {
      if (value !== undefined && !known.has(value)) {
        const allowed = [...known].join(', ') || '(none defined)';
        ctx.addIssue({
          code: 'custom',
          path,
          message: `no ${what} "${value}"; allowed ${allowed} (got "${value}")`,
        });
      }
    };
    s.userAgents.forEach((u, i) => {
      refer(['userAgents', i, 'service'], u.service, services, 'service');
      refer(['userAgents', i, 'link'], u.link, links, 'link');
    });
    s.gateways.forEach((g, i) => {
      refer(['gateways', i, 'service'], g.service, services, 'service');
      refer(['gateways', i, 'link'], g.link, links, 'link');
    });
    s.appServers.forEach((a, i) => {
      refer(['appServers', i, 'service'], a.service, services, 'service');
      refer(['appServers', i, 'link'], a.link, links, 'link');
      a.targets?.forEach((t, j) =>
        refer(['appServers', i, 'targets', j], t, groups, 'user agent or gateway group'),
      );
      if (a.stop !== undefined && a.stop < a.start) {
        ctx.addIssue({ code: 'custom', path: ['appServers', i, 'stop'], message: 'before start' });
      }
    });
    const clients = s.userAgents.filter((u) => u.service).length + s.gateways.length;
    if (s.appServers.length > 0 && clients === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['appServers'],
        message: 'application servers need user agents or gateways to send to',
      });
    }
  });

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
