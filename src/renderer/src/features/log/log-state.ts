/**
 * The log's own UI state (filters and pause), kept outside the component so it survives
 * switching views: pause the log, go and send something, come back and see what is new.
 */
import { create } from 'zustand';
import type { LabEvent } from '../../../../shared/events';

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

export const useLogUi = create<LogUiState>()((set) => ({
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
