/**
 * Agent kinds as a registry: the scenario schema's agent sections are the registry's kinds,
 * each kind's defaults are the one copy the schema applies, the roles its agents announce are
 * the roles it declares, and a section no kind owns gets an answer naming the kinds.
 */
import { describe, expect, it } from 'vitest';
import type { AgentRole } from '../../../src/shared/events';
import { DEFAULT_BUFFER_COUNT_MAX } from '../../../src/main/engine/agents/gateway';
import { GATEWAY_DEFAULTS } from '../../../src/main/engine/agents/kinds/gateway';
import type { AnyAgentKind } from '../../../src/main/engine/agents/kinds/kind';
import { AGENT_KINDS, AGENT_SECTIONS } from '../../../src/main/engine/agents/kinds/registry';
import {
  RECONNECT_DEFAULTS,
  USER_AGENT_DEFAULTS,
} from '../../../src/main/engine/agents/kinds/user-agent';
import { DEFAULT_BEHAVIOUR } from '../../../src/main/engine/agents/user-agent';
import { parseScenario, validateScenario } from '../../../src/main/engine/scenario/load';
import { runScenario } from '../../../src/main/engine/scenario/run';
import { SCENARIO_SECTIONS, type Scenario } from '../../../src/main/engine/scenario/schema';

const KINDS: readonly AnyAgentKind[] = AGENT_KINDS;
/** The scenario's own sections: everything else at the top level is an agent kind's. */
const OWN_SECTIONS = ['name', 'description', 'seed', 'duration', 'clock', 'services', 'links'];

/** A scenario holding one sample entry of every kind. */
function everyKind(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'every kind',
    duration: '5s',
    services: [{ id: 'ps1' }],
    ...Object.fromEntries(KINDS.map((k) => [k.section, [k.sample]])),
    ...extra,
  };
}

function parsed(input: unknown): Scenario {
  const result = validateScenario(input);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.scenario;
}

describe('agent kinds registry', () => {
  it("the schema's agent sections are exactly the registry's kinds, in its order", () => {
    expect(SCENARIO_SECTIONS.filter((k) => !OWN_SECTIONS.includes(k))).toEqual([...AGENT_SECTIONS]);
    expect(AGENT_SECTIONS).toEqual(['userAgents', 'gateways', 'appServers']);
    // Each section lists entries of its kind, bounded by the kind.
    for (const kind of KINDS) {
      const tooMany = Array.from({ length: kind.groupsMax + 1 }, () => kind.sample);
      const result = validateScenario(everyKind({ [kind.section]: tooMany }));
      expect(result.ok, kind.section).toBe(false);
      if (!result.ok)
        expect(result.problems.join('\n')).toMatch(new RegExp(`^${kind.section}: `, 'm'));
    }
  });

  it('every role an agent can announce belongs to exactly one kind', () => {
    const roles: Record<AgentRole, true> = {
      'user-agent': true,
      'app-server': true,
      gateway: true,
      device: true,
    };
    const claimed = KINDS.flatMap((k) => k.roles);
    expect([...claimed].sort()).toEqual(Object.keys(roles).sort());
  });

  it("a built world's agents announce the roles their kind declares", async () => {
    const scenario = parsed(everyKind());
    const roleOf = new Map<string, AgentRole>();
    await runScenario(
      scenario,
      { durationMs: 1000 },
      {
        onEvent: (e) => {
          if (e.kind === 'agent.started') roleOf.set(e.agentId, e.role);
        },
      },
    );
    for (const kind of KINDS) {
      const group = (kind.sample as { id: string }).id;
      const announced = new Set(
        [...roleOf].filter(([id]) => id === group || id.startsWith(`${group}-`)).map(([, r]) => r),
      );
      expect([...announced].sort(), kind.section).toEqual([...kind.roles].sort());
    }
  }, 60_000);
});

describe("each kind's defaults are the one copy", () => {
  it('an entry that leaves every defaulted field out parses to the kind module’s defaults', () => {
    const scenario = parsed(everyKind()) as unknown as Record<string, object[]>;
    for (const kind of KINDS) {
      expect(Object.keys(kind.defaults as object).length, kind.section).toBeGreaterThan(0);
      expect(scenario[kind.section]![0], kind.section).toMatchObject(kind.defaults as object);
    }
  });

  it('a user agent group given `reconnect: {}` gets the user agent’s own reconnect behaviour', () => {
    const ua = parsed(everyKind({ userAgents: [{ id: 'phone', service: 'ps1', reconnect: {} }] }))
      .userAgents[0]!;
    expect(ua.reconnect).toEqual(RECONNECT_DEFAULTS);
    expect(RECONNECT_DEFAULTS).toEqual({
      initial: DEFAULT_BEHAVIOUR.reconnect.initialMs,
      max: DEFAULT_BEHAVIOUR.reconnect.maxMs,
      jitter: DEFAULT_BEHAVIOUR.reconnect.jitter,
    });
  });

  it('the scenario defaults are the agents’ own defaults (a user agent, a gateway’s buffer)', () => {
    expect(USER_AGENT_DEFAULTS.ack).toEqual({
      policy: DEFAULT_BEHAVIOUR.ack.policy,
      delay: DEFAULT_BEHAVIOUR.ack.delayMs,
      crashProbability: DEFAULT_BEHAVIOUR.ack.crashProbability,
    });
    expect(USER_AGENT_DEFAULTS.power).toEqual(DEFAULT_BEHAVIOUR.power);
    expect(GATEWAY_DEFAULTS.devices.bufferMax).toBe(DEFAULT_BUFFER_COUNT_MAX);
  });
});

describe('a section no kind owns', () => {
  it('is answered with the field, its value and the allowed kinds — alongside the other problems', () => {
    const result = parseScenario(`
name: drones
duration: forever
services: [{ id: ps1 }]
drones: [{ id: d, service: ps1 }]
`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        'drones: unknown agent kind "drones"; allowed userAgents, gateways, appServers (other sections: name, description, seed, duration, clock, services, links) (got "drones")',
        expect.stringMatching(/^duration: not a duration/),
      ]),
    );
    expect(result.problems.filter((p) => p.startsWith('drones'))).toHaveLength(1);
  });

  it('is not looked for in a scenario that is not an object', () => {
    const result = validateScenario(['userAgents']);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toEqual([expect.stringMatching(/^\(root\): /)]);
  });
});
