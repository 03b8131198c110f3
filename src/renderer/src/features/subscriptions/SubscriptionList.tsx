import { formatCount } from '../../../../shared/format';
import { selectSubscriptions, useLab } from '../../store';
import { SubscriptionTable } from './SubscriptionTable';

/** The Overview's subscriptions panel. */
export function SubscriptionList() {
  const count = useLab((s) => selectSubscriptions(s).size);
  return (
    <section className="panel subscriptions" aria-labelledby="subscriptions-title">
      <h2 id="subscriptions-title">
        Subscriptions <span className="count">{formatCount(count)}</span>
      </h2>
      <SubscriptionTable maxHeight={360} compact />
    </section>
  );
}
