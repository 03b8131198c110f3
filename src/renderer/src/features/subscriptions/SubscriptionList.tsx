import { useMemo } from 'react';
import {
  selectActions,
  selectAgents,
  selectCurrentSubscriptionId,
  selectSubscriptions,
  useLab,
} from '../../store';
import { SubscriptionRow } from './SubscriptionRow';

export function SubscriptionList() {
  const subscriptions = useLab(selectSubscriptions);
  const agents = useLab(selectAgents);
  const currentId = useLab(selectCurrentSubscriptionId);
  const { selectSubscription } = useLab(selectActions);
  const list = useMemo(() => Object.values(subscriptions), [subscriptions]);

  return (
    <section className="panel subscriptions" aria-labelledby="subscriptions-title">
      <h2 id="subscriptions-title">
        Subscriptions <span className="count">{list.length}</span>
      </h2>
      {list.length === 0 ? (
        <p className="muted">No subscriptions yet.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Agent</th>
              <th scope="col">State</th>
              <th scope="col" className="num">
                Outstanding
              </th>
              <th scope="col">Last delivery</th>
            </tr>
          </thead>
          <tbody>
            {list.map((sub) => (
              <SubscriptionRow
                key={sub.id}
                subscription={sub}
                agentLabel={
                  sub.agentId === null ? null : (agents[sub.agentId]?.label ?? sub.agentId)
                }
                selected={sub.id === currentId}
                onSelect={selectSubscription}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
