import { MessageQueue } from '../messages/MessageQueue';
import { SendForm } from '../send/SendForm';
import { SubscriptionList } from '../subscriptions/SubscriptionList';

/** Subscriptions, the selected one's queue, and the send form: the lab at a glance. */
export function Overview() {
  return (
    <main className="app-main">
      <SubscriptionList />
      <div className="queue-column">
        <SendForm />
        <MessageQueue />
      </div>
    </main>
  );
}
