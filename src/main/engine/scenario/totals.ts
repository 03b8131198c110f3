/**
 * What a scenario adds up to before its world is built — agents, devices, subscriptions,
 * links and planned messages over all its groups — and what that costs in memory, so an
 * absurd scenario (100 groups × 100,000 user agents × 100 subscriptions is valid field by
 * field) is refused with a sentence instead of taking the process to its heap limit.
 *
 * Bytes per item were measured on the virtual clock with Node 20 (RSS after three forced
 * GCs, before and after `new ScenarioRun(scenario).start()`, over growing counts; the
 * difference divided by the count added): 1,000 user agents with one subscription each
 * took 110 MB (bench/fleet.ts, which leaves out the scenario's per-agent link and radio,
 * gives ~72 kB); 100 user agents going from 1 to 50 subscriptions added 111 MB; 10
 * gateways going from 10 to 1,000 devices added 135 MB; 299,000 more planned sends added
 * 74 MB. Rounded up, they are the constants below.
 */
import { getHeapStatistics } from 'node:v8';
import { PLANNED_SENDS_MAX } from '../agents/traffic';
import type { Scenario } from './schema';
import { formatCount } from '../../../shared/format';

/** A user agent with its link, HTTP/2 session and first subscription. */
export const USER_AGENT_BYTES = 112 * 1024;
/** A gateway is a user agent (its own link and session) that holds its devices' subscriptions. */
export const GATEWAY_BYTES = USER_AGENT_BYTES;
/** Each subscription of a user agent past its first. */
export const SUBSCRIPTION_BYTES = 24 * 1024;
/** A gateway's device with its subscription, buffer and radio meter. */
export const DEVICE_BYTES = 14 * 1024;
/** A planned send (its time, target, TTL, urgency, topic and text), held from the start. */
export const PLANNED_MESSAGE_BYTES = 260;

/** Agents (user agents and gateways) in one scenario. */
export const SCENARIO_AGENTS_MAX = 20_000;
/** Devices behind all gateways. */
export const SCENARIO_DEVICES_MAX = 200_000;
/** Subscriptions held by all agents (a device's subscription counts). */
export const SCENARIO_SUBSCRIPTIONS_MAX = 200_000;
/** Sends planned by all application servers over the run. */
export const SCENARIO_PLANNED_MESSAGES_MAX = 5_000_000;
/** The estimate may use at most this share of the process's heap limit. */
export const SCENARIO_HEAP_SHARE_MAX = 0.5;

export interface ScenarioTotals {
  userAgents: number;
  gateways: number;
  agents: number;
  devices: number;
  subscriptions: number;
  /** One per agent and per application server: bounded through the agents' bound. */
  links: number;
  plannedMessages: number;
  /** The memory the world is expected to take, bytes. */
  estimatedBytes: number;
}

export function scenarioTotals(s: Scenario): ScenarioTotals {
  const sum = <T>(list: readonly T[], f: (x: T) => number): number =>
    list.reduce((total, x) => total + f(x), 0);
  const userAgents = sum(s.userAgents, (u) => u.count);
  const gateways = sum(s.gateways, (g) => g.count);
  const devices = sum(s.gateways, (g) => g.count * g.devices.count);
  const uaSubscriptions = sum(s.userAgents, (u) => u.count * u.subscriptions);
  const plannedMessages = sum(s.appServers, (a) => plannedSends(a, s.duration));
  return {
    userAgents,
    gateways,
    agents: userAgents + gateways,
    devices,
    subscriptions: uaSubscriptions + devices,
    links: userAgents + gateways + s.appServers.length,
    plannedMessages,
    estimatedBytes:
      userAgents * USER_AGENT_BYTES +
      (uaSubscriptions - userAgents) * SUBSCRIPTION_BYTES +
      gateways * GATEWAY_BYTES +
      devices * DEVICE_BYTES +
      plannedMessages * PLANNED_MESSAGE_BYTES,
  };
}

/** Sends one application server plans (as agents/traffic.ts plans them, without planning). */
function plannedSends(a: Scenario['appServers'][number], durationMs: number): number {
  const windowMs = Math.max(0, Math.min(a.stop ?? durationMs, durationMs) - a.start);
  const t = a.traffic;
  const count =
    t.pattern === 'script'
      ? t.sends.length
      : t.pattern === 'burst'
        ? t.every > 0
          ? t.size * Math.ceil(windowMs / t.every)
          : Infinity
        : Math.ceil((windowMs * t.ratePerSecond) / 1000);
  return windowMs === 0 && t.pattern !== 'script' ? 0 : Math.min(count, PLANNED_SENDS_MAX);
}

/**
 * One sentence per total over its bound, naming the field, the total and the limit; empty
 * when the scenario fits. `heapLimitBytes` defaults to this process's (v8's heap_size_limit).
 */
export function totalsProblems(
  s: Scenario,
  heapLimitBytes: number = getHeapStatistics().heap_size_limit,
): string[] {
  const t = scenarioTotals(s);
  const n = (x: number): string => formatCount(x);
  const over = (field: string, what: string, total: number, max: number): string[] =>
    total > max ? [`${field}: ${n(total)} ${what} in total; allowed at most ${n(max)}`] : [];
  const problems = [
    ...over('userAgents', 'agents (user agents and gateways)', t.agents, SCENARIO_AGENTS_MAX),
    ...over('gateways.devices', 'devices', t.devices, SCENARIO_DEVICES_MAX),
    ...over(
      'userAgents.subscriptions',
      'subscriptions',
      t.subscriptions,
      SCENARIO_SUBSCRIPTIONS_MAX,
    ),
    ...over(
      'appServers.traffic',
      'planned messages',
      t.plannedMessages,
      SCENARIO_PLANNED_MESSAGES_MAX,
    ),
  ];
  const budget = heapLimitBytes * SCENARIO_HEAP_SHARE_MAX;
  if (problems.length === 0 && t.estimatedBytes > budget) {
    // Whole MiB, the need rounded up and the budget down, so "needs 110 MiB; at most 109 MiB"
    // never reads as two equal figures.
    const mib = (bytes: number, round: (x: number) => number): string =>
      `${n(round(bytes / 2 ** 20))} MiB`;
    problems.push(
      `scenario: needs about ${mib(t.estimatedBytes, Math.ceil)} (${n(t.agents)} agents, ${n(t.devices)} devices, ${n(t.subscriptions)} subscriptions, ${n(t.plannedMessages)} planned messages); allowed at most ${mib(budget, Math.floor)}, half of this process's heap limit — make it smaller, or give node a larger --max-old-space-size`,
    );
  }
  return problems;
}
