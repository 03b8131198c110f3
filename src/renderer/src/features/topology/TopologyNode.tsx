import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo, useContext, useMemo } from 'react';
import type { AgentView } from '../../../../shared/model';
import type { Table } from '../../../../shared/table';
import { selectAgentFacts, selectAgents, useLab } from '../../store';
import type { TopoFlowNode } from './flow';
import { ROLE_TEXT } from './graph';
import { TrafficContext } from './live-context';

function countConnected(agents: Table<AgentView>, members: readonly string[]): number {
  let n = 0;
  for (const id of members) if (agents.get(id)?.connected) n++;
  return n;
}

/** One service, agent or collapsed group of agents. */
export const TopologyNode = memo(function TopologyNode({ data }: NodeProps<TopoFlowNode>) {
  const { node } = data;
  const traffic = useContext(TrafficContext);
  const facts = useLab(selectAgentFacts);
  // Counted when the agents table changes, not on every store update (a group may hold
  // thousands of members).
  const agents = useLab(selectAgents);
  const connected = useMemo(() => countConnected(agents, node.members), [agents, node.members]);
  const service = useLab((s) =>
    node.kind === 'service' ? s.model.services.get(node.label) : undefined,
  );
  const asleep = useMemo(
    () => node.members.reduce((n, id) => (facts.get(id)?.asleep ? n + 1 : n), 0),
    [facts, node.members],
  );
  const busy = node.members.some((id) => traffic.has(id));
  const single = node.members.length === 1 ? node.members[0]! : null;
  const fact = single !== null ? facts.get(single) : undefined;
  const urgency = node.kind === 'user-agent' ? fact?.urgencyMin : null;
  const power =
    fact?.battery != null ? { level: fact.battery, charging: fact.charging } : undefined;
  const radio = fact?.radio ?? undefined;
  // A group shows its lowest battery: the member that will drop out first.
  const lowest =
    single === null
      ? node.members.reduce<number | null>((low, id) => {
          const level = facts.get(id)?.battery;
          return level == null ? low : Math.min(low ?? 1, level);
        }, null)
      : null;

  let status: string;
  let statusClass: string;
  if (node.kind === 'service') {
    status = service?.running === false ? 'stopped' : 'running';
    statusClass = service?.running === false ? 'off' : 'on';
  } else if (node.kind === 'app-server') {
    // Application servers connect per send; show whether they are sending.
    status = busy ? 'sending' : 'idle';
    statusClass = 'on';
  } else if (node.group !== null) {
    status = `${connected}/${node.members.length} connected${asleep ? ` · ${asleep} asleep` : ''}`;
    statusClass = connected === node.members.length ? 'on' : connected > 0 ? 'part' : 'off';
  } else if (asleep) {
    status = 'asleep';
    statusClass = 'sleep';
  } else {
    status = connected ? 'connected' : 'disconnected';
    statusClass = connected ? 'on' : 'off';
  }

  return (
    <div
      className={`topo-node topo-${node.kind}${node.group ? ' topo-group' : ''}${busy ? ' topo-busy' : ''}`}
      data-testid="topology-node"
      data-kind={node.kind}
      data-node-id={node.id}
      data-group={node.group ?? undefined}
      data-status={statusClass}
      title={node.group ? 'Click to expand' : `${single ?? node.label}: click for details`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="topo-node-label">{node.label}</div>
      <div className="topo-node-meta">
        <span className="topo-role">{ROLE_TEXT[node.kind]}</span>
        {service ? <span className="topo-profile">{service.profile}</span> : null}
      </div>
      {service?.external ? (
        <div className="topo-external" data-testid="topology-external" title={service.url}>
          external {service.url}
        </div>
      ) : null}
      <div className="topo-node-status">
        <span className={`topo-dot topo-dot-${statusClass}`} aria-hidden="true" />
        {status}
        {urgency ? <span className="topo-urgency">≥ {urgency}</span> : null}
      </div>
      {power || radio || lowest !== null ? (
        <div className="topo-node-power" data-testid="topology-power">
          {power ? (
            <span title="battery">
              {power.charging ? '⚡' : '🔋'} {Math.round(power.level * 100)}%
            </span>
          ) : null}
          {lowest !== null ? (
            <span title="lowest battery">🔋 ≥ {Math.round(lowest * 100)}%</span>
          ) : null}
          {radio ? (
            <span className="topo-radio" title="radio state">
              {radio}
            </span>
          ) : null}
        </div>
      ) : null}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});
