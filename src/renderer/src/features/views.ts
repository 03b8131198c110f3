/**
 * The app's views, in navigation order. A feature adds itself here with one entry; the
 * navigation bar and the main area read this list.
 */
import type { ComponentType } from 'react';
import { Overview } from './overview/Overview';

export interface ViewEntry {
  id: string;
  label: string;
  component: ComponentType;
}

export const VIEWS: readonly ViewEntry[] = [
  { id: 'overview', label: 'Overview', component: Overview },
];
