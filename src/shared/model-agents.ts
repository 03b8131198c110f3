/**
 * The agent and link facts of the LabModel, folded from their events: each link's state,
 * faults (with attributes) and counters; each agent's sleep, battery, urgency filter, radio
 * state and joules; and the energy per device class over lab time. model.ts calls this fold,
 * so a snapshot, a seek and an opened recording all know them at their moment — the one
 * derivation Links, Topology and the energy chart read.
 */
import type { LabEvent, LinkCounts, LinkFault, LinkState, Urgency } from './events';
import { Table, type TableDraft } from './table';

export interface LinkFact {
  id: string;
  /** The agent the link serves. */
  agentId: string;
  state: LinkState;
  faults: readonly LinkFault[];
  /** As of the last `link.sampled` (empty before one). */
  counters: LinkCounts;
  /** Connections reset on it so far (`link.reset`). */
  resets: number;
}

export interface AgentFact {
  id: string;
  asleep: boolean;
  /** Battery charge 0–1, null until an `agent.power`. */
  battery: number | null;
  charging: boolean;
  urgencyMin: Urgency | null;
  /** '<technology> <state>' ('lte longDrx'), null until a `radio.state`. */
  radio: string | null;
  /** Joules metered so far, as of the last `energy.sampled`; null when not metered. */
  joules: number | null;
}

/** Samples of the energy chart kept in the model (a run makes at most 500: engine/energy/sampler.ts). */
export const ENERGY_SAMPLES_MAX = 600;

/** Joules per device of each class over lab time, one point per `energy.sampled` totals. */
export interface EnergySeries {
  /** Classes in the order they first appeared. */
  classes: readonly string[];
  /** Lab time of each sample (ms). */
  t: readonly number[];
  /** Joules per device, one array per class (aligned with `t`; null before the class existed). */
  perDevice: readonly (readonly (number | null)[])[];
}

export const EMPTY_ENERGY: EnergySeries = { classes: [], t: [], perDevice: [] };

/** The part of the LabModel this module owns. */
export interface AgentFacts {
  links: Table<LinkFact>;
  agentFacts: Table<AgentFact>;
  energy: EnergySeries;
}

export interface WireAgentFacts {
  links: Readonly<Record<string, LinkFact>>;
  agentFacts: Readonly<Record<string, AgentFact>>;
  energy: EnergySeries;
}

export function emptyAgentFacts(): AgentFacts {
  return { links: Table.empty(), agentFacts: Table.empty(), energy: EMPTY_ENERGY };
}

export function agentFactsToWire(facts: AgentFacts): WireAgentFacts {
  return {
    links: facts.links.toJSON(),
    agentFacts: facts.agentFacts.toJSON(),
    energy: facts.energy,
  };
}

export function agentFactsFromWire(wire: WireAgentFacts): AgentFacts {
  return {
    links: Table.fromRecord(wire.links),
    agentFacts: Table.fromRecord(wire.agentFacts),
    energy: wire.energy,
  };
}

const NO_COUNTS: LinkCounts = {};

/** Copy-on-first-write fold of one batch, like model.ts's Draft. */
export class AgentFactsDraft {
  private links: TableDraft<LinkFact> | null = null;
  private agents: TableDraft<AgentFact> | null = null;
  private energy: EnergySeries;

  constructor(private readonly base: AgentFacts) {
    this.energy = base.energy;
  }

  apply(e: LabEvent): void {
    switch (e.kind) {
      case 'link.faults':
        this.patchLink(e.linkId, e.agentId, { state: e.state, faults: e.faults });
        break;
      case 'link.changed':
        this.patchLink(e.linkId, agentOfLink(e.linkId), { state: e.state });
        break;
      case 'link.reset': {
        const cur = this.link(e.linkId);
        this.patchLink(e.linkId, agentOfLink(e.linkId), { resets: (cur?.resets ?? 0) + 1 });
        break;
      }
      case 'link.sampled':
        for (const [id, counters] of Object.entries(e.counters)) {
          this.patchLink(id, agentOfLink(id), { counters });
        }
        break;
      case 'agent.sleep':
        this.patchAgent(e.agentId, { asleep: true });
        break;
      case 'agent.wake':
        this.patchAgent(e.agentId, { asleep: false });
        break;
      case 'agent.power':
        this.patchAgent(e.agentId, {
          battery: e.battery,
          charging: e.charging,
          urgencyMin: e.urgencyMin,
        });
        break;
      case 'radio.state':
        this.patchAgent(e.agentId, { radio: `${e.technology} ${e.to}` });
        break;
      case 'energy.sampled':
        for (const [id, joules] of Object.entries(e.devices)) this.patchAgent(id, { joules });
        if (Object.keys(e.byClass).length > 0) this.energy = addSample(this.energy, e.t, e.byClass);
        break;
    }
  }

  finish(): AgentFacts {
    return {
      links: this.links?.finish() ?? this.base.links,
      agentFacts: this.agents?.finish() ?? this.base.agentFacts,
      energy: this.energy,
    };
  }

  private link(id: string): LinkFact | undefined {
    return (this.links ?? this.base.links).get(id);
  }

  private patchLink(id: string, agentId: string, patch: Partial<LinkFact>): void {
    const cur = this.link(id) ?? {
      id,
      agentId,
      state: 'up',
      faults: [],
      counters: NO_COUNTS,
      resets: 0,
    };
    (this.links ??= this.base.links.edit()).set(id, { ...cur, ...patch });
  }

  private patchAgent(id: string, patch: Partial<AgentFact>): void {
    const cur = (this.agents ?? this.base.agentFacts).get(id) ?? {
      id,
      asleep: false,
      battery: null,
      charging: false,
      urgencyMin: null,
      radio: null,
      joules: null,
    };
    (this.agents ??= this.base.agentFacts.edit()).set(id, { ...cur, ...patch });
  }
}

/** The agent a link serves: link ids are '<template>:<agentId>'. */
export function agentOfLink(linkId: string): string {
  const cut = linkId.indexOf(':');
  return cut < 0 ? linkId : linkId.slice(cut + 1);
}

/**
 * `series` with one more sample at lab time `t`: joules per device of each class (classes
 * that appear later start with nulls); the oldest go beyond ENERGY_SAMPLES_MAX.
 */
export function addSample(
  series: EnergySeries,
  t: number,
  byClass: Readonly<Record<string, { joules: number; devices: number }>>,
): EnergySeries {
  const classes = [...series.classes];
  for (const name of Object.keys(byClass).sort()) if (!classes.includes(name)) classes.push(name);
  const drop = Math.max(0, series.t.length + 1 - ENERGY_SAMPLES_MAX);
  const perDevice = classes.map((name, i) => {
    const before = series.perDevice[i] ?? series.t.map(() => null);
    const sum = byClass[name];
    const value = sum && sum.devices > 0 ? round(sum.joules / sum.devices) : null;
    return [...before.slice(drop), value];
  });
  return { classes, t: [...series.t.slice(drop), t], perDevice };
}

const round = (value: number): number => Math.round(value * 1000) / 1000;
