/**
 * The topology as plain data: which nodes (services, agents, collapsed groups of agents) sit
 * where, and which edges join them. Pure and deterministic, so the same tables always give
 * the same picture, and it is rebuilt only when the agent or service tables change.
 */
import type { AgentRole } from '../../../../shared/events';
import type { AgentView, ServiceView } from '../../../../shared/model';
import type { TableLike } from '../../../../shared/table';

export type TopoKind = 'service' | AgentRole;

export interface TopoNode {
  id: string;
  kind: TopoKind;
  label: string;
  /** Agent ids shown by this node (one for a single agent, none for a service). */
  members: readonly string[];
  /** The group key when this node stands for a collapsed group, else null. */
  group: string | null;
  /** The group key of an expanded group this agent belongs to, else null. */
  expandedFrom: string | null;
  x: number;
  y: number;
}

export interface TopoEdge {
  id: string;
  /** The node in the left column. */
  source: string;
  /** The node in the right column. */
  target: string;
  /** Agents whose link (and traffic) this edge shows. */
  agents: readonly string[];
}

export interface Topology {
  nodes: TopoNode[];
  edges: TopoEdge[];
}

export interface TopologyOptions {
  /** Group keys shown agent by agent. */
  expanded?: ReadonlySet<string>;
  /** Groups with at least this many agents collapse into one node. */
  groupMin?: number;
}

/** How a node's kind is named on screen (the node and the details panel). */
export const ROLE_TEXT: Readonly<Record<TopoKind, string>> = {
  service: 'push service',
  'app-server': 'application server',
  'user-agent': 'user agent',
  gateway: 'gateway',
  device: 'device',
};

export const GROUP_MIN = 5;
export const COLUMN_WIDTH = 280;
export const ROW_HEIGHT = 76;
/** Nodes in one sub-column before a column wraps. */
export const ROWS_MAX = 20;
export const SUB_COLUMN_WIDTH = 230;
/**
 * The shape (width / height) a long column's grid aims for: about a landscape canvas's, so
 * an expanded fleet fits the view at a zoom that keeps its labels legible instead of
 * standing as one tall line the view has to shrink to fit.
 */
export const GRID_ASPECT = 2.4;

/** Up to this many nodes a column stays one line (edges to a line do not cross its nodes). */
export const LINE_MAX = 6;

/** The rows of the grid `count` nodes of one column form (1 to ROWS_MAX). */
export function gridRows(count: number): number {
  if (count <= LINE_MAX) return Math.max(0, count);
  const square = Math.sqrt((count * SUB_COLUMN_WIDTH) / (ROW_HEIGHT * GRID_ASPECT));
  return Math.max(1, Math.min(ROWS_MAX, count, Math.round(square)));
}

const COLUMN: Readonly<Record<TopoKind, number>> = {
  'app-server': 0,
  service: 1,
  'user-agent': 2,
  gateway: 2,
  device: 3,
};

/** The prefix an agent shares with its fleet: the id before its last '-' or '.', or null. */
export function groupPrefix(id: string): string | null {
  const cut = Math.max(id.lastIndexOf('-'), id.lastIndexOf('.'));
  return cut > 0 ? id.slice(0, cut) : null;
}

/** A device's gateway: device ids are '<gatewayId>.d<n>'. */
export function gatewayOf(deviceId: string): string | null {
  const match = /^(.*)\.d\d+$/.exec(deviceId);
  return match ? match[1]! : null;
}

/** Compares ids with their numbers as numbers: 'phone-2' before 'phone-10'. */
const collator = new Intl.Collator('en', { numeric: true });
export const compareIds = (a: string, b: string): number => collator.compare(a, b);

export const groupKey = (role: AgentRole, prefix: string): string => `${role}:${prefix}`;
export const serviceNodeId = (serviceId: string): string => `s:${serviceId}`;
const agentNodeId = (agentId: string): string => `a:${agentId}`;
const groupNodeId = (key: string): string => `g:${key}`;

export function buildTopology(
  services: TableLike<ServiceView>,
  agents: TableLike<AgentView>,
  options: TopologyOptions = {},
): Topology {
  const expanded = options.expanded ?? new Set<string>();
  const groupMin = options.groupMin ?? GROUP_MIN;

  // Fleets: agents of one role sharing a prefix. Devices follow their gateway: when it is
  // folded into a group, its devices join one group for the whole gateway fleet.
  const agentList = [...agents.values()].sort((a, b) => compareIds(a.id, b.id));
  const prefixOf = new Map<string, string | null>();
  const fleets = new Map<string, string[]>();
  const join = (agent: AgentView, prefix: string | null) => {
    prefixOf.set(agent.id, prefix);
    if (prefix === null) return;
    const key = groupKey(agent.role, prefix);
    const fleet = fleets.get(key);
    if (fleet) fleet.push(agent.id);
    else fleets.set(key, [agent.id]);
  };
  const collapsed = (key: string) =>
    (fleets.get(key)?.length ?? 0) >= groupMin && !expanded.has(key);
  for (const agent of agentList) if (agent.role !== 'device') join(agent, groupPrefix(agent.id));
  for (const agent of agentList) {
    if (agent.role !== 'device') continue;
    const gateway = gatewayOf(agent.id);
    const gatewayPrefix = gateway === null ? null : (prefixOf.get(gateway) ?? null);
    const folded = gatewayPrefix !== null && collapsed(groupKey('gateway', gatewayPrefix));
    join(agent, folded ? gatewayPrefix : groupPrefix(agent.id));
  }

  const columns: TopoNode[][] = [[], [], [], []];
  const nodeOf = new Map<string, string>();
  const place = (node: Omit<TopoNode, 'x' | 'y'>) =>
    columns[COLUMN[node.kind]]!.push({ ...node, x: 0, y: 0 });

  for (const service of [...services.values()].sort((a, b) => compareIds(a.id, b.id))) {
    place({
      id: serviceNodeId(service.id),
      kind: 'service',
      label: service.id,
      members: [],
      group: null,
      expandedFrom: null,
    });
  }

  const placedGroups = new Set<string>();
  for (const agent of agentList) {
    const prefix = prefixOf.get(agent.id) ?? null;
    const key = prefix === null ? null : groupKey(agent.role, prefix);
    const fleet = key === null ? undefined : fleets.get(key);
    if (key !== null && fleet && collapsed(key)) {
      const id = groupNodeId(key);
      nodeOf.set(agent.id, id);
      if (placedGroups.has(key)) continue;
      placedGroups.add(key);
      place({
        id,
        kind: agent.role,
        label: `${prefix}${agent.role === 'device' ? ' devices' : ''} ×${fleet.length}`,
        members: fleet,
        group: key,
        expandedFrom: null,
      });
      continue;
    }
    const id = agentNodeId(agent.id);
    nodeOf.set(agent.id, id);
    place({
      id,
      kind: agent.role,
      label: agent.label || agent.id,
      members: [agent.id],
      group: null,
      expandedFrom: key !== null && expanded.has(key) && fleet !== undefined ? key : null,
    });
  }

  const nodes = layout(columns);
  return { nodes, edges: buildEdges(services, agentList, nodeOf) };
}

/**
 * Columns side by side, each centred on the tallest. A long column forms a grid of
 * `gridRows` rows (at most `ROWS_MAX`), filled column by column, so an expanded fleet is a
 * readable block rather than a thin line.
 */
function layout(columns: TopoNode[][]): TopoNode[] {
  const rowsOf = columns.map((c) => gridRows(c.length));
  const tallest = Math.max(1, ...rowsOf);
  const nodes: TopoNode[] = [];
  let x = 0;
  columns.forEach((column, c) => {
    const rows = rowsOf[c]!;
    const offset = ((tallest - rows) * ROW_HEIGHT) / 2;
    column.forEach((node, i) => {
      nodes.push({
        ...node,
        x: x + Math.floor(i / rows) * SUB_COLUMN_WIDTH,
        y: offset + (i % rows) * ROW_HEIGHT,
      });
    });
    const subColumns = rows === 0 ? 0 : Math.ceil(column.length / rows);
    x += Math.max(0, subColumns - 1) * SUB_COLUMN_WIDTH + COLUMN_WIDTH;
  });
  return nodes;
}

function buildEdges(
  services: TableLike<ServiceView>,
  agentList: readonly AgentView[],
  nodeOf: ReadonlyMap<string, string>,
): TopoEdge[] {
  const edges = new Map<string, { source: string; target: string; agents: string[] }>();
  const join = (source: string, target: string, agentId: string) => {
    const id = `${source}->${target}`;
    const edge = edges.get(id);
    if (edge) edge.agents.push(agentId);
    else edges.set(id, { source, target, agents: [agentId] });
  };
  const serviceIds = [...services.values()].map((s) => s.id).sort(compareIds);
  for (const agent of agentList) {
    const node = nodeOf.get(agent.id);
    if (node === undefined) continue;
    switch (agent.role) {
      case 'app-server': {
        // An application server reaches whichever service a subscription points at.
        const targets =
          agent.serviceId !== null && services.get(agent.serviceId)
            ? [agent.serviceId]
            : serviceIds;
        for (const s of targets) join(node, serviceNodeId(s), agent.id);
        break;
      }
      case 'user-agent':
      case 'gateway':
        if (agent.serviceId !== null && services.get(agent.serviceId))
          join(serviceNodeId(agent.serviceId), node, agent.id);
        break;
      case 'device': {
        const gateway = gatewayOf(agent.id);
        const gatewayNode = gateway === null ? undefined : nodeOf.get(gateway);
        if (gatewayNode !== undefined) join(gatewayNode, node, agent.id);
        break;
      }
    }
  }
  return [...edges].map(([id, e]) => ({ id, ...e }));
}
