/**
 * The Recordings feature's own state, kept across views (a file dropped on any view reports
 * here; a diff stays while you look at the flows): what is being done, the last outcome as
 * a sentence, and the last diff.
 */
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { DiffResult } from '../../../../shared/workbench';

export interface RecordingsState {
  /** What is on its way ('Opening x.plb…'), or null. */
  busy: string | null;
  error: string | null;
  notice: string | null;
  diff: DiffResult | null;
}

export const recordingsStore = createStore<RecordingsState>()(() => ({
  busy: null,
  error: null,
  notice: null,
  diff: null,
}));

export function useRecordings<T>(selector: (s: RecordingsState) => T): T {
  return useStore(recordingsStore, selector);
}
