/**
 * The log's own UI state (filters and pause), kept outside the component so it survives
 * switching views: pause the log, go and send something, come back and see what is new.
 * Per show: the pause (it holds the ended show's events and seq). The filters survive a new
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
  toggleGroup(group: string): void;
  clearGroups(): void;
  setActor(actor: string): void;
  setText(text: string): void;
  pause(events: readonly LabEvent[], seq: number): void;
  resume(): void;
}

export function createLogUiStore(): StoreApi<LogUiState> {
  return createStore<LogUiState>()((set) => ({
    groups: new Set(),
    actor: '',
    text: '',
    paused: null,
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
  newShow: (store) => store.getState().resume(),
});

/** Reads the log's UI state (all of it without a selector). */
export function useLogUi(): LogUiState;
export function useLogUi<T>(selector: (state: LogUiState) => T): T;
export function useLogUi<T>(selector?: (state: LogUiState) => T): T | LogUiState {
  return useFeature(logFeature, selector ?? ((state: LogUiState) => state as T));
}
