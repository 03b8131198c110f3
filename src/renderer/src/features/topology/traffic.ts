/**
 * What the topology derives for display from what the model already knows: how the links
 * along an edge stand (link states are model facts: model-agents.ts) and the agents with
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

/** How the links of an edge's agents stand: how many are down and impaired, of how many. */
export interface LinkShare {
  /** down only when every agent's link is down; impaired when some are down or impaired. */
  state: LinkState;
  down: number;
  impaired: number;
  total: number;
}

/**
 * The links of `agents` (agents without a link count as up): one phone of twenty down makes a
 * group's edge impaired and says "1 down", not the whole group's edge down.
 */
export function linkShare(
  links: ReadonlyMap<string, LinkState>,
  agents: readonly string[],
): LinkShare {
  let down = 0;
  let impaired = 0;
  for (const id of agents) {
    const state = links.get(id);
    if (state === 'down') down += 1;
    else if (state === 'impaired') impaired += 1;
  }
  const total = agents.length;
  const state: LinkState =
    total > 0 && down === total ? 'down' : down + impaired > 0 ? 'impaired' : 'up';
  return { state, down, impaired, total };
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
