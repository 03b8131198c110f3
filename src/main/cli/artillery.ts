/**
 * `push-lab artillery scenario.yaml > fleet.yml`: a Push Lab scenario as an Artillery script
 * for artillery-engine-push-lab, so the same fleet runs in one process or spread over
 * Artillery's runners.
 *
 * The mapping: each user-agent group is an Artillery scenario (weighted by its count) whose
 * VUs subscribe, then send what the application servers aimed at the group would have sent
 * them — the servers' planned sends (the World's own plan, same seed) shared out per VU, by
 * TTL and urgency, spread evenly over each server's window — to their own subscription
 * (`to: self`: every VU is a device and its sender, so the load per subscription is the
 * scenario's), then hold their monitoring GET until the scenario's duration is up. One phase
 * brings every VU in. The link of the first group that has one becomes every VU's link.
 * What the script cannot say is written to stderr, one sentence each, naming the field.
 */
import { stringify } from 'yaml';
import { Rng } from '../engine/rng/rng';
import { planTraffic } from '../engine/agents/traffic';
import { toPattern, type AppServerEntry } from '../engine/agents/kinds/app-server';
import { USER_AGENT_DEFAULTS, type UserAgentGroup } from '../engine/agents/kinds/user-agent';
import { loadScenario } from '../engine/scenario/load';
import type { Scenario } from '../engine/scenario/schema';
import {
  FLEET_DEFAULTS,
  SEND_COUNT_MAX,
  type FleetOptionsInput,
  type FleetStepInput,
} from '../engine/fleet/options';
import { parseFleetConfig } from '../engine/fleet/parse';
import { CliError } from './options';
import type { Urgency } from '../../shared/events';

/** VUs Artillery brings in per second at most: subscribing the whole fleet at once would storm the service. */
export const ARRIVALS_PER_SECOND_MAX = 200;

export interface ArtilleryScript {
  config: {
    target: string;
    phases: { name: string; duration: number; arrivalCount: number }[];
    engines: { 'push-lab': FleetOptionsInput };
  };
  scenarios: { name: string; engine: 'push-lab'; weight: number; flow: FleetStepInput[] }[];
}

export interface Conversion {
  script: ArtilleryScript;
  /** What the script cannot express, one sentence each naming the field. */
  notes: string[];
}

/** A scenario as an Artillery script; `target` (--target) wins over the service's url. */
export function scenarioToArtillery(scenario: Scenario, target?: string): Conversion {
  const notes: string[] = [];
  const groups = scenario.userAgents;
  if (groups.length === 0)
    throw new CliError(
      `userAgents: none in the scenario${scenario.gateways.length > 0 ? ' (field gateways have no Artillery VU)' : ''}; VUs are made of user-agent groups`,
      2,
    );
  const service = scenario.services.find((s) => s.id === groups[0]!.service)!;
  const url = target ?? service.url;
  if (url === undefined)
    throw new CliError(
      `services.${scenario.services.indexOf(service)}.url: service "${service.id}" runs inside the lab and has no url; give --target http(s)://host:port of a running push service (push-lab serve prints its own)`,
      2,
    );
  noteService(scenario, service.id, notes);
  const options = fleetOptions(scenario, service, notes);
  const checked = parseFleetConfig(url, options);
  if (!checked.ok) throw new CliError(checked.message.replace(/^config\.target/, '--target'), 2);

  const total = groups.reduce((sum, g) => sum + g.count, 0);
  const arrivalSeconds = Math.max(1, Math.ceil(total / ARRIVALS_PER_SECOND_MAX));
  if (arrivalSeconds > 1)
    notes.push(
      `userAgents: the ${total} user agents start together in Push Lab; here they arrive over ${arrivalSeconds} s (at most ${ARRIVALS_PER_SECOND_MAX} a second)`,
    );
  groups.forEach((group, i) => noteGroup(group, i, groups[0]!, notes));
  for (const section of ['gateways'] as const)
    if (scenario[section].length > 0)
      notes.push(`${section}: field gateways and their devices have no Artillery VU; left out`);

  const scenarios = groups.map((group) => ({
    name: group.id,
    engine: 'push-lab' as const,
    weight: group.count,
    flow: flowFor(scenario, group, notes),
  }));
  return {
    script: {
      config: {
        target: url,
        phases: [{ name: 'user agents arrive', duration: arrivalSeconds, arrivalCount: total }],
        engines: { 'push-lab': options },
      },
      scenarios,
    },
    notes,
  };
}

/** The engine's options: the service's profile and TLS, the seed, one link, the first group's acks. */
function fleetOptions(
  scenario: Scenario,
  service: Scenario['services'][number],
  notes: string[],
): FleetOptionsInput {
  const first = scenario.userAgents[0]!;
  const linked = scenario.userAgents.find((g) => g.link !== undefined);
  const link = linked ? scenario.links.find((l) => l.id === linked.link)! : null;
  const servers = scenario.appServers;
  const vapid = servers.length === 0 || servers.some((s) => s.vapid);
  if (servers.some((s) => s.vapid !== vapid))
    notes.push(
      `appServers.vapid: one setting for every VU; sends are ${vapid ? '' : 'not '}VAPID-signed`,
    );
  return {
    profile: service.profile,
    ...(service.ca !== undefined ? { ca: service.ca } : {}),
    ...(service.insecure ? { insecure: true } : {}),
    seed: scenario.seed,
    ...(link
      ? {
          link: {
            ...(link.preset !== undefined ? { preset: link.preset } : {}),
            faults: link.faults as unknown[],
          },
        }
      : {}),
    ack: {
      policy: first.ack.policy,
      delayMs: first.ack.delay,
      crashProbability: first.ack.crashProbability,
    },
    ...(first.reconnect
      ? {
          reconnect: {
            initialMs: first.reconnect.initial,
            maxMs: first.reconnect.max,
            jitter: first.reconnect.jitter,
          },
        }
      : {}),
    vapid,
  };
}

/** One group's VU: subscribe, the sends aimed at it, then hold until the duration is up. */
function flowFor(scenario: Scenario, group: UserAgentGroup, notes: string[]): FleetStepInput[] {
  const flow: FleetStepInput[] = [];
  for (let i = 0; i < group.subscriptions; i++) flow.push({ subscribe: {} });
  let atMs = 0;
  const servers = scenario.appServers.filter((s) => !s.targets || s.targets.includes(group.id));
  if (servers.length > 1)
    notes.push(
      `appServers: ${servers.map((s) => s.id).join(', ')} all send to group "${group.id}"; in its VUs their sends follow one another instead of overlapping`,
    );
  for (const server of servers) {
    const window = sendWindow(scenario, server);
    if (window.startMs > atMs) flow.push({ think: (window.startMs - atMs) / 1000 });
    atMs = Math.max(atMs, window.startMs);
    const count = sendsPerVu(scenario, server, window, group);
    if (count === 0) continue;
    const ttl = server.mix.ttl;
    const urgencies = Object.entries(server.mix.urgency);
    flow.push({
      send: {
        to: 'self',
        count,
        intervalMs: Math.floor((window.stopMs - window.startMs) / count),
        ttl: ttl.length === 1 ? ttl[0]!.value : ttl,
        urgency: urgencies.length === 1 ? (urgencies[0]![0] as Urgency) : server.mix.urgency,
        bytes: FLEET_DEFAULTS.send.bytes,
      },
    });
    atMs = window.stopMs;
  }
  if (scenario.duration > atMs) flow.push({ think: (scenario.duration - atMs) / 1000 });
  return flow;
}

function sendWindow(scenario: Scenario, server: AppServerEntry) {
  return {
    startMs: server.start,
    stopMs: Math.min(server.stop ?? scenario.duration, scenario.duration),
  };
}

/**
 * The server's planned sends (planTraffic with the World's seed fork: the count a run makes)
 * to the subscriptions it targets, as whole sends per VU of `group`.
 */
function sendsPerVu(
  scenario: Scenario,
  server: AppServerEntry,
  window: { startMs: number; stopMs: number },
  group: UserAgentGroup,
): number {
  const planned = planTraffic(
    toPattern(server.traffic),
    {
      ttlSeconds: server.mix.ttl,
      urgency: server.mix.urgency,
      topic: { share: server.mix.topicShare, count: server.mix.topics },
      receiptShare: server.mix.receiptShare,
    },
    window,
    new Rng(scenario.seed).fork(`traffic:${server.id}`),
  ).length;
  const targets = scenario.userAgents.filter(
    (g) => !server.targets || server.targets.includes(g.id),
  );
  const subscriptions = targets.reduce((sum, g) => sum + g.count * g.subscriptions, 0);
  const share = group.subscriptions / Math.max(1, subscriptions);
  return Math.min(SEND_COUNT_MAX, Math.round(planned * share));
}

/** What a service entry says that a script cannot. */
function noteService(scenario: Scenario, serviceId: string, notes: string[]): void {
  scenario.services.forEach((service, i) => {
    if (service.id !== serviceId)
      notes.push(`services.${i}: a script has one target; "${service.id}" is left out`);
    if (Object.keys(service.limits).length > 0)
      notes.push(
        `services.${i}.limits: the service's own configuration (push-lab serve has flags for them); not in the script`,
      );
    if (service.quirks !== undefined)
      notes.push(`services.${i}.quirks: the service's own configuration; not in the script`);
  });
  if (scenario.clock.mode !== 'real')
    notes.push(
      `clock.mode: "${scenario.clock.mode}" — Artillery runs on the wall clock, so the fleet takes the scenario's ${scenario.duration / 1000} s in real time`,
    );
  scenario.appServers.forEach((server, i) => {
    if (server.traffic.pattern !== 'constant' && server.traffic.pattern !== 'poisson')
      notes.push(
        `appServers.${i}.traffic: a ${server.traffic.pattern} pattern's sends are spread evenly over its window in each VU (their times are not kept)`,
      );
    if (server.mix.topicShare > 0)
      notes.push(`appServers.${i}.mix.topicShare: the engine's sends carry no topic`);
    if (server.mix.receiptShare > 0)
      notes.push(`appServers.${i}.mix.receiptShare: the engine's sends ask for no receipt`);
    if (server.link !== undefined)
      notes.push(
        `appServers.${i}.link: a VU's sends go through its own link (the user agents' link)`,
      );
  });
}

/** What a user-agent group says that a VU cannot (or that only the first group sets). */
function noteGroup(group: UserAgentGroup, i: number, first: UserAgentGroup, notes: string[]): void {
  const at = `userAgents.${i}`;
  if (group.radio !== undefined)
    notes.push(`${at}.radio: Artillery VUs meter no radio energy; left out`);
  if (group.doze !== undefined) notes.push(`${at}.doze: VUs stay awake; left out`);
  if (group.powerChanges.length > 0)
    notes.push(`${at}.powerChanges: VUs keep one power state; left out`);
  if (JSON.stringify(group.power) !== JSON.stringify(USER_AGENT_DEFAULTS.power))
    notes.push(`${at}.power: VUs keep the default power state; left out`);
  if (group.keepalive !== undefined) notes.push(`${at}.keepalive: VUs send no PINGs; left out`);
  if (i === 0) return;
  if (group.link !== first.link)
    notes.push(
      `${at}.link: every VU has the first linked group's link; "${group.link ?? 'none'}" is left out`,
    );
  if (JSON.stringify(group.ack) !== JSON.stringify(first.ack))
    notes.push(`${at}.ack: every VU acks as the first group does`);
  if (JSON.stringify(group.reconnect) !== JSON.stringify(first.reconnect))
    notes.push(`${at}.reconnect: every VU reconnects as the first group does`);
}

export interface ArtilleryCliOptions {
  target?: string;
}

/** The command: the script on stdout, notes on stderr; exit 2 on a bad scenario or flag. */
export async function runArtillery(file: string, options: ArtilleryCliOptions): Promise<number> {
  const loaded = await loadScenario(file);
  if (!loaded.ok) {
    process.stderr.write(`push-lab: ${file} is not a valid scenario:\n`);
    for (const problem of loaded.problems) process.stderr.write(`  ${problem}\n`);
    return 2;
  }
  const { script, notes } = scenarioToArtillery(loaded.scenario, options.target);
  for (const note of notes) process.stderr.write(`push-lab artillery: ${note}\n`);
  process.stdout.write(
    `# Made by \`push-lab artillery ${file}\` for artillery-engine-push-lab: artillery run <this file>\n`,
  );
  process.stdout.write(stringify(script));
  return 0;
}
