import { formatCount } from '../../../../shared/format';
import { selectSubscriptions, useLab } from '../../store';
import { SubscriptionTable } from './SubscriptionTable';

/** Every subscription in one large table. */
export function SubscriptionsView() {
  const count = useLab((s) => selectSubscriptions(s).size);
  return (
    <main className="view-page">
      <section className="panel subscriptions" aria-labelledby="subscriptions-view-title">
        <h2 id="subscriptions-view-title">
          Subscriptions <span className="count">{formatCount(count)}</span>
        </h2>
        <SubscriptionTable maxHeight={640} />
      </section>
    </main>
  );
}
