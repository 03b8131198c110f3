import { ConnectionBanner } from './features/connection/ConnectionBanner';
import { Header } from './features/header/Header';
import { Inspector } from './features/inspector/Inspector';
import { NavBar } from './features/nav/NavBar';
import { VIEWS } from './features/views';
import { useLab } from './store';

export function App() {
  const view = useLab((s) => s.view);
  const Current = (VIEWS.find((v) => v.id === view) ?? VIEWS[0]!).component;
  return (
    <div className="app">
      <Header />
      <ConnectionBanner />
      <NavBar />
      <Current />
      <Inspector />
    </div>
  );
}
