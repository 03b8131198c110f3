/**
 * What an agent kind is to the lab: the scenario section that lists its groups (schema,
 * defaults), the roles its agents take in events, and how a scenario entry becomes running
 * agents inside a World. One module per kind implements this; `registry.ts` lists them, the
 * scenario schema composes its agent sections from the list and the World builds from it.
 */
import type { Duplex } from 'node:stream';
import type { z } from 'zod';
import type { AgentRole, Profile } from '../../../../shared/events';
import type { Clock } from '../../clock/clock';
import type { Radio } from '../../energy';
import type { Rng } from '../../rng/rng';
import type { EventBus } from '../../trace/bus';
import type { AppServer } from '../app-server';
import type { SenderSecrets } from '../sender-secrets';
import type { PlannedSend } from '../traffic';
import type { UaSubscription } from '../user-agent';
import type { AgentWitness } from '../witness';

export type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly DeepPartial<U>[]
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/**
 * A push service as the agents see it: the lab's own (a PushService, reached in memory) or an
 * external one (reached over real TCP). Only an external one has a witness: the agents then
 * tell it what they observe, since the service itself tells the lab nothing.
 */
export interface ServiceEndpoint {
  readonly id: string;
  readonly url: string;
  readonly subscribeUrl: string;
  readonly profileName: Profile;
  identify(messagePath: string): { messageId: string; subscriptionId: string } | null;
  identifySubscription(pushUrl: string): string | null;
  identifyLatest(
    pushUrl: string,
    body?: Uint8Array,
  ): { messageId: string; subscriptionId: string } | null;
  readonly witness?: AgentWitness;
}

/** What a kind's builders may use of the World they are built into. */
export interface WorldContext {
  readonly clock: Clock;
  readonly bus: EventBus;
  /** The world's seeded Rng: builders fork it by a label naming the agent, never draw from it. */
  readonly rng: Rng;
  readonly durationMs: number;
  service(serviceId: string): ServiceEndpoint;
  /** A byte stream to `service` for `agentId`, through its own instance of link template `linkId`. */
  connection(
    linkId: string | undefined,
    agentId: string,
    service: ServiceEndpoint,
    radio: Radio | null,
  ): Duplex;
  /** A metered radio for `agentId` (none without a technology). */
  radio(agentId: string, deviceClass: string, technology: string | undefined): Radio | null;
  /** Runs `fn` after `delayMs` of lab time (cancelled when the world stops). */
  later(delayMs: number, fn: () => void): void;
  /** Sender key pairs made ahead, shared by the world's application servers. */
  readonly senderSecrets: SenderSecrets;
}

/** One agent of a group, built and starting. */
export interface Member<Agent> {
  agent: Agent;
  /** The subscriptions application servers send to (read when traffic starts). */
  subscriptions(): readonly UaSubscription[];
  started: Promise<void>;
  stop(): Promise<void>;
}

/** An application server's traffic, planned when the world is built. */
export interface PlannedTraffic {
  server: AppServer;
  plan: PlannedSend[];
  /** Groups sent to; undefined = every group that can be sent to. */
  targets: readonly string[] | undefined;
  /** Most sends waiting for an answer at once. */
  concurrency: number;
}

/** A field of an entry that names something defined elsewhere in the scenario. */
export interface Reference {
  /** Path inside the entry, e.g. ['targets', 2]. */
  path: (string | number)[];
  value: string | undefined;
  to: 'service' | 'link' | 'group';
}

export interface AgentKind<Section extends string, Entry extends z.ZodType, Agent> {
  /** The scenario section listing this kind's groups, e.g. `userAgents`. */
  readonly section: Section;
  /** What one group entry is called in messages, e.g. "user agent". */
  readonly noun: string;
  /** The roles its agents announce in `agent.started` events. */
  readonly roles: readonly AgentRole[];
  /** One entry of the section. */
  readonly entry: Entry;
  /** Entries in the section. */
  readonly groupsMax: number;
  /** The value of every field an entry may leave out that has a default (the one copy). */
  readonly defaults: DeepPartial<z.output<Entry>>;
  /** The smallest valid entry, given a service `ps1` (docs and tests). */
  readonly sample: z.input<Entry>;
  /** Whether application servers may send to this kind's groups. */
  readonly targetable: boolean;
  references(entry: z.output<Entry>): Reference[];
  /** Built with the world, in registry order: the entry's planned traffic (lines go into the schedule hash). */
  plan?(
    entry: z.output<Entry>,
    world: WorldContext,
    hashLine: (line: string) => void,
  ): PlannedTraffic;
  /** Built when the world starts, in registry order: the group's agents, one at a time, each starting as it is made. */
  members?(entry: z.output<Entry>, world: WorldContext): Iterable<Member<Agent>>;
}

// The registry holds kinds of different entry types; methods are bivariant in their
// parameters, so every kind is one of these.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAgentKind = AgentKind<string, z.ZodType, any>;

/** Names a kind with its exact types (the registry's tuple keeps them for the schema's type). */
export function defineKind<Section extends string, Entry extends z.ZodType, Agent>(
  kind: AgentKind<Section, Entry, Agent>,
): AgentKind<Section, Entry, Agent> {
  return kind;
}

/** Agent ids of a group: `<group>-1` … `<group>-<count>`. */
export function* memberIds(entry: { id: string; count: number }): Iterable<string> {
  for (let i = 1; i <= entry.count; i++) yield `${entry.id}-${i}`;
}
