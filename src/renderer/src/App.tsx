import { ConnectionBanner } from './features/connection/ConnectionBanner';
import { Header } from './features/header/Header';
import { Inspector } from './features/inspector/Inspector';
import { useGlobalKeys } from './features/keys/useGlobalKeys';
import { NavBar } from './features/nav/NavBar';
import { useApplySettings } from './features/settings/useApplySettings';
import { VIEWS } from './features/views';
import { useLab } from './store';

export function App() {
  const view = useLab((s) => s.view);
  useApplySettings();
  useGlobalKeys();
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
