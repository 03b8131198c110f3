/**
 * The log's own UI state (filters and pause), kept outside the component so it survives
 * switching views: pause the log, go and send something, come back and see what is new.
 * Per show: the pause (it holds the ended show's events and seq) and the rows expanded to
 * their full text (by seq: a new show numbers its events anew). The filters survive a new
 * show: they say what the user wants to read, in any show.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { LabEvent } from '../../../../shared/events';
import { defineFeature, useFeature } from '../../store';

export interface Paused {
  /** The list shown while paused: the store's array at pause time (never copied). */
  events: readonly LabEvent[];
  /** model.seq at pause time, to count what arrived since. */
  seq: number;
}

export interface LogUiState {
  groups: ReadonlySet<string>;
  actor: string;
  text: string;
  paused: Paused | null;
  /** The seqs of the rows shown in full (at most `EXPANDED_MAX`; the oldest closes first). */
  expanded: ReadonlySet<number>;
  /** Shows a row in full (true) or on one line again (false). */
  setExpanded(seq: number, open: boolean): void;
  collapseAll(): void;
  toggleGroup(group: string): void;
  clearGroups(): void;
  setActor(actor: string): void;
  setText(text: string): void;
  pause(events: readonly LabEvent[], seq: number): void;
  resume(): void;
}

/** Rows open at once at most: each is measured and laid out by itself (row-layout.ts). */
export const EXPANDED_MAX = 50;

export function createLogUiStore(): StoreApi<LogUiState> {
  return createStore<LogUiState>()((set) => ({
    groups: new Set(),
    actor: '',
    text: '',
    paused: null,
    expanded: new Set(),
    setExpanded: (seq, open) =>
      set((s) => {
        if (s.expanded.has(seq) === open) return {};
        const expanded = new Set(s.expanded);
        if (open) {
          expanded.add(seq);
          // Sets iterate in insertion order: the first left is the one opened longest ago.
          if (expanded.size > EXPANDED_MAX) expanded.delete(expanded.values().next().value!);
        } else expanded.delete(seq);
        return { expanded };
      }),
    collapseAll: () => set({ expanded: new Set() }),
    toggleGroup: (group) =>
      set((s) => {
        const groups = new Set(s.groups);
        if (groups.has(group)) groups.delete(group);
        else groups.add(group);
        return { groups };
      }),
    clearGroups: () => set({ groups: new Set() }),
    setActor: (actor) => set({ actor }),
    setText: (text) => set({ text }),
    pause: (events, seq) => set({ paused: { events, seq } }),
    resume: () => set({ paused: null }),
  }));
}

export const logFeature = defineFeature<LogUiState>({
  name: 'log',
  create: createLogUiStore,
  newShow: (store) => {
    store.getState().resume();
    store.getState().collapseAll();
  },
});

/** Reads the log's UI state (all of it without a selector). */
export function useLogUi(): LogUiState;
export function useLogUi<T>(selector: (state: LogUiState) => T): T;
export function useLogUi<T>(selector?: (state: LogUiState) => T): T | LogUiState {
  return useFeature(logFeature, selector ?? ((state: LogUiState) => state as T));
}
