/**
 * The app's views, in navigation order (src/shared/menu.ts lists them, for the Electron menu
 * too). A feature adds itself with one entry there and one component here.
 */
import type { ComponentType } from 'react';
import { VIEW_LIST, type ViewId } from '../../../shared/menu';
import { Overview } from './overview/Overview';
import { MetricsView } from './metrics/MetricsView';
import { SubscriptionsView } from './subscriptions/SubscriptionsView';
import { TopologyView } from './topology/TopologyView';
import { LogView } from './log/LogView';
import { FlowsView } from './flows/FlowsView';
import { LinksView } from './links/LinksView';
import { ScenarioView } from './scenario/ScenarioView';
import { CompareView } from './compare/CompareView';
import { RecordingsView } from './recordings/RecordingsView';

export interface ViewEntry {
  id: ViewId;
  label: string;
  component: ComponentType;
}

/** One component per view of the shared list (its order and labels are the menu's too). */
const COMPONENTS: Record<ViewId, ComponentType> = {
  overview: Overview,
  topology: TopologyView,
  subscriptions: SubscriptionsView,
  metrics: MetricsView,
  log: LogView,
  flows: FlowsView,
  links: LinksView,
  scenario: ScenarioView,
  compare: CompareView,
  recordings: RecordingsView,
};

export const VIEWS: readonly ViewEntry[] = VIEW_LIST.map((v) => ({
  ...v,
  component: COMPONENTS[v.id],
}));
