/**
 * Turns the pure topology into @xyflow/react nodes and edges, reusing the previous objects
 * when nothing about them changed, so the flow only re-processes what is new.
 */
import type { Edge, Node } from '@xyflow/react';
import type { TopoEdge, TopoNode } from './graph';
import { linkShare, type LinkState } from './traffic';

export type TopoFlowNode = Node<{ node: TopoNode }, 'topo'>;
export type TopoFlowEdge = Edge<{ state: LinkState; down: number }>;

const sameNode = (a: TopoNode, b: TopoNode): boolean =>
  a.id === b.id &&
  a.x === b.x &&
  a.y === b.y &&
  a.label === b.label &&
  a.kind === b.kind &&
  a.group === b.group &&
  a.expandedFrom === b.expandedFrom &&
  a.members.length === b.members.length &&
  a.members.every((m, i) => m === b.members[i]);

/** Flow nodes for `nodes`, reusing `previous` entries (and the array) where equal. */
export function toFlowNodes(
  nodes: readonly TopoNode[],
  previous: readonly TopoFlowNode[],
): readonly TopoFlowNode[] {
  const byId = new Map(previous.map((n) => [n.id, n]));
  let changed = nodes.length !== previous.length;
  const next = nodes.map((node, i) => {
    const old = byId.get(node.id);
    if (old && sameNode(old.data.node, node)) {
      if (previous[i] !== old) changed = true;
      return old;
    }
    changed = true;
    return {
      id: node.id,
      type: 'topo' as const,
      position: { x: node.x, y: node.y },
      data: { node },
      draggable: false,
      connectable: false,
    };
  });
  return changed ? next : previous;
}

/** Flow edges coloured by link state; animated while a message travels them. */
export function toFlowEdges(
  edges: readonly TopoEdge[],
  links: ReadonlyMap<string, LinkState>,
  traffic: ReadonlySet<string>,
): TopoFlowEdge[] {
  return edges.map((edge) => {
    const share = linkShare(links, edge.agents);
    const { state } = share;
    const busy = edge.agents.some((a) => traffic.has(a));
    const down = share.down > 0 && share.down < share.total ? ` · ${share.down} down` : '';
    return {
      id: edge.id,
      source: edge.source,
      target: edge.target,
      className: `topo-edge topo-edge-${state}${busy ? ' topo-edge-busy' : ''}`,
      animated: busy,
      selectable: false,
      data: { state, down: share.down },
      ...(edge.agents.length > 1 ? { label: `${edge.agents.length}${down}` } : {}),
    };
  });
}
