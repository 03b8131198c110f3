/**
 * The app's views, in navigation order. A feature adds itself here with one entry; the
 * navigation bar and the main area read this list.
 */
import type { ComponentType } from 'react';
import { Overview } from './overview/Overview';
import { MetricsView } from './metrics/MetricsView';
import { SubscriptionsView } from './subscriptions/SubscriptionsView';
import { TopologyView } from './topology/TopologyView';
import { LogView } from './log/LogView';
import { FlowsView } from './flows/FlowsView';

export interface ViewEntry {
  id: string;
  label: string;
  component: ComponentType;
}

export const VIEWS: readonly ViewEntry[] = [
  { id: 'overview', label: 'Overview', component: Overview },
  { id: 'topology', label: 'Topology', component: TopologyView },
  { id: 'subscriptions', label: 'Subscriptions', component: SubscriptionsView },
  { id: 'metrics', label: 'Metrics', component: MetricsView },
  { id: 'log', label: 'Log', component: LogView },
  { id: 'flows', label: 'Flows', component: FlowsView },
];
