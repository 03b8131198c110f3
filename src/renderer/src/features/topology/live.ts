/**
 * What the topology decorates its nodes and edges with, folded from the raw event ring:
 * link states, who is asleep, each user agent's urgency filter, and recent traffic.
 * Pure; `foldLive` only reads the events it has not seen yet.
 */
import type { LabEvent, Urgency } from '../../../../shared/events';
import type { SubscriptionView } from '../../../../shared/model';

export type LinkState = 'up' | 'impaired' | 'down';

export interface LiveState {
  /** seq of the newest event folded in (0: none). */
  seq: number;
  /** Link state by agent id. */
  links: ReadonlyMap<string, LinkState>;
  asleep: ReadonlySet<string>;
  urgency: ReadonlyMap<string, Urgency>;
  /** Battery charge (0–1) and charging, by agent, from agent.power. */
  battery: ReadonlyMap<string, { level: number; charging: boolean }>;
  /** Radio state by agent ('lte longDrx'), from radio.state. */
  radio: ReadonlyMap<string, string>;
}

export const EMPTY_LIVE: LiveState = {
  seq: 0,
  links: new Map(),
  asleep: new Set(),
  urgency: new Map(),
  battery: new Map(),
  radio: new Map(),
};

/** The agent a link instance belongs to: link ids are '<template>:<agentId>'. */
export function linkAgent(linkId: string): string {
  const cut = linkId.indexOf(':');
  return cut < 0 ? linkId : linkId.slice(cut + 1);
}

/** Index of the first event with seq > `seq` (events are in ascending seq order). */
export function firstAfter(events: readonly LabEvent[], seq: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `prev` updated with the events it has not seen; the same object when nothing changed. */
export function foldLive(prev: LiveState, events: readonly LabEvent[]): LiveState {
  const last = events[events.length - 1];
  if (!last) return prev;
  // A ring that went backwards means a new lab (a resync): start over.
  if (last.seq < prev.seq) prev = EMPTY_LIVE;
  const from = firstAfter(events, prev.seq);
  if (from >= events.length) return prev;

  let links: Map<string, LinkState> | null = null;
  let asleep: Set<string> | null = null;
  let urgency: Map<string, Urgency> | null = null;
  let battery: Map<string, { level: number; charging: boolean }> | null = null;
  let radio: Map<string, string> | null = null;
  for (let i = from; i < events.length; i++) {
    const e = events[i]!;
    switch (e.kind) {
      case 'link.changed':
        (links ??= new Map(prev.links)).set(linkAgent(e.linkId), e.state);
        break;
      case 'agent.sleep':
        (asleep ??= new Set(prev.asleep)).add(e.agentId);
        break;
      case 'agent.wake':
        (asleep ??= new Set(prev.asleep)).delete(e.agentId);
        break;
      case 'agent.power':
        (urgency ??= new Map(prev.urgency)).set(e.agentId, e.urgencyMin);
        (battery ??= new Map(prev.battery)).set(e.agentId, {
          level: e.battery,
          charging: e.charging,
        });
        break;
      case 'radio.state':
        (radio ??= new Map(prev.radio)).set(e.agentId, `${e.technology} ${e.to}`);
        break;
    }
  }
  return {
    seq: last.seq,
    links: links ?? prev.links,
    asleep: asleep ?? prev.asleep,
    urgency: urgency ?? prev.urgency,
    battery: battery ?? prev.battery,
    radio: radio ?? prev.radio,
  };
}

/** The worst link state among `agents` (agents without a link.changed count as up). */
export function worstLink(
  links: ReadonlyMap<string, LinkState>,
  agents: readonly string[],
): LinkState {
  let worst: LinkState = 'up';
  for (const id of agents) {
    const state = links.get(id);
    if (state === 'down') return 'down';
    if (state === 'impaired') worst = 'impaired';
  }
  return worst;
}

/**
 * Agents a message travelled to or from in the `windowMs` before `now` (lab time): pushes and
 * receipts at user agents, sends by application servers, deliveries to devices.
 */
export function recentTraffic(
  events: readonly LabEvent[],
  subscriptions: { get(id: string): SubscriptionView | undefined },
  now: number,
  windowMs = 1000,
): Set<string> {
  const agents = new Set<string>();
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.t < now - windowMs) break;
    if (e.t > now) continue;
    switch (e.kind) {
      case 'message.pushed': {
        const holder = subscriptions.get(e.subscriptionId)?.agentId;
        if (holder) agents.add(holder);
        break;
      }
      case 'message.received':
        agents.add(e.agentId);
        break;
      case 'message.accepted':
        if (e.senderId !== null) agents.add(e.senderId);
        break;
      case 'send.attempted':
        agents.add(e.agentId);
        break;
      case 'device.delivered':
        agents.add(e.deviceId);
        break;
    }
  }
  return agents;
}
