/**
 * The shape every slice of the lab store shares (zustand's slices pattern, with the actions
 * kept together under `actions` as the views expect): its fields, its actions, and what a new
 * show resets. `createLabStore` makes all slices in one `createStore` and calls every
 * `newShow` from one place, when the show's epoch changes.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { LabClient } from '../../bridge/client';
import type { LabState } from '../lab-store';

export interface SliceContext {
  set: StoreApi<LabState>['setState'];
  get: StoreApi<LabState>['getState'];
  client: LabClient;
  /** Local milliseconds (performance.now), for `modelAt`. */
  now: () => number;
}

export interface Slice<Fields, Actions> {
  initial: Fields;
  actions: Actions;
  /**
   * The fields a new show resets, given the state just before (the new show's snapshot is
   * already the live model). Fields not returned survive the show.
   */
  newShow(state: LabState): Partial<Fields>;
}
