import { ConnectionBanner } from './features/connection/ConnectionBanner';
import { Header } from './features/header/Header';
import { MessageQueue } from './features/messages/MessageQueue';
import { SendForm } from './features/send/SendForm';
import { SubscriptionList } from './features/subscriptions/SubscriptionList';

export function App() {
  return (
    <div className="app">
      <Header />
      <ConnectionBanner />
      <main className="app-main">
        <SubscriptionList />
        <div className="queue-column">
          <SendForm />
          <MessageQueue />
        </div>
      </main>
    </div>
  );
}
