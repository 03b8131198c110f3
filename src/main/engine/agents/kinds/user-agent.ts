/**
 * Agent kind `userAgents`: groups of simulated phones and browsers, each a user agent with
 * its own link instance, subscriptions, ack policy, doze, power and optional metered radio.
 */
import { z } from 'zod';
import { durationMs } from '../../scenario/duration';
import { id, radioTechnology, share } from '../../scenario/fields';
import { DEFAULT_BEHAVIOUR, UserAgent, type UaBehaviour } from '../user-agent';
import { defineKind, memberIds, type Member, type WorldContext } from './kind';

/** User agents in one group. */
export const USER_AGENTS_PER_GROUP_MAX = 100_000;
/** Subscriptions one user agent holds. */
export const SUBSCRIPTIONS_PER_USER_AGENT_MAX = 100;
/** Scripted power changes in one group. */
export const POWER_CHANGES_MAX = 1000;
/** Groups in a scenario's `userAgents` section. */
const GROUPS_MAX = 100;

const behaviour = DEFAULT_BEHAVIOUR;

/** A group's defaults, in the scenario's units (durations in ms); the behaviour's own defaults are read, not copied. */
export const USER_AGENT_DEFAULTS = {
  count: 1,
  subscriptions: 1,
  ack: {
    policy: behaviour.ack.policy,
    delay: behaviour.ack.delayMs,
    crashProbability: behaviour.ack.crashProbability,
  },
  power: behaviour.power,
  powerChanges: [],
} as const;
/** The fields of `reconnect` when a group gives it (without it, the user agent's own). */
export const RECONNECT_DEFAULTS = {
  initial: behaviour.reconnect.initialMs,
  max: behaviour.reconnect.maxMs,
  jitter: behaviour.reconnect.jitter,
} as const;
const d = { ...USER_AGENT_DEFAULTS, reconnect: RECONNECT_DEFAULTS };

const power = z
  .object({
    battery: share.default(d.power.battery),
    charging: z.boolean().default(d.power.charging),
    wifi: z.boolean().default(d.power.wifi),
  })
  .strict();

const entry = z
  .object({
    id,
    count: z.number().int().min(1).max(USER_AGENTS_PER_GROUP_MAX).default(d.count),
    service: id,
    link: id.optional(),
    subscriptions: z
      .number()
      .int()
      .min(1)
      .max(SUBSCRIPTIONS_PER_USER_AGENT_MAX)
      .default(d.subscriptions),
    radio: radioTechnology.optional(),
    ack: z
      .object({
        policy: z.enum(['immediate', 'delayed', 'never', 'crash']).default(d.ack.policy),
        delay: durationMs.default(d.ack.delay),
        crashProbability: share.default(d.ack.crashProbability),
      })
      .strict()
      .prefault({}),
    doze: z.object({ awake: durationMs, asleep: durationMs }).strict().optional(),
    power: power.prefault({}),
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
      .max(POWER_CHANGES_MAX)
      .default([]),
    keepalive: durationMs.optional(),
    reconnect: z
      .object({
        initial: durationMs.default(d.reconnect.initial),
        max: durationMs.default(d.reconnect.max),
        jitter: share.default(d.reconnect.jitter),
      })
      .strict()
      .optional(),
  })
  .strict();

export type UserAgentGroup = z.output<typeof entry>;

/** The behaviour a group's entry asks for (what it leaves out is the user agent's default). */
function behaviourOf(group: UserAgentGroup): Partial<UaBehaviour> {
  return {
    ack: {
      policy: group.ack.policy,
      delayMs: group.ack.delay,
      crashProbability: group.ack.crashProbability,
    },
    power: group.power,
    ...(group.doze ? { doze: { awakeMs: group.doze.awake, asleepMs: group.doze.asleep } } : {}),
    ...(group.keepalive
      ? { keepalive: { intervalMs: group.keepalive, timeoutMs: behaviour.keepalive.timeoutMs } }
      : {}),
    ...(group.reconnect
      ? {
          reconnect: {
            initialMs: group.reconnect.initial,
            maxMs: group.reconnect.max,
            jitter: group.reconnect.jitter,
          },
        }
      : {}),
  };
}

function member(group: UserAgentGroup, agentId: string, world: WorldContext): Member<UserAgent> {
  const service = world.service(group.service);
  const radio = world.radio(agentId, `user-agent:${group.radio}`, group.radio);
  const ua = new UserAgent(
    {
      agentId,
      serviceUrl: service.url,
      serviceId: service.id,
      subscribePath: new URL(service.subscribeUrl).pathname,
      profile: service.profileName,
      createConnection: () => world.connection(group.link, agentId, service, radio),
      identify: (path) => service.identify(path),
      identifySubscription: (url) => service.identifySubscription(url),
      identifyLatest: (url, body) => service.identifyLatest(url, body),
      ...(service.witness ? { witness: service.witness } : {}),
      behaviour: behaviourOf(group),
    },
    world.clock,
    world.bus,
    world.rng.fork(`ua:${agentId}`),
  );
  for (const change of group.powerChanges) {
    const { at, ...power } = change;
    world.later(at, () => ua.setPower(power));
  }
  return {
    agent: ua,
    subscriptions: () => ua.subscriptions,
    started: ua.start(group.subscriptions),
    stop: () => ua.stop(),
  };
}

export const userAgentKind = defineKind({
  section: 'userAgents',
  noun: 'user agent',
  roles: ['user-agent'],
  entry,
  groupsMax: GROUPS_MAX,
  defaults: USER_AGENT_DEFAULTS,
  sample: { id: 'phone', service: 'ps1' },
  targetable: true,
  references: (group) => [
    { path: ['service'], value: group.service, to: 'service' },
    { path: ['link'], value: group.link, to: 'link' },
  ],
  *members(group, world) {
    for (const agentId of memberIds(group)) yield member(group, agentId, world);
  },
});
