/**
 * What the details panel says about a topology node, gathered from the model's own facts
 * (agents, services, subscriptions, link facts, agent facts): nothing is recomputed here, only
 * looked up and counted, so the panel says what the rest of the app says. Pure.
 */
import type { LinkFault, LinkState } from '../../../../shared/events';
import type { AgentFact, LinkFact } from '../../../../shared/model-agents';
import type { AgentView, ServiceView, SubscriptionView } from '../../../../shared/model';
import type { TableLike } from '../../../../shared/table';
import type { TopoNode } from './graph';

/** Subscriptions listed by id at most; more are counted. */
export const DETAIL_SUBSCRIPTIONS_MAX = 8;

export interface DetailTables {
  agents: TableLike<AgentView>;
  services: TableLike<ServiceView>;
  subscriptions: TableLike<SubscriptionView>;
  links: TableLike<LinkFact>;
  agentFacts: TableLike<AgentFact>;
}

export interface LinkDetail {
  id: string;
  state: LinkState;
  faults: readonly LinkFault[];
  resets: number;
}

export interface SubscriptionsDetail {
  /** Active subscriptions (not deleted or expired). */
  active: number;
  total: number;
  /** Messages accepted for them and not yet ended: the model's `outstanding`, summed. */
  queued: number;
  /** The first ids, in the table's order. */
  ids: readonly string[];
}

export type NodeDetail =
  | {
      kind: 'agent';
      agent: AgentView;
      link: LinkDetail | null;
      facts: AgentFact | null;
      subscriptions: SubscriptionsDetail;
    }
  | {
      kind: 'service';
      service: ServiceView;
      agents: number;
      subscriptions: SubscriptionsDetail;
    }
  | { kind: 'gone'; id: string };

function subscriptionsWhere(
  subscriptions: TableLike<SubscriptionView>,
  keep: (s: SubscriptionView) => boolean,
): SubscriptionsDetail {
  let active = 0;
  let total = 0;
  let queued = 0;
  const ids: string[] = [];
  for (const s of subscriptions.values()) {
    if (!keep(s)) continue;
    total += 1;
    if (s.state === 'active') active += 1;
    queued += s.outstanding;
    if (ids.length < DETAIL_SUBSCRIPTIONS_MAX) ids.push(s.id);
  }
  return { active, total, queued, ids };
}

/** The link that serves `agentId` (an agent has at most one). */
function linkOf(links: TableLike<LinkFact>, agentId: string): LinkDetail | null {
  for (const link of links.values()) {
    if (link.agentId === agentId) {
      return { id: link.id, state: link.state, faults: link.faults, resets: link.resets };
    }
  }
  return null;
}

/** The facts about a single agent's or a service's node; null for a group (it expands). */
export function nodeDetail(node: TopoNode, t: DetailTables): NodeDetail | null {
  if (node.group !== null) return null;
  if (node.kind === 'service') {
    const service = t.services.get(node.label);
    if (!service) return { kind: 'gone', id: node.label };
    let agents = 0;
    for (const a of t.agents.values()) if (a.serviceId === service.id) agents += 1;
    return {
      kind: 'service',
      service,
      agents,
      subscriptions: subscriptionsWhere(t.subscriptions, (s) => s.serviceId === service.id),
    };
  }
  const id = node.members[0];
  const agent = id === undefined ? undefined : t.agents.get(id);
  if (!agent) return { kind: 'gone', id: id ?? node.label };
  return {
    kind: 'agent',
    agent,
    link: linkOf(t.links, agent.id),
    facts: t.agentFacts.get(agent.id) ?? null,
    subscriptions: subscriptionsWhere(t.subscriptions, (s) => s.agentId === agent.id),
  };
}
