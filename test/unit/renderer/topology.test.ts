import { describe, expect, it } from 'vitest';
import {
  buildTopology,
  LINE_MAX,
  ROW_HEIGHT,
  ROWS_MAX,
  SUB_COLUMN_WIDTH,
  gatewayOf,
  gridRows,
  groupPrefix,
} from '../../../src/renderer/src/features/topology/graph';
import { toFlowEdges, toFlowNodes } from '../../../src/renderer/src/features/topology/flow';
import {
  linkStatesByAgent,
  recentTraffic,
  linkShare,
} from '../../../src/renderer/src/features/topology/traffic';
import { applyEvents, emptyModel } from '../../../src/shared/model';
import type { AgentRole, LabEventBody } from '../../../src/shared/events';
import type { AgentView, ServiceView, SubscriptionView } from '../../../src/shared/model';
import { Table } from '../../../src/shared/table';
import { stamp } from './fixtures';

const service = (id: string): ServiceView => ({
  id,
  url: `https://127.0.0.1/${id}`,
  profile: 'rfc8030',
  running: true,
});
const agent = (id: string, role: AgentRole, serviceId: string | null = 's1'): AgentView => ({
  id,
  role,
  label: id,
  connected: serviceId !== null,
  serviceId,
});
const table = <T extends { id: string }>(items: T[]): Table<T> =>
  Table.from(items.map((i) => [i.id, i]));

const services = table([service('s1')]);
function fleet(phones: number): Table<AgentView> {
  return table([
    agent('app', 'app-server', null),
    ...Array.from({ length: phones }, (_, i) => agent(`phone-${i + 1}`, 'user-agent')),
    agent('gw-1', 'gateway'),
    agent('gw-1.d1', 'device', null),
    agent('gw-1.d2', 'device', null),
  ]);
}

describe('topology grouping', () => {
  it('finds fleet prefixes and gateways', () => {
    expect(groupPrefix('phone-12')).toBe('phone');
    expect(groupPrefix('gw-1.d3')).toBe('gw-1');
    expect(groupPrefix('app')).toBeNull();
    expect(gatewayOf('gw-1.d3')).toBe('gw-1');
    expect(gatewayOf('phone-1')).toBeNull();
  });

  it('collapses a large fleet into one node with a count, and expands it on request', () => {
    const agents = fleet(20);
    const collapsed = buildTopology(services, agents);
    const group = collapsed.nodes.find((n) => n.group === 'user-agent:phone');
    expect(group?.label).toBe('phone ×20');
    expect(group?.members).toHaveLength(20);
    expect(collapsed.nodes.filter((n) => n.kind === 'user-agent')).toHaveLength(1);
    // One edge from the service to the group, carrying all twenty agents.
    const edge = collapsed.edges.find((e) => e.target === group?.id);
    expect(edge?.source).toBe('s:s1');
    expect(edge?.agents).toHaveLength(20);

    const open = buildTopology(services, agents, { expanded: new Set(['user-agent:phone']) });
    const phones = open.nodes.filter((n) => n.kind === 'user-agent');
    expect(phones).toHaveLength(20);
    expect(phones.every((n) => n.expandedFrom === 'user-agent:phone')).toBe(true);
    // Numeric order: phone-2 before phone-10.
    expect(phones.map((n) => n.label).slice(0, 3)).toEqual(['phone-1', 'phone-2', 'phone-3']);
  });

  it('folds the devices of a folded gateway fleet into one group', () => {
    const agents = table([
      ...Array.from({ length: 6 }, (_, g) => agent(`gw-${g + 1}`, 'gateway')),
      ...Array.from({ length: 12 }, (_, d) =>
        agent(`gw-${(d % 6) + 1}.d${Math.floor(d / 6) + 1}`, 'device', null),
      ),
      ...Array.from({ length: 5 }, (_, d) => agent(`solo.d${d + 1}`, 'device', null)),
      agent('solo', 'gateway'),
    ]);
    const topo = buildTopology(services, agents);
    const devices = topo.nodes.filter((n) => n.kind === 'device');
    expect(devices.map((n) => n.label).sort()).toEqual(['gw devices ×12', 'solo devices ×5']);
    expect(topo.edges.find((e) => e.target === 'g:device:gw')).toMatchObject({
      source: 'g:gateway:gw',
    });
    expect(topo.edges.find((e) => e.target === 'g:device:solo')?.source).toBe('a:solo');
    // Open the gateways: each has two devices, too few to group.
    const open = buildTopology(services, agents, { expanded: new Set(['gateway:gw']) });
    expect(open.nodes.filter((n) => n.kind === 'device')).toHaveLength(13);
  });

  it('keeps small fleets agent by agent', () => {
    const topo = buildTopology(services, fleet(3));
    expect(topo.nodes.filter((n) => n.kind === 'user-agent')).toHaveLength(3);
    expect(topo.nodes.some((n) => n.group !== null)).toBe(false);
  });

  it('joins app servers to services, agents to their service and devices to their gateway', () => {
    const topo = buildTopology(services, fleet(1));
    const ids = topo.edges.map((e) => e.id).sort();
    expect(ids).toEqual(
      [
        'a:app->s:s1',
        's:s1->a:phone-1',
        's:s1->a:gw-1',
        'a:gw-1->a:gw-1.d1',
        'a:gw-1->a:gw-1.d2',
      ].sort(),
    );
  });

  it('lays out in deterministic columns: app servers | services | agents | devices', () => {
    const a = buildTopology(services, fleet(30));
    const b = buildTopology(services, table([...fleet(30).values()]));
    expect(a).toEqual(b);
    const xs = (...kinds: string[]) =>
      a.nodes.filter((n) => kinds.includes(n.kind)).map((n) => n.x);
    const order = [xs('app-server'), xs('service'), xs('user-agent', 'gateway'), xs('device')];
    for (let i = 1; i < order.length; i++)
      expect(Math.min(...order[i]!)).toBeGreaterThan(Math.max(...order[i - 1]!));
    const spots = a.nodes.map((n) => `${n.x},${n.y}`);
    expect(new Set(spots).size).toBe(spots.length);
  });

  it('lays a long column out as a landscape grid of at most ROWS_MAX rows', () => {
    const open = buildTopology(services, fleet(45), { expanded: new Set(['user-agent:phone']) });
    const agentsColumn = open.nodes.filter((n) => n.kind === 'user-agent' || n.kind === 'gateway');
    expect(agentsColumn).toHaveLength(46);
    const rows = gridRows(46);
    expect(new Set(agentsColumn.map((n) => n.y)).size).toBe(rows);
    expect(new Set(agentsColumn.map((n) => n.x)).size).toBe(Math.ceil(46 / rows));
    const spots = open.nodes.map((n) => `${n.x},${n.y}`);
    expect(new Set(spots).size).toBe(spots.length);
  });

  it('makes an expanded fleet of 20 wider than tall, so it fits a landscape view', () => {
    // 20 phones and a gateway in one column: five rows of (at most) five.
    expect(gridRows(21)).toBe(5);
    const open = buildTopology(services, fleet(20), { expanded: new Set(['user-agent:phone']) });
    const xs = open.nodes.map((n) => n.x);
    const ys = open.nodes.map((n) => n.y);
    const width = Math.max(...xs) - Math.min(...xs) + SUB_COLUMN_WIDTH;
    const height = Math.max(...ys) - Math.min(...ys) + ROW_HEIGHT;
    expect(width / height).toBeGreaterThan(2);
    // A short column stays one line; a huge one stops at ROWS_MAX rows.
    expect(gridRows(LINE_MAX)).toBe(LINE_MAX);
    expect(gridRows(0)).toBe(0);
    expect(gridRows(10_000)).toBe(ROWS_MAX);
  });

  // No wall-clock bound here (a loaded CI machine is no measure): the fleet folding into a
  // handful of nodes is what keeps the layout cheap, and that is what this asserts.
  it('handles a fleet of thousands in a handful of nodes', () => {
    const agents = table(
      Array.from({ length: 5000 }, (_, i) => agent(`ua-${i}`, 'user-agent')).concat(
        Array.from({ length: 500 }, (_, i) => agent(`gw-${i}`, 'gateway')),
      ),
    );
    const topo = buildTopology(services, agents);
    expect(topo.nodes).toHaveLength(3);
  });

  it('reuses flow nodes (and the array) when nothing changed', () => {
    const topo = buildTopology(services, fleet(20));
    const first = toFlowNodes(topo.nodes, []);
    const again = toFlowNodes(buildTopology(services, fleet(20)).nodes, first);
    expect(again).toBe(first);
    const more = toFlowNodes(buildTopology(services, fleet(21)).nodes, first);
    expect(more).not.toBe(first);
    expect(more.find((n) => n.id === 's:s1')).toBe(first.find((n) => n.id === 's:s1'));
  });
});

describe('topology decorations', () => {
  const bodies: LabEventBody[] = [
    { kind: 'link.changed', linkId: 'lossy:phone-1', state: 'impaired', faults: ['loss'] },
    { kind: 'link.changed', linkId: 'direct:gw-1', state: 'down', faults: ['outage'] },
    { kind: 'agent.sleep', agentId: 'phone-2' },
    {
      kind: 'agent.power',
      agentId: 'phone-1',
      battery: 0.1,
      charging: false,
      wifi: false,
      urgencyMin: 'high',
    },
    { kind: 'radio.state', agentId: 'phone-1', technology: 'lte', from: 'idle', to: 'connected' },
  ];

  it('reads link states, sleep and urgency from the model, one index per links table', () => {
    const model = applyEvents(emptyModel(), stamp(1, bodies));
    const links = linkStatesByAgent(model.links);
    expect(links.get('phone-1')).toBe('impaired');
    expect(links.get('gw-1')).toBe('down');
    expect(linkStatesByAgent(model.links)).toBe(links);
    expect(model.agentFacts.get('phone-2')?.asleep).toBe(true);
    expect(model.agentFacts.get('phone-1')).toMatchObject({
      battery: 0.1,
      charging: false,
      urgencyMin: 'high',
      radio: 'lte connected',
    });

    const later = applyEvents(model, stamp(6, [{ kind: 'agent.wake', agentId: 'phone-2' }]));
    expect(later.agentFacts.get('phone-2')?.asleep).toBe(false);
    expect(later.links).toBe(model.links);
  });

  it('colours an edge by the share of its links down and animates it while traffic passes', () => {
    const links = new Map([
      ['a', 'up' as const],
      ['b', 'impaired' as const],
      ['d', 'down' as const],
      ['e', 'down' as const],
    ]);
    expect(linkShare(links, ['a']).state).toBe('up');
    expect(linkShare(links, ['a', 'b', 'c']).state).toBe('impaired');
    // One of a group down: the group's edge is impaired and says how many, not down.
    expect(linkShare(links, ['a', 'c', 'd'])).toEqual({
      state: 'impaired',
      down: 1,
      impaired: 0,
      total: 3,
    });
    expect(linkShare(links, ['d', 'e']).state).toBe('down');
    const [group] = toFlowEdges(
      [{ id: 'g', source: 's', target: 't', agents: ['a', 'c', 'd'] }],
      links,
      new Set(),
    );
    expect(group?.className).toContain('topo-edge-impaired');
    expect(group?.label).toBe('3 · 1 down');
    const [edge] = toFlowEdges(
      [{ id: 'e', source: 's', target: 't', agents: ['b'] }],
      links,
      new Set(['b']),
    );
    expect(edge?.className).toContain('topo-edge-impaired');
    expect(edge?.animated).toBe(true);
  });

  it('finds agents with traffic in the last second', () => {
    const sub: SubscriptionView = {
      id: 'sub1',
      serviceId: 's1',
      agentId: 'phone-1',
      pushPath: '/p',
      createdAt: 0,
      state: 'active',
      outstanding: 0,
      lastDeliveryAt: null,
    };
    const events = stamp(1, [
      {
        kind: 'message.pushed',
        subscriptionId: 'sub1',
        messageId: 'm1',
        attempt: 1,
        urgencyMin: 'very-low',
      },
      {
        kind: 'device.delivered',
        gatewayId: 'gw-1',
        deviceId: 'gw-1.d1',
        messageId: 'm2',
        confirmed: true,
      },
    ]); // t = 10, 20
    expect([...recentTraffic(events, table([sub]), 500)].sort()).toEqual(['gw-1.d1', 'phone-1']);
    expect([...recentTraffic(events, table([sub]), 1015)]).toEqual(['gw-1.d1']);
    expect(recentTraffic(events, table([sub]), 5000).size).toBe(0);
  });
});
