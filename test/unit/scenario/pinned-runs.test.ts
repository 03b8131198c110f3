/**
 * Pins what every example scenario builds, so a change in how the World wires agents (the
 * order of Rng forks, link creation, agent starts) cannot pass unnoticed: the schedule hash of
 * each example over its whole duration, and a digest of every event of its first lab seconds
 * on the virtual clock (agent starts, subscriptions, link ids, the first sends).
 * The values were taken on the code before agent kinds became a registry; they change only
 * when a scenario's behaviour is meant to change — then say why in the commit.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, validateScenario } from '../../../src/main/engine/scenario/load';
import { runScenario, ScenarioRun } from '../../../src/main/engine/scenario/run';
import type { Scenario } from '../../../src/main/engine/scenario/schema';

const scenariosDir = path.resolve(import.meta.dirname, '../../../resources/scenarios');
/** Lab time of each example's short run: long enough for every agent to start and subscribe. */
const SHORT_RUN_MS = 8_000;
/** Agents per group in the short run (flash-crowd's 5,000 phones would take minutes here). */
const SHORT_RUN_GROUP_MAX = 200;

const PINNED: Record<string, { scheduleHash: string; events: number; eventsDigest: string }> = {
  commute: {
    scheduleHash: 'ad8c0053d807d0ed71364d532878a1d07aad1e6b35af482daa65605864bfefb0',
    events: 478,
    eventsDigest: 'bde48816ee3fd5a2edf0ea1b82e0aa17098b5f44510ea6b24f2d3de4ca2da011',
  },
  'compare-draft-damaggio': {
    scheduleHash: '1a9fd02df4824e01478343aa0e400adcfabb0fd3bae299380b35293061865157',
    events: 185,
    eventsDigest: 'c0f1501373deee235e9abd2240531d90dfdfccccacf2e8fbdfdfe5f45c329662',
  },
  'compare-draft-thomson': {
    scheduleHash: '1a9fd02df4824e01478343aa0e400adcfabb0fd3bae299380b35293061865157',
    events: 195,
    eventsDigest: '41ded6784e8c3b3bc7eb62946d1ddbada3d0663f2caab759a0e9fab4afc50e73',
  },
  'compare-rfc8030': {
    scheduleHash: '1a9fd02df4824e01478343aa0e400adcfabb0fd3bae299380b35293061865157',
    events: 163,
    eventsDigest: '115a38ce81ebbd2e8de5d1cf0ac8e59a3d533672e16d1beae7555e0b94a02140',
  },
  'field-gateway': {
    scheduleHash: '0124cada089c5c24d36df393c1f65e5c34b4e6a6b0a0022c4cce6b23707dd421',
    events: 120,
    eventsDigest: '04468bdfdbd913ba508bd97bc7bd81fe421da1b9f0bf8da94376621f895d1c3f',
  },
  'flash-crowd': {
    scheduleHash: 'e2cc44e4f722e4c8580565f2bf4ca1100a324079da960c020ee14a2f63207837',
    events: 1003,
    eventsDigest: 'b2ca281fa5075b22759c7d5789e03629284206739b98e40c8c896c418b0b1391',
  },
  smoke: {
    scheduleHash: '82b348688b8fce21fe63698faab6f0da77fa63c91348f74651d2cb22051f7840',
    events: 118,
    eventsDigest: 'b7e52696cf59e79de0824cba03c7a9bc772d44088cded537599ff739e7cb498d',
  },
  'ttl-vs-outage': {
    scheduleHash: '9afed8220a8261da2de04e4f0787fe64d10f3d65e508cc3496586f660c21f6f1',
    events: 161,
    eventsDigest: 'a8fc17af1afe9392d40a086f5f4aea3eae6844f222b3655c394cc43c1c53db51',
  },
};

const PINNED_MIXED = {
  scheduleHash: 'd5eefc854d11c699ab5cdfebb0404c63f7c8c42b0c20b8f34f339dfbfbf23053',
  events: 525,
  eventsDigest: '444b897ac89c04145a0474aed19526bd0b4c41bf7c5afcaf2111ebf6b40899ee',
};

async function example(name: string): Promise<Scenario> {
  const loaded = await loadScenario(path.join(scenariosDir, `${name}.yaml`));
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  return loaded.scenario;
}

async function fullScheduleHash(scenario: Scenario): Promise<string> {
  // Building the world plans all traffic; nothing needs to run.
  const run = new ScenarioRun(scenario);
  await run.finish(true);
  return run.world.scheduleHash;
}

async function shortRun(scenario: Scenario): Promise<{ events: number; eventsDigest: string }> {
  const hash = createHash('sha256');
  let events = 0;
  const trimmed: Scenario = {
    ...scenario,
    userAgents: scenario.userAgents.map((g) => ({
      ...g,
      count: Math.min(g.count, SHORT_RUN_GROUP_MAX),
    })),
    gateways: scenario.gateways.map((g) => ({
      ...g,
      count: Math.min(g.count, SHORT_RUN_GROUP_MAX),
    })),
  };
  await runScenario(
    trimmed,
    { durationMs: Math.min(scenario.duration, SHORT_RUN_MS) },
    {
      onEvent: (e) => {
        events += 1;
        hash.update(JSON.stringify(e));
        hash.update('\n');
      },
    },
  );
  return { events, eventsDigest: hash.digest('hex') };
}

/**
 * No example holds every kind at once, so this one does: user agents and gateways (their
 * start order), both sending kinds' targets, radios, power changes, doze and two link templates.
 */
const MIXED = {
  name: 'every kind at once',
  seed: 'mixed',
  duration: '8s',
  services: [{ id: 'ps1' }],
  links: [
    { id: 'cell', preset: 'slow-4g' },
    { id: 'wire', faults: [{ type: 'loss', attributes: { p: 0.02 } }] },
  ],
  userAgents: [
    {
      id: 'phone',
      count: 3,
      service: 'ps1',
      link: 'cell',
      subscriptions: 2,
      radio: 'lte',
      keepalive: '3s',
      reconnect: { initial: '500ms' },
      ack: { policy: 'crash', crashProbability: 0.5 },
      doze: { awake: '3s', asleep: '2s' },
      powerChanges: [{ at: '2s', charging: true }],
    },
    { id: 'tablet', service: 'ps1', ack: { policy: 'delayed', delay: '300ms' } },
  ],
  gateways: [
    {
      id: 'gw',
      count: 2,
      service: 'ps1',
      link: 'wire',
      ackMode: 'on-receipt',
      devices: { count: 3, wakeEvery: '2s', awake: '500ms', radio: 'wifi' },
    },
  ],
  appServers: [
    {
      id: 'news',
      service: 'ps1',
      link: 'wire',
      traffic: { pattern: 'poisson', ratePerSecond: 4 },
      mix: { topicShare: 0.5, topics: 2, receiptShare: 0.5, urgency: { low: 1, high: 1 } },
    },
    {
      id: 'ops',
      service: 'ps1',
      targets: ['gw', 'tablet'],
      vapid: false,
      traffic: { pattern: 'script', sends: [{ at: '1s' }, { at: '4s', target: 3, ttl: 0 }] },
    },
  ],
};

describe('the example scenarios build the same world as before', () => {
  const names = readdirSync(scenariosDir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();

  it('pins every example', () => {
    expect(Object.keys(PINNED).sort()).toEqual(names);
  });

  it('a scenario with every kind at once: schedule hash and every event', async () => {
    const loaded = validateScenario(MIXED);
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    const actual = {
      scheduleHash: await fullScheduleHash(loaded.scenario),
      ...(await shortRun(loaded.scenario)),
    };
    if (process.env['PRINT_PINS']) console.log(`PIN mixed ${JSON.stringify(actual)}`);
    expect(actual).toEqual(PINNED_MIXED);
  }, 120_000);

  for (const name of names) {
    it(`${name}: schedule hash and first ${SHORT_RUN_MS / 1000} s of events`, async () => {
      const scenario = await example(name);
      const actual = {
        scheduleHash: await fullScheduleHash(scenario),
        ...(await shortRun(scenario)),
      };
      if (process.env['PRINT_PINS']) console.log(`PIN ${name} ${JSON.stringify(actual)}`);
      expect(actual).toEqual(PINNED[name]);
    }, 120_000);
  }
});
