/**
 * The lab as seen through its event stream: a pure reducer shared by the engine (to answer
 * snapshot requests) and the renderer (to apply batches). Because both sides run the same
 * function, a snapshot followed by later events always equals the live state.
 *
 * Nothing returned is ever mutated. The tables are persistent (table.ts): a batch makes a
 * new version of each table it touches, sharing every chunk it did not change, so a batch
 * costs about the entries it changes, not the table sizes, and React/zustand selectors see
 * new references exactly where something changed (a table, and the rows in it).
 */
import type { Command } from './commands';
import type { AgentRole, LabEvent, Profile } from './events';
import {
  AgentFactsDraft,
  agentFactsFromWire,
  agentFactsToWire,
  emptyAgentFacts,
  type AgentFacts,
  type WireAgentFacts,
} from './model-agents';
import type { Result } from './result';
import { seekFromWire, seekToWire, type SeekAnswer, type WireSeek } from './seek-wire';
import { endedBy, stepMessage, type AcceptedLife } from './lifecycle';
import { Table, type TableDraft, type TableLike } from './table';

export type { MessageState } from './lifecycle';

/** A message as the model shows it: its life, folded by the shared lifecycle (lifecycle.ts). */
export type MessageView = AcceptedLife;

export interface SubscriptionView {
  id: string;
  serviceId: string;
  agentId: string | null;
  pushPath: string;
  createdAt: number;
  state: 'active' | 'deleted' | 'expired';
  /** Messages accepted and not yet acked, expired, replaced or dropped. */
  outstanding: number;
  lastDeliveryAt: number | null;
}

export interface AgentView {
  id: string;
  role: AgentRole;
  label: string;
  connected: boolean;
  serviceId: string | null;
}

export interface ServiceView {
  id: string;
  url: string;
  profile: Profile;
  running: boolean;
  /** Set for a service outside the lab (a scenario's `url`), observed through its agents. */
  external?: true;
}

export interface Counters {
  accepted: number;
  rejected: number;
  pushed: number;
  redelivered: number;
  acked: number;
  expired: number;
  replaced: number;
  dropped: number;
  received: number;
}

/** Link, agent and energy facts: `links`, `agentFacts`, `energy` (model-agents.ts). */
export interface LabModel extends AgentFacts {
  /** seq of the last event applied (0 = none). */
  seq: number;
  /** Lab time of the last event applied. */
  t: number;
  /** Lab time of the first event (the lab's start), null before any. Times are shown relative to it. */
  startT: number | null;
  services: Table<ServiceView>;
  agents: Table<AgentView>;
  subscriptions: Table<SubscriptionView>;
  messages: Table<MessageView>;
  /** Ids of finished messages, oldest first; trimmed to `finishedMessagesMax`. */
  finishedOrder: readonly string[];
  counters: Counters;
}

/**
 * A LabModel as it travels between processes (JSON over WebSocket, structured clone over
 * IPC): the tables as plain records, in their order. `JSON.stringify(model)` gives this
 * shape too (Table has toJSON).
 */
export interface WireModel
  extends
    Omit<LabModel, 'services' | 'agents' | 'subscriptions' | 'messages' | keyof AgentFacts>,
    WireAgentFacts {
  services: Readonly<Record<string, ServiceView>>;
  agents: Readonly<Record<string, AgentView>>;
  subscriptions: Readonly<Record<string, SubscriptionView>>;
  messages: Readonly<Record<string, MessageView>>;
}

export function modelToWire(model: LabModel): WireModel {
  return {
    ...model,
    services: model.services.toJSON(),
    agents: model.agents.toJSON(),
    subscriptions: model.subscriptions.toJSON(),
    messages: model.messages.toJSON(),
    ...agentFactsToWire(model),
  };
}

export function modelFromWire(wire: WireModel): LabModel {
  return {
    ...wire,
    services: Table.fromRecord(wire.services),
    agents: Table.fromRecord(wire.agents),
    subscriptions: Table.fromRecord(wire.subscriptions),
    messages: Table.fromRecord(wire.messages),
    ...agentFactsFromWire(wire),
  };
}

/**
 * Command results that hold a LabModel travel in a wire form: `snapshot` as a WireModel,
 * `seek` as one JSON text (seek-wire.ts). The host encodes them, the client decodes them,
 * whatever the transport.
 */
export function encodeResult(type: Command['type'], result: Result<unknown>): Result<unknown> {
  if (!result.ok) return result;
  if (type === 'snapshot') return { ok: true, value: modelToWire(result.value as LabModel) };
  // The engine's SeekAnswer as one JSON text (seek-wire.ts).
  if (type === 'seek') return { ok: true, value: seekToWire(result.value as SeekAnswer) };
  return result;
}

export function decodeResult(type: Command['type'], result: Result<unknown>): Result<unknown> {
  if (!result.ok) return result;
  if (type === 'snapshot') return { ok: true, value: modelFromWire(result.value as WireModel) };
  if (type === 'seek') return { ok: true, value: seekFromWire(result.value as WireSeek) };
  return result;
}

/** Finished messages kept for display; older ones are forgotten (the trace keeps them). */
export const FINISHED_MESSAGES_MAX = 2000;

export function emptyModel(): LabModel {
  return {
    seq: 0,
    t: 0,
    startT: null,
    services: Table.empty(),
    agents: Table.empty(),
    subscriptions: Table.empty(),
    messages: Table.empty(),
    finishedOrder: [],
    ...emptyAgentFacts(),
    counters: {
      accepted: 0,
      rejected: 0,
      pushed: 0,
      redelivered: 0,
      acked: 0,
      expired: 0,
      replaced: 0,
      dropped: 0,
      received: 0,
    },
  };
}

/** Applies a batch of events in order. Events at or below `model.seq` are skipped. */
export function applyEvents(model: LabModel, events: readonly LabEvent[]): LabModel {
  const draft = new ModelFold(model);
  for (const event of events) {
    if (event.seq <= draft.seq) continue;
    draft.apply(event);
  }
  return draft.finish();
}

/**
 * The message step the last `apply` made: the life of `stepId` before and after the event
 * (null id: the event moved no message). A Timeline's checker reads it instead of stepping
 * the same life again with the lifecycle (one step an event; issue 13).
 */
export interface MessageStep {
  readonly stepId: string | null;
  readonly stepBefore: MessageView | undefined;
  readonly stepAfter: MessageView | undefined;
}

/**
 * Copy-on-first-write view of a model during one batch, applied an event at a time (`apply`,
 * events in seq order, none at or below `seq`) and closed once (`finish`; a new one is opened
 * on the result to go on). A Timeline keeps one open while events are appended, so each event
 * is folded as it comes and its message step is there for the checker.
 */
export class ModelFold implements MessageStep {
  seq: number;
  stepId: string | null = null;
  stepBefore: MessageView | undefined = undefined;
  stepAfter: MessageView | undefined = undefined;
  private t: number;
  private startT: number | null;
  private services: TableDraft<ServiceView> | null = null;
  private agents: TableDraft<AgentView> | null = null;
  private subscriptions: TableDraft<SubscriptionView> | null = null;
  private messages: TableDraft<MessageView> | null = null;
  private finishedOrder: string[] | null = null;
  private counters: Counters | null = null;
  private readonly facts: AgentFactsDraft;

  constructor(private readonly base: LabModel) {
    this.facts = new AgentFactsDraft(base);
    this.seq = base.seq;
    this.t = base.t;
    this.startT = base.startT;
  }

  apply(e: LabEvent): void {
    this.stepId = null;
    this.seq = e.seq;
    this.t = e.t;
    this.startT ??= e.t;
    this.facts.apply(e);
    switch (e.kind) {
      case 'service.started':
        this.svc().set(e.serviceId, {
          id: e.serviceId,
          url: e.url,
          profile: e.profile,
          running: true,
          ...(e.external ? { external: true as const } : {}),
        });
        break;
      case 'service.stopped':
        this.patchService(e.serviceId, { running: false });
        break;
      case 'agent.started':
        this.ag().set(e.agentId, {
          id: e.agentId,
          role: e.role,
          label: e.label,
          connected: false,
          serviceId: null,
        });
        break;
      case 'agent.connected':
        this.patchAgent(e.agentId, { connected: true, serviceId: e.serviceId });
        break;
      case 'agent.disconnected':
        this.patchAgent(e.agentId, { connected: false });
        break;
      case 'subscription.created':
        this.subs().set(e.subscriptionId, {
          id: e.subscriptionId,
          serviceId: e.serviceId,
          agentId: e.agentId,
          pushPath: e.pushPath,
          createdAt: e.t,
          state: 'active',
          outstanding: 0,
          lastDeliveryAt: null,
        });
        break;
      case 'subscription.deleted':
        this.patchSub(e.subscriptionId, e.reason === 'expired' ? 'expired' : 'deleted', 0, null);
        break;
      case 'message.rejected':
        this.count('rejected');
        break;
      case 'message.pushed':
        this.count('pushed');
        if (e.attempt > 1) this.count('redelivered');
        this.patchSub(e.subscriptionId, null, 0, e.t);
        this.moveMessage(e, e.messageId);
        break;
      case 'message.accepted':
      case 'message.received':
      case 'message.acked':
      case 'message.expired':
      case 'message.replaced':
      case 'message.dropped':
      case 'receipt.sent':
      case 'device.delivered':
        this.moveMessage(e, e.messageId);
        break;
      case 'limit.reached':
        break;
    }
  }

  finish(): LabModel {
    return {
      seq: this.seq,
      t: this.t,
      startT: this.startT,
      services: this.services?.finish() ?? this.base.services,
      agents: this.agents?.finish() ?? this.base.agents,
      subscriptions: this.subscriptions?.finish() ?? this.base.subscriptions,
      messages: this.messages?.finish() ?? this.base.messages,
      finishedOrder: this.finishedOrder ?? this.base.finishedOrder,
      counters: this.counters ?? this.base.counters,
      ...this.facts.finish(),
    };
  }

  private svc(): TableDraft<ServiceView> {
    return (this.services ??= this.base.services.edit());
  }
  private ag(): TableDraft<AgentView> {
    return (this.agents ??= this.base.agents.edit());
  }
  private subs(): TableDraft<SubscriptionView> {
    return (this.subscriptions ??= this.base.subscriptions.edit());
  }
  private msgs(): TableDraft<MessageView> {
    return (this.messages ??= this.base.messages.edit());
  }
  private count(key: keyof Counters): void {
    this.counters ??= { ...this.base.counters };
    this.counters[key] += 1;
  }

  private patchService(id: string, patch: Partial<ServiceView>): void {
    const cur = read(this.services, this.base.services, id);
    if (cur) this.svc().set(id, { ...cur, ...patch });
  }
  private patchAgent(id: string, patch: Partial<AgentView>): void {
    const cur = read(this.agents, this.base.agents, id);
    if (cur) this.ag().set(id, { ...cur, ...patch });
  }
  /**
   * A subscription's next row: `state` when not null, `outstanding` moved by `delta`, and
   * `lastDeliveryAt` when not null. Every accept, push and end copies a row, so it is built
   * as one literal (spreading a row and a patch cost ~3× as much in a micro-benchmark).
   */
  private patchSub(
    id: string,
    state: SubscriptionView['state'] | null,
    delta: number,
    lastDeliveryAt: number | null,
  ): void {
    const cur = read(this.subscriptions, this.base.subscriptions, id);
    if (!cur) return;
    this.subs().set(id, {
      id: cur.id,
      serviceId: cur.serviceId,
      agentId: cur.agentId,
      pushPath: cur.pushPath,
      createdAt: cur.createdAt,
      state: state ?? cur.state,
      outstanding: cur.outstanding + delta,
      lastDeliveryAt: lastDeliveryAt ?? cur.lastDeliveryAt,
    });
  }
  private bumpOutstanding(subscriptionId: string, delta: number): void {
    this.patchSub(subscriptionId, null, delta, null);
  }

  /** Moves a message one step through the shared lifecycle; counts only what changed. */
  private moveMessage(e: LabEvent, id: string): void {
    const before = read(this.messages, this.base.messages, id);
    const after = stepMessage(before, e);
    this.stepId = id;
    this.stepBefore = before;
    this.stepAfter = after;
    if (after === before || !after) return;
    this.msgs().set(id, after);
    if (!before) {
      this.count('accepted');
      this.bumpOutstanding(after.subscriptionId, +1);
      return;
    }
    if (after.receivedAt !== null && before.receivedAt === null) this.count('received');
    if (!endedBy(before, after)) return;
    this.count(after.end!);
    this.bumpOutstanding(after.subscriptionId, -1);
    const order = (this.finishedOrder ??= [...this.base.finishedOrder]);
    order.push(id);
    if (order.length > FINISHED_MESSAGES_MAX) {
      const excess = order.splice(0, order.length - FINISHED_MESSAGES_MAX);
      const msgs = this.msgs();
      for (const old of excess) msgs.delete(old);
    }
  }
}

/** The draft's entry when the batch has one, else the base table's. */
function read<V>(draft: TableLike<V> | null, base: TableLike<V>, id: string): V | undefined {
  return (draft ?? base).get(id);
}
