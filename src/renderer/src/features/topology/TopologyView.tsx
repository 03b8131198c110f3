import '@xyflow/react/dist/style.css';
import {
  Background,
  Controls,
  ReactFlow,
  useReactFlow,
  type FitViewOptions,
  type NodeMouseHandler,
} from '@xyflow/react';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { LabEvent } from '../../../../shared/events';
import {
  selectAgents,
  selectLinkFacts,
  selectServices,
  selectSubscriptions,
  useLab,
} from '../../store';
import { useLabNow } from '../messages/useLabNow';
import { toFlowEdges, toFlowNodes, type TopoFlowNode } from './flow';
import { buildTopology, type TopoNode } from './graph';
import { TrafficContext } from './live-context';
import { linkStatesByAgent, recentTraffic } from './traffic';
import { TopologyDetails } from './TopologyDetails';
import { TopologyNode } from './TopologyNode';

const NODE_TYPES = { topo: TopologyNode };
/**
 * Large fleets stay legible: fitting never zooms out past this, so a node's label (14 px,
 * styles.css `.topo-node-label`) stays at least 11 px; a graph larger than the view at this
 * zoom is panned (graph.ts lays an expanded fleet out as a grid to need little of that).
 */
export const FIT_ZOOM_MIN = 0.8;
const FIT: FitViewOptions = { padding: 0.1, maxZoom: 1.2, minZoom: FIT_ZOOM_MIN };

/** Refits the view when nodes come or go (a group expanded, agents joined). */
function FitOnChange({ count }: { count: number }) {
  const { fitView } = useReactFlow();
  useEffect(() => {
    void fitView(FIT);
  }, [count, fitView]);
  return null;
}
const selectRecentEvents = (s: { recentEvents: readonly LabEvent[] }) => s.recentEvents;

/** Agents with traffic in the last second, as a stable set (same object while unchanged). */
function useTraffic(events: readonly LabEvent[]): ReadonlySet<string> {
  const subscriptions = useLab(selectSubscriptions);
  const now = useLabNow(true);
  const set = recentTraffic(events, subscriptions, now);
  const key = [...set].sort().join('\n');
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for `set`
  return useMemo(() => set, [key]);
}

/** Services, application servers, user agents, gateways and devices as a live graph. */
export function TopologyView() {
  const services = useLab(selectServices);
  const agents = useLab(selectAgents);
  const events = useLab(selectRecentEvents);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [selectedId, setSelectedId] = useState<string | null>(null);

  const topology = useMemo(
    () => buildTopology(services, agents, { expanded }),
    [services, agents, expanded],
  );
  const previousNodes = useRef<readonly TopoFlowNode[]>([]);
  const nodes = useMemo(
    () => (previousNodes.current = toFlowNodes(topology.nodes, previousNodes.current)),
    [topology.nodes],
  );

  const links = linkStatesByAgent(useLab(selectLinkFacts));
  const traffic = useTraffic(events);
  const edges = useMemo(
    () => toFlowEdges(topology.edges, links, traffic),
    [topology.edges, links, traffic],
  );

  // A group expands; a single agent or a service shows its details beside the graph.
  const open = (node: TopoNode) => {
    const group = node.group;
    if (group !== null) setExpanded((prev) => new Set(prev).add(group));
    else setSelectedId(node.id);
  };
  const onNodeClick: NodeMouseHandler<TopoFlowNode> = (_, node) => open(node.data.node);
  // The flow makes each node focusable but acts on Enter only for selectable ones; here
  // Enter or Space on a focused node does what a click does.
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    const id = (e.target as HTMLElement).closest('.react-flow__node')?.getAttribute('data-id');
    const node = id ? topology.nodes.find((n) => n.id === id) : undefined;
    if (!node) return;
    e.preventDefault();
    open(node);
  };
  const selected =
    selectedId === null ? undefined : topology.nodes.find((n) => n.id === selectedId);

  return (
    <main className="topology-view">
      <div className="topology-toolbar">
        <h2>
          Topology{' '}
          <span className="count">
            {services.size} services · {agents.size} agents
          </span>
        </h2>
        <span className="topo-legend">
          <span className="topo-legend-up">up</span>
          <span className="topo-legend-impaired">impaired</span>
          <span className="topo-legend-down">down</span>
        </span>
        {expanded.size > 0 ? (
          <button type="button" className="topo-collapse" onClick={() => setExpanded(new Set())}>
            Collapse groups
          </button>
        ) : null}
      </div>
      <div className="topology-body">
        <div className="topology-canvas" data-testid="topology" onKeyDown={onKeyDown}>
          <TrafficContext.Provider value={traffic}>
            <ReactFlow<TopoFlowNode>
              nodes={nodes as TopoFlowNode[]}
              edges={edges}
              nodeTypes={NODE_TYPES}
              onNodeClick={onNodeClick}
              nodesDraggable={false}
              nodesConnectable={false}
              elementsSelectable={false}
              onlyRenderVisibleElements
              colorMode="system"
              minZoom={0.05}
              fitView
              fitViewOptions={FIT}
            >
              <FitOnChange count={nodes.length} />
              <Background />
              <Controls showInteractive={false} />
            </ReactFlow>
          </TrafficContext.Provider>
        </div>
        {selected ? <TopologyDetails node={selected} onClose={() => setSelectedId(null)} /> : null}
      </div>
    </main>
  );
}
