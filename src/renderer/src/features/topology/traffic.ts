/**
 * What the topology derives for display from what the model already knows: the worst link
 * state along an edge (link states are model facts: model-agents.ts) and the agents with
 * recent traffic (an animation over the event window, not a fact to fold).
 */
import type { LabEvent, LinkState } from '../../../../shared/events';
import type { SubscriptionView } from '../../../../shared/model';
import type { LinkFact } from '../../../../shared/model-agents';
import type { Table } from '../../../../shared/table';

export type { LinkState };

/** Per links table version: each agent's link state (an agent has at most one link). */
const byAgent = new WeakMap<Table<LinkFact>, ReadonlyMap<string, LinkState>>();

/** The model's link states by the agent each link serves. */
export function linkStatesByAgent(links: Table<LinkFact>): ReadonlyMap<string, LinkState> {
  let states = byAgent.get(links);
  if (!states) {
    const map = new Map<string, LinkState>();
    links.forEach((link) => map.set(link.agentId, link.state));
    byAgent.set(links, (states = map));
  }
  return states;
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
