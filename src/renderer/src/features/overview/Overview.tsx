import { selectRun, useLab } from '../../store';
import { MessageQueue } from '../messages/MessageQueue';
import { SendForm } from '../send/SendForm';
import { SubscriptionList } from '../subscriptions/SubscriptionList';

/**
 * Subscriptions, the selected one's queue, and the send form: the lab at a glance. The form
 * is the sandbox lab's (a scenario's application servers send on their plan; a recording
 * only replays).
 */
export function Overview() {
  const mode = useLab((s) => selectRun(s)?.mode ?? 'sandbox');
  return (
    <main className="app-main">
      <SubscriptionList />
      <div className="queue-column">
        {mode === 'sandbox' && <SendForm />}
        <MessageQueue />
      </div>
    </main>
  );
}
