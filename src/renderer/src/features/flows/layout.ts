/**
 * The flow graph as data: which events a mode shows, and a pure layout from those events to
 * lifelines, arrows and marks (positions included), in the manner of Wireshark's flow graph.
 * The component only draws what this returns.
 */
import type { LabEvent, LabEventKind } from '../../../../shared/events';
import {
  isEndEvent,
  isLifecycleEvent,
  stepMessage,
  type MessageEnd,
  type MessageLife,
} from '../../../../shared/lifecycle';
import type { AgentView, MessageView, SubscriptionView } from '../../../../shared/model';
import { formatHttpStatus, shortId } from '../../format';

export type FlowMode =
  | { kind: 'message'; messageId: string }
  | { kind: 'subscription'; subscriptionId: string }
  /** The events of the last `seconds` before lab time `now`. */
  | { kind: 'window'; seconds: number; now: number };

/** The kinds drawn as arrows or marks. */
export const FLOW_KINDS: ReadonlySet<LabEventKind> = new Set<LabEventKind>([
  'send.attempted',
  'message.accepted',
  'message.rejected',
  'message.pushed',
  'message.received',
  'message.acked',
  'message.expired',
  'message.replaced',
  'message.dropped',
  'receipt.sent',
  'receipt.received',
  'device.delivered',
]);

/** Arrows and marks drawn at most; older ones are cut. */
export const FLOW_ITEMS_MAX = 500;

const messageOf = (e: LabEvent): string | null =>
  'messageId' in e && typeof e.messageId === 'string' ? e.messageId : null;
const subscriptionOf = (e: LabEvent): string | null =>
  'subscriptionId' in e && typeof e.subscriptionId === 'string' ? e.subscriptionId : null;

/** The flow events a mode shows, oldest first. */
export function selectFlowEvents(events: readonly LabEvent[], mode: FlowMode): LabEvent[] {
  const flow = (e: LabEvent) => FLOW_KINDS.has(e.kind);
  switch (mode.kind) {
    case 'message':
      return events.filter(
        (e) =>
          flow(e) &&
          (messageOf(e) === mode.messageId ||
            (e.kind === 'message.replaced' && e.byMessageId === mode.messageId)),
      );
    case 'subscription': {
      const ids = new Set<string>();
      for (const e of events) {
        const m = messageOf(e);
        if (m !== null && subscriptionOf(e) === mode.subscriptionId) ids.add(m);
      }
      return events.filter((e) => {
        if (!flow(e)) return false;
        if (subscriptionOf(e) === mode.subscriptionId) return true;
        const m = messageOf(e);
        return m !== null && ids.has(m);
      });
    }
    case 'window': {
      const from = mode.now - mode.seconds * 1000;
      return events.filter((e) => flow(e) && e.t >= from);
    }
  }
}

/** What the layout may look up in the model (ids → holders, labels). */
export interface FlowContext {
  subscriptions: Lookup<Pick<SubscriptionView, 'agentId' | 'serviceId'>>;
  messages: Lookup<Pick<MessageView, 'subscriptionId'>>;
  agents: Lookup<Pick<AgentView, 'label'>>;
}

/** A model table (or a Map) read by id. */
interface Lookup<V> {
  get(id: string): V | undefined;
}

/**
 * Who is who, from a (larger) list of events: each message's life (its subscription, service
 * and sender, and which of its events the lifecycle ignored), the service of each
 * subscription, the agent receiving for a subscription.
 */
export class FlowIndex {
  /** Each message's life, folded by the shared lifecycle (picked up midway when the events begin later). */
  private readonly lives = new Map<string, MessageLife>();
  /** End events the lifecycle ignored (the message had ended already), seq → its end. */
  private readonly ignoredEnds = new Map<number, MessageEnd>();
  /** Senders named by send.attempted, which may come before the acceptance names one. */
  private readonly sender = new Map<string, string>();
  private readonly subService = new Map<string, string>();
  private readonly subReceiver = new Map<string, string>();
  private readonly subHolder = new Map<string, string>();

  constructor(
    events: readonly LabEvent[],
    private readonly ctx: FlowContext,
  ) {
    for (const e of events) {
      if (isLifecycleEvent(e)) {
        const before = this.lives.get(e.messageId);
        const after = stepMessage(before, e, true);
        if (after) this.lives.set(e.messageId, after);
        if (before?.end != null && after === before && isEndEvent(e))
          this.ignoredEnds.set(e.seq, before.end);
      }
      switch (e.kind) {
        case 'subscription.created':
          this.subService.set(e.subscriptionId, e.serviceId);
          if (e.agentId !== null) this.subHolder.set(e.subscriptionId, e.agentId);
          break;
        case 'message.accepted':
          this.subService.set(e.subscriptionId, e.serviceId);
          break;
        case 'send.attempted':
          if (e.messageId !== null) this.sender.set(e.messageId, e.agentId);
          break;
        case 'message.received':
          this.subReceiver.set(e.subscriptionId, e.agentId);
          break;
      }
    }
  }

  subscriptionOfMessage(messageId: string): string | null {
    // A life picked up from an event that does not name the subscription has '' there.
    return (
      this.lives.get(messageId)?.subscriptionId ||
      this.ctx.messages.get(messageId)?.subscriptionId ||
      null
    );
  }

  /** The end a message already had when the end event at `seq` came (ignored), else null. */
  ignoredEnd(seq: number): MessageEnd | null {
    return this.ignoredEnds.get(seq) ?? null;
  }

  /** The application server that sent a message: its agent id, or null when unknown. */
  senderOf(messageId: string | null): string | null {
    if (messageId === null) return null;
    return this.sender.get(messageId) ?? this.lives.get(messageId)?.senderId ?? null;
  }

  serviceOfSubscription(subscriptionId: string | null): string | null {
    if (subscriptionId === null) return null;
    return (
      this.subService.get(subscriptionId) ??
      this.ctx.subscriptions.get(subscriptionId)?.serviceId ??
      null
    );
  }

  serviceOfMessage(messageId: string): string | null {
    return (
      this.lives.get(messageId)?.serviceId ??
      this.serviceOfSubscription(this.subscriptionOfMessage(messageId))
    );
  }

  /** The user agent or gateway receiving for a subscription. */
  receiverOf(subscriptionId: string | null): string | null {
    if (subscriptionId === null) return null;
    return (
      this.subReceiver.get(subscriptionId) ??
      this.ctx.subscriptions.get(subscriptionId)?.agentId ??
      this.subHolder.get(subscriptionId) ??
      null
    );
  }

  label(agentId: string): string {
    return this.ctx.agents.get(agentId)?.label ?? agentId;
  }
}

export type LaneRole = 'app' | 'service' | 'agent' | 'device';
export type Tone = 'request' | 'ok' | 'bad' | 'warn' | 'info' | 'neutral';

export interface FlowLane {
  key: string;
  role: LaneRole;
  label: string;
  /** The id behind the lane, null for a placeholder ('application server'). */
  id: string | null;
  x: number;
}

interface ItemBase {
  seq: number;
  t: number;
  label: string;
  /** Secondary text (tooltip). */
  detail: string;
  messageId: string | null;
  tone: Tone;
  y: number;
}

export interface FlowArrow extends ItemBase {
  type: 'arrow';
  from: string;
  to: string;
  x1: number;
  x2: number;
}

export interface FlowMark extends ItemBase {
  type: 'mark';
  lane: string;
  x: number;
}

export type FlowItem = FlowArrow | FlowMark;

export interface FlowLayout {
  lanes: FlowLane[];
  items: FlowItem[];
  /** Items the events made; more than `items.length` when the oldest were cut. */
  total: number;
  truncated: boolean;
  width: number;
  height: number;
}

export const FLOW_GEOMETRY = {
  /** Room for the time column. */
  left: 96,
  laneGap: 200,
  /** Room for the lane headers. */
  top: 48,
  /** The lane headers' own band (name and role), kept in sight while the chart scrolls. */
  header: 40,
  row: 30,
  bottom: 16,
} as const;

type Draft =
  | (Omit<FlowArrow, 'x1' | 'x2' | 'y'> & { fromLane: LaneSpec; toLane: LaneSpec })
  | (Omit<FlowMark, 'x' | 'y'> & { laneSpec: LaneSpec });

interface LaneSpec {
  key: string;
  role: LaneRole;
  id: string | null;
  label: string;
}

const ROLE_ORDER: readonly LaneRole[] = ['app', 'service', 'agent', 'device'];

/** Lays out `events` (already selected, oldest first): one row per arrow or mark. */
export function layoutFlow(
  events: readonly LabEvent[],
  index: FlowIndex,
  maxItems: number = FLOW_ITEMS_MAX,
): FlowLayout {
  const drafts = flowDrafts(events, index);
  const total = drafts.length;
  const kept = total > maxItems ? drafts.slice(total - maxItems) : drafts;

  // Lanes: by role (app servers, services, agents, devices), then by first appearance.
  const specs = new Map<string, LaneSpec>();
  for (const d of kept) {
    for (const spec of d.type === 'arrow' ? [d.fromLane, d.toLane] : [d.laneSpec]) {
      if (!specs.has(spec.key)) specs.set(spec.key, spec);
    }
  }
  const ordered = [...specs.values()].sort(
    (a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role),
  );
  const g = FLOW_GEOMETRY;
  const xOf = new Map<string, number>();
  const lanes: FlowLane[] = ordered.map((spec, i) => {
    const x = g.left + g.laneGap / 2 + i * g.laneGap;
    xOf.set(spec.key, x);
    return { ...spec, x };
  });

  const items: FlowItem[] = kept.map((d, i) => {
    const y = g.top + g.row * (i + 0.5);
    if (d.type === 'arrow') {
      const { fromLane, toLane, ...rest } = d;
      return { ...rest, y, x1: xOf.get(fromLane.key) ?? 0, x2: xOf.get(toLane.key) ?? 0 };
    }
    const { laneSpec, ...rest } = d;
    return { ...rest, y, x: xOf.get(laneSpec.key) ?? 0 };
  });

  return {
    lanes,
    items,
    total,
    truncated: kept.length < total,
    width: g.left + Math.max(1, lanes.length) * g.laneGap,
    height: g.top + kept.length * g.row + g.bottom,
  };
}

/** The arrows and marks for `events`, before placement. */
export function flowDrafts(events: readonly LabEvent[], index: FlowIndex): Draft[] {
  const app = (agentId: string | null): LaneSpec =>
    agentId === null
      ? { key: 'app:', role: 'app', id: null, label: 'application server' }
      : { key: `app:${agentId}`, role: 'app', id: agentId, label: index.label(agentId) };
  const service = (serviceId: string | null): LaneSpec => ({
    key: `service:${serviceId ?? ''}`,
    role: 'service',
    id: serviceId,
    label: serviceId ?? 'push service',
  });
  const agent = (agentId: string | null): LaneSpec => ({
    key: `agent:${agentId ?? ''}`,
    role: 'agent',
    id: agentId,
    label: agentId === null ? 'user agent' : index.label(agentId),
  });
  const device = (deviceId: string): LaneSpec => ({
    key: `device:${deviceId}`,
    role: 'device',
    id: deviceId,
    label: index.label(deviceId),
  });
  const serviceOfMsg = (m: string) => service(index.serviceOfMessage(m));
  const agentOfMsg = (m: string, sub: string | null = null) =>
    agent(index.receiverOf(sub ?? index.subscriptionOfMessage(m)));

  // Sends whose answer is drawn from send.attempted: accepted/rejected then draw only the POST.
  const answered = new Set<string>();
  const rejectedAnswers = new Map<string, string[]>();
  for (const e of events) {
    if (e.kind !== 'send.attempted') continue;
    if (e.messageId !== null) answered.add(e.messageId);
    else if (e.status !== 0) {
      const key = `${e.subscriptionId ?? ''}|${e.status}`;
      const list = rejectedAnswers.get(key) ?? [];
      list.push(e.agentId);
      rejectedAnswers.set(key, list);
    }
  }

  const out: Draft[] = [];
  const arrow = (
    e: LabEvent,
    fromLane: LaneSpec,
    toLane: LaneSpec,
    label: string,
    detail: string,
    tone: Tone,
    messageId: string | null = messageOf(e),
  ) =>
    out.push({
      type: 'arrow',
      seq: e.seq,
      t: e.t,
      from: fromLane.key,
      to: toLane.key,
      fromLane,
      toLane,
      label,
      detail,
      tone,
      messageId,
    });
  /** An end the lifecycle ignored is drawn as a warning that says so. */
  const ended = (e: LabEvent, detail: string, tone: Tone): [string, Tone] => {
    const already = index.ignoredEnd(e.seq);
    return already === null ? [detail, tone] : [`${detail}; ignored, already ${already}`, 'warn'];
  };
  const mark = (e: LabEvent, laneSpec: LaneSpec, label: string, detail: string, tone: Tone) =>
    out.push({
      type: 'mark',
      seq: e.seq,
      t: e.t,
      lane: laneSpec.key,
      laneSpec,
      label,
      detail,
      tone,
      messageId: messageOf(e),
    });

  for (const e of events) {
    switch (e.kind) {
      case 'message.accepted': {
        const from = app(index.senderOf(e.messageId) ?? e.senderId);
        const to = service(e.serviceId);
        const ttl =
          e.ttlRequestedSeconds !== e.ttlSeconds
            ? `TTL ${e.ttlSeconds} s (asked ${e.ttlRequestedSeconds} s)`
            : `TTL ${e.ttlSeconds} s`;
        const topic = e.topic === null ? '' : `, topic ${e.topic}`;
        arrow(e, from, to, 'POST', `${ttl}, ${e.urgency}, ${e.bytes} B${topic}`, 'request');
        if (!answered.has(e.messageId)) {
          arrow(e, to, from, formatHttpStatus(201), `message ${e.messageId}`, 'ok');
        }
        break;
      }
      case 'message.rejected': {
        const pending = rejectedAnswers.get(`${e.subscriptionId ?? ''}|${e.status}`);
        const sender = pending?.shift();
        const from = app(sender ?? null);
        const to = service(e.serviceId);
        arrow(e, from, to, 'POST', 'rejected', 'request', null);
        if (sender === undefined) {
          arrow(e, to, from, formatHttpStatus(e.status), e.detail, 'bad', null);
        }
        break;
      }
      case 'send.attempted': {
        const from = app(e.agentId);
        const to = service(index.serviceOfSubscription(e.subscriptionId));
        const retry = e.retryInMs === null ? '' : `, retry in ${e.retryInMs} ms`;
        const detail = `attempt ${e.attempt}${retry}`;
        if (e.status === 0) arrow(e, from, to, 'POST ✕ network error', detail, 'bad');
        else arrow(e, to, from, formatHttpStatus(e.status), detail, e.status < 300 ? 'ok' : 'bad');
        break;
      }
      case 'message.pushed':
        arrow(
          e,
          serviceOfMsg(e.messageId),
          agentOfMsg(e.messageId, e.subscriptionId),
          `PUSH_PROMISE #${e.attempt}`,
          `attempt ${e.attempt}, monitor urgency ≥ ${e.urgencyMin}`,
          e.attempt > 1 ? 'warn' : 'info',
        );
        break;
      case 'message.received': {
        const dup = e.duplicate ? ' (duplicate)' : '';
        const tone = e.decryption === 'failed' ? 'bad' : e.duplicate ? 'warn' : 'ok';
        const what = e.decryption === 'failed' ? 'decryption failed' : `“${e.preview}”`;
        mark(e, agent(e.agentId), `received${dup}`, `${what}, ${e.bytes} B`, tone);
        break;
      }
      case 'message.acked':
        arrow(
          e,
          agentOfMsg(e.messageId, e.subscriptionId),
          serviceOfMsg(e.messageId),
          'DELETE',
          ...ended(e, 'acknowledged', 'ok'),
        );
        break;
      case 'receipt.sent':
        arrow(
          e,
          serviceOfMsg(e.messageId),
          app(index.senderOf(e.messageId)),
          `receipt ${e.status}`,
          e.status === 204 ? 'delivered' : 'gone',
          e.status === 204 ? 'ok' : 'warn',
        );
        break;
      case 'receipt.received':
        mark(
          e,
          app(e.agentId),
          `receipt ${e.status} received`,
          e.messageId === null ? 'unknown message' : `message ${e.messageId}`,
          e.status === 204 ? 'ok' : 'warn',
        );
        break;
      case 'message.expired':
        mark(e, serviceOfMsg(e.messageId), 'expired', ...ended(e, 'TTL ran out', 'bad'));
        break;
      case 'message.replaced':
        mark(
          e,
          serviceOfMsg(e.messageId),
          `replaced by ${shortId(e.byMessageId, 8)}`,
          ...ended(e, `topic replacement by ${e.byMessageId}`, 'neutral'),
        );
        break;
      case 'message.dropped':
        mark(e, serviceOfMsg(e.messageId), 'dropped', ...ended(e, e.reason, 'bad'));
        break;
      case 'device.delivered':
        arrow(
          e,
          agent(e.gatewayId),
          device(e.deviceId),
          e.confirmed ? 'deliver ✓' : 'deliver',
          e.confirmed ? 'confirmed by the device' : 'not confirmed',
          'info',
        );
        break;
      default:
        break;
    }
  }
  return out;
}
