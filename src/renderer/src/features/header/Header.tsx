import { AboutButton } from '../about/AboutButton';
import { ConnectionIndicator } from './ConnectionIndicator';
import { CounterStrip } from './CounterStrip';
import { ServiceList } from './ServiceList';

export function Header() {
  return (
    <header className="app-header">
      <div className="app-title">
        <h1>Push Lab</h1>
        <ConnectionIndicator />
        <AboutButton />
      </div>
      <ServiceList />
      <CounterStrip />
    </header>
  );
}
