/**
 * The LabModel reducer as it was with plain records (every touched table copied once per
 * batch), kept as the reference the Table-based reducer is checked against
 * (model-equivalence.test.ts) and the baseline of `npm run bench:reducer`.
 * Test-only; not a second implementation to maintain.
 */
import type { LabEvent } from '../../../src/shared/events';
import { endedBy, stepMessage } from '../../../src/shared/lifecycle';
import {
  FINISHED_MESSAGES_MAX,
  type AgentView,
  type Counters,
  type MessageView,
  type ServiceView,
  type SubscriptionView,
} from '../../../src/shared/model';

export interface RecordModel {
  /** seq of the last event applied (0 = none). */
  seq: number;
  /** Lab time of the last event applied. */
  t: number;
  /** Lab time of the first event (the lab's start), null before any. Times are shown relative to it. */
  startT: number | null;
  services: Readonly<Record<string, ServiceView>>;
  agents: Readonly<Record<string, AgentView>>;
  subscriptions: Readonly<Record<string, SubscriptionView>>;
  messages: Readonly<Record<string, MessageView>>;
  /** Ids of finished messages, oldest first; trimmed to `finishedMessagesMax`. */
  finishedOrder: readonly string[];
  counters: Counters;
}

export function referenceEmptyModel(): RecordModel {
  return {
    seq: 0,
    t: 0,
    startT: null,
    services: {},
    agents: {},
    subscriptions: {},
    messages: {},
    finishedOrder: [],
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
export function referenceApplyEvents(model: RecordModel, events: readonly LabEvent[]): RecordModel {
  const draft = new Draft(model);
  for (const event of events) {
    if (event.seq <= draft.seq) continue;
    draft.apply(event);
  }
  return draft.finish();
}

/** Copy-on-first-write view of a model during one batch. */
class Draft {
  seq: number;
  private t: number;
  private startT: number | null;
  private services: Record<string, ServiceView> | null = null;
  private agents: Record<string, AgentView> | null = null;
  private subscriptions: Record<string, SubscriptionView> | null = null;
  private messages: Record<string, MessageView> | null = null;
  private finishedOrder: string[] | null = null;
  private counters: Counters | null = null;

  constructor(private readonly base: RecordModel) {
    this.seq = base.seq;
    this.t = base.t;
    this.startT = base.startT;
  }

  apply(e: LabEvent): void {
    this.seq = e.seq;
    this.t = e.t;
    this.startT ??= e.t;
    switch (e.kind) {
      case 'service.started':
        this.svc()[e.serviceId] = {
          id: e.serviceId,
          url: e.url,
          profile: e.profile,
          running: true,
        };
        break;
      case 'service.stopped':
        this.patchService(e.serviceId, { running: false });
        break;
      case 'agent.started':
        this.ag()[e.agentId] = {
          id: e.agentId,
          role: e.role,
          label: e.label,
          connected: false,
          serviceId: null,
        };
        break;
      case 'agent.connected':
        this.patchAgent(e.agentId, { connected: true, serviceId: e.serviceId });
        break;
      case 'agent.disconnected':
        this.patchAgent(e.agentId, { connected: false });
        break;
      case 'subscription.created':
        this.subs()[e.subscriptionId] = {
          id: e.subscriptionId,
          serviceId: e.serviceId,
          agentId: e.agentId,
          pushPath: e.pushPath,
          createdAt: e.t,
          state: 'active',
          outstanding: 0,
          lastDeliveryAt: null,
        };
        break;
      case 'subscription.deleted':
        this.patchSub(e.subscriptionId, {
          state: e.reason === 'expired' ? 'expired' : 'deleted',
        });
        break;
      case 'message.rejected':
        this.count('rejected');
        break;
      case 'message.pushed':
        this.count('pushed');
        if (e.attempt > 1) this.count('redelivered');
        this.patchSub(e.subscriptionId, { lastDeliveryAt: e.t });
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

  finish(): RecordModel {
    return {
      seq: this.seq,
      t: this.t,
      startT: this.startT,
      services: this.services ?? this.base.services,
      agents: this.agents ?? this.base.agents,
      subscriptions: this.subscriptions ?? this.base.subscriptions,
      messages: this.messages ?? this.base.messages,
      finishedOrder: this.finishedOrder ?? this.base.finishedOrder,
      counters: this.counters ?? this.base.counters,
    };
  }

  private svc(): Record<string, ServiceView> {
    return (this.services ??= { ...this.base.services });
  }
  private ag(): Record<string, AgentView> {
    return (this.agents ??= { ...this.base.agents });
  }
  private subs(): Record<string, SubscriptionView> {
    return (this.subscriptions ??= { ...this.base.subscriptions });
  }
  private msgs(): Record<string, MessageView> {
    return (this.messages ??= { ...this.base.messages });
  }
  private count(key: keyof Counters): void {
    this.counters ??= { ...this.base.counters };
    this.counters[key] += 1;
  }

  private patchService(id: string, patch: Partial<ServiceView>): void {
    const cur = (this.services ?? this.base.services)[id];
    if (cur) this.svc()[id] = { ...cur, ...patch };
  }
  private patchAgent(id: string, patch: Partial<AgentView>): void {
    const cur = (this.agents ?? this.base.agents)[id];
    if (cur) this.ag()[id] = { ...cur, ...patch };
  }
  private patchSub(id: string, patch: Partial<SubscriptionView>): void {
    const cur = (this.subscriptions ?? this.base.subscriptions)[id];
    if (cur) this.subs()[id] = { ...cur, ...patch };
  }
  private bumpOutstanding(subscriptionId: string, delta: number): void {
    const cur = (this.subscriptions ?? this.base.subscriptions)[subscriptionId];
    if (cur) this.subs()[subscriptionId] = { ...cur, outstanding: cur.outstanding + delta };
  }

  /** The shared lifecycle moves the message; this reference only stores it in records. */
  private moveMessage(e: LabEvent, id: string): void {
    const before = (this.messages ?? this.base.messages)[id];
    const after = stepMessage(before, e);
    if (after === before || !after) return;
    this.msgs()[id] = after;
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
      for (const old of excess) delete msgs[old];
    }
  }
}
