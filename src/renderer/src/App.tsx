import { ConnectionBanner } from './features/connection/ConnectionBanner';
import { Header } from './features/header/Header';
import { Inspector } from './features/inspector/Inspector';
import { useGlobalKeys } from './features/keys/useGlobalKeys';
import { NavBar } from './features/nav/NavBar';
import { BundleDrop } from './features/recordings/BundleDrop';
import { RunControls } from './features/run/RunControls';
import { useApplySettings } from './features/settings/useApplySettings';
import { Timeline } from './features/timeline/Timeline';
import { TravelBanner } from './features/timeline/TravelBanner';
import { ViewBoundary } from './features/ViewBoundary';
import { VIEWS } from './features/views';
import { useLab } from './store';

export function App() {
  const view = useLab((s) => s.view);
  useApplySettings();
  useGlobalKeys();
  const current = VIEWS.find((v) => v.id === view) ?? VIEWS[0]!;
  const Current = current.component;
  return (
    <div className="app">
      {/* The views' column; the inspector docks in a column of its own beside it. */}
      <div className="app-content">
        <Header />
        <RunControls />
        <ConnectionBanner />
        <TravelBanner />
        <NavBar />
        <ViewBoundary key={current.id} label={current.label}>
          <Current />
        </ViewBoundary>
        <Timeline />
      </div>
      <Inspector />
      <BundleDrop />
    </div>
  );
}
