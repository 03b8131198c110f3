import { describe, expect, it } from 'vitest';
import {
  nodeDetail,
  DETAIL_SUBSCRIPTIONS_MAX,
} from '../../../src/renderer/src/features/topology/details';
import { buildTopology } from '../../../src/renderer/src/features/topology/graph';
import type { AgentFact, LinkFact } from '../../../src/shared/model-agents';
import type { AgentView, ServiceView, SubscriptionView } from '../../../src/shared/model';
import { Table } from '../../../src/shared/table';

const table = <T extends { id: string }>(items: T[]): Table<T> =>
  Table.from(items.map((i) => [i.id, i]));

const services = table<ServiceView>([
  { id: 'ps1', url: 'http://ps1.invalid', profile: 'rfc8030', running: true },
]);
const agents = table<AgentView>([
  { id: 'app', role: 'app-server', label: 'app', connected: true, serviceId: 'ps1' },
  { id: 'phone', role: 'user-agent', label: 'phone', connected: true, serviceId: 'ps1' },
  { id: 'tablet', role: 'user-agent', label: 'tablet', connected: false, serviceId: 'ps1' },
]);
const sub = (id: string, agentId: string, outstanding: number, state = 'active') =>
  ({
    id,
    serviceId: 'ps1',
    agentId,
    pushPath: `/p/${id}`,
    createdAt: 0,
    state,
    outstanding,
    lastDeliveryAt: null,
  }) as SubscriptionView;
const subscriptions = table<SubscriptionView>([
  sub('s1', 'phone', 2),
  sub('s2', 'phone', 1, 'expired'),
  ...Array.from({ length: 12 }, (_, i) => sub(`t${i}`, 'tablet', 0)),
]);
const links = table<LinkFact>([
  {
    id: 'train',
    agentId: 'phone',
    state: 'impaired',
    faults: [{ name: 'tunnels', spec: { type: 'outage' }, active: true }],
    counters: {},
    resets: 3,
  },
]);
const agentFacts = table<AgentFact>([
  {
    id: 'phone',
    asleep: false,
    battery: 0.42,
    charging: false,
    urgencyMin: 'normal',
    radio: 'lte connected',
    joules: 12.5,
  },
]);
const tables = { agents, services, subscriptions, links, agentFacts };
const topology = buildTopology(services, agents);
const nodeOf = (id: string) => topology.nodes.find((n) => n.id === id)!;

describe('topology details', () => {
  it("gathers an agent's link, facts, subscriptions and queue from the model", () => {
    const d = nodeDetail(nodeOf('a:phone'), tables);
    expect(d?.kind).toBe('agent');
    if (d?.kind !== 'agent') return;
    expect(d.agent.role).toBe('user-agent');
    expect(d.link).toEqual({
      id: 'train',
      state: 'impaired',
      faults: [{ name: 'tunnels', spec: { type: 'outage' }, active: true }],
      resets: 3,
    });
    expect(d.facts?.joules).toBe(12.5);
    // Queued is the model's `outstanding`, summed; an expired subscription counts in total.
    expect(d.subscriptions).toEqual({ active: 1, total: 2, queued: 3, ids: ['s1', 's2'] });
  });

  it('lists a bounded number of subscriptions and says when an agent has no link', () => {
    const d = nodeDetail(nodeOf('a:tablet'), tables);
    if (d?.kind !== 'agent') throw new Error('not an agent');
    expect(d.link).toBeNull();
    expect(d.facts).toBeNull();
    expect(d.subscriptions.total).toBe(12);
    expect(d.subscriptions.ids).toHaveLength(DETAIL_SUBSCRIPTIONS_MAX);
  });

  it("counts a service's agents and subscriptions; a group has none (it expands)", () => {
    const d = nodeDetail(nodeOf('s:ps1'), tables);
    if (d?.kind !== 'service') throw new Error('not a service');
    expect(d.agents).toBe(3);
    expect(d.subscriptions.total).toBe(14);
    const group = { ...nodeOf('a:phone'), group: 'user-agent:phone' };
    expect(nodeDetail(group, tables)).toBeNull();
    // An agent that left the lab since the click.
    const gone = nodeDetail(nodeOf('a:phone'), { ...tables, agents: Table.empty() });
    expect(gone).toEqual({ kind: 'gone', id: 'phone' });
  });
});
