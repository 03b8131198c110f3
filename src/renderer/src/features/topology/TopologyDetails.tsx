import { useMemo } from 'react';
import { formatCount, formatJoules, formatPercent } from '../../../../shared/format';
import {
  selectAgentFacts,
  selectAgents,
  selectLinkFacts,
  selectServices,
  selectSubscriptions,
  useLab,
} from '../../store';
import { nodeDetail, type SubscriptionsDetail } from './details';
import { ROLE_TEXT, type TopoNode } from './graph';

interface Props {
  node: TopoNode;
  onClose(): void;
}

/** The clicked node's facts beside the graph: agent, link, state, subscriptions, energy. */
export function TopologyDetails({ node, onClose }: Props) {
  const agents = useLab(selectAgents);
  const services = useLab(selectServices);
  const subscriptions = useLab(selectSubscriptions);
  const links = useLab(selectLinkFacts);
  const agentFacts = useLab(selectAgentFacts);
  const detail = useMemo(
    () => nodeDetail(node, { agents, services, subscriptions, links, agentFacts }),
    [node, agents, services, subscriptions, links, agentFacts],
  );
  if (detail === null) return null;
  const title = detail.kind === 'gone' ? detail.id : node.label;
  return (
    <aside
      className="topo-details"
      data-testid="topology-details"
      data-node-id={node.id}
      aria-label={`Details of ${title}`}
    >
      <header className="topo-details-header">
        <h3>
          <code title={title}>{title}</code>
        </h3>
        <button
          type="button"
          className="inspector-close"
          aria-label="Close details"
          data-testid="topology-details-close"
          onClick={onClose}
        >
          ×
        </button>
      </header>
      {detail.kind === 'gone' ? (
        <p className="muted">No longer in the lab.</p>
      ) : detail.kind === 'service' ? (
        <dl className="inspector-summary">
          <dt>Kind</dt>
          <dd data-testid="topology-detail-kind">push service ({detail.service.profile})</dd>
          <dt>State</dt>
          <dd>{detail.service.running ? 'running' : 'stopped'}</dd>
          <dt>URL</dt>
          <dd>
            <code title={detail.service.url}>{detail.service.url}</code>
          </dd>
          {detail.service.external ? (
            <>
              <dt>Observed</dt>
              <dd>outside the lab, through its agents</dd>
            </>
          ) : null}
          <dt>Agents</dt>
          <dd>{formatCount(detail.agents)}</dd>
          <Subscriptions detail={detail.subscriptions} />
        </dl>
      ) : (
        <dl className="inspector-summary">
          <dt>Kind</dt>
          <dd data-testid="topology-detail-kind">{ROLE_TEXT[detail.agent.role]}</dd>
          <dt>State</dt>
          <dd data-testid="topology-detail-state">
            {detail.agent.connected ? 'connected' : 'disconnected'}
            {detail.facts?.asleep ? ', asleep' : ''}
          </dd>
          <dt>Service</dt>
          <dd>{detail.agent.serviceId ?? '—'}</dd>
          <dt>Link</dt>
          <dd data-testid="topology-detail-link">
            {detail.link === null ? (
              'none (direct)'
            ) : (
              <>
                <code>{detail.link.id}</code>{' '}
                <span className={`topo-link-state topo-link-${detail.link.state}`}>
                  {detail.link.state}
                </span>
                {detail.link.resets > 0 ? ` · ${formatCount(detail.link.resets)} resets` : ''}
              </>
            )}
          </dd>
          {detail.link !== null && detail.link.faults.length > 0 ? (
            <>
              <dt>Faults</dt>
              <dd>
                <ul className="topo-faults">
                  {detail.link.faults.map((f) => (
                    <li key={f.name} className={f.active ? 'topo-fault-on' : 'muted'}>
                      {f.name} ({typeof f.spec.type === 'string' ? f.spec.type : 'fault'}
                      {f.active ? ', on now' : ', off'})
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          ) : null}
          <Subscriptions detail={detail.subscriptions} />
          {detail.facts?.urgencyMin ? (
            <>
              <dt>Urgency filter</dt>
              <dd>≥ {detail.facts.urgencyMin}</dd>
            </>
          ) : null}
          {detail.facts?.radio ? (
            <>
              <dt>Radio</dt>
              <dd>{detail.facts.radio}</dd>
            </>
          ) : null}
          {detail.facts?.battery != null ? (
            <>
              <dt>Battery</dt>
              <dd>
                {formatPercent(detail.facts.battery, 0)}
                {detail.facts.charging ? ', charging' : ''}
              </dd>
            </>
          ) : null}
          <dt>Energy</dt>
          <dd data-testid="topology-detail-energy">
            {detail.facts?.joules != null ? formatJoules(detail.facts.joules) : 'not metered'}
          </dd>
        </dl>
      )}
    </aside>
  );
}

function Subscriptions({ detail }: { detail: SubscriptionsDetail }) {
  const more = detail.total - detail.ids.length;
  return (
    <>
      <dt>Subscriptions</dt>
      <dd data-testid="topology-detail-subscriptions">
        {formatCount(detail.active)} active of {formatCount(detail.total)}
        {detail.ids.length > 0 ? (
          <ul className="topo-subscriptions">
            {detail.ids.map((id) => (
              <li key={id}>
                <code>{id}</code>
              </li>
            ))}
            {more > 0 ? <li className="muted">and {formatCount(more)} more</li> : null}
          </ul>
        ) : null}
      </dd>
      <dt>Queued</dt>
      <dd data-testid="topology-detail-queued">{formatCount(detail.queued)} messages</dd>
    </>
  );
}
