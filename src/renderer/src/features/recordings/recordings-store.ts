/**
 * The Recordings feature's own state, kept across views (a file dropped on any view reports
 * here; a diff stays while you look at the flows): what is being done, the last outcome as
 * a sentence, and the last diff. Nothing here is per show: it describes files, and opening
 * one starts a new show whose "Opened …" sentence (and the diff that led to it) must stay.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { DiffResult } from '../../../../shared/workbench';
import { defineFeature, useFeature } from '../../store';

export interface RecordingsState {
  /** What is on its way ('Opening x.plb…'), or null. */
  busy: string | null;
  error: string | null;
  notice: string | null;
  diff: DiffResult | null;
}

export type RecordingsStore = StoreApi<RecordingsState>;

export const recordingsFeature = defineFeature<RecordingsState>({
  name: 'recordings',
  create: () =>
    createStore<RecordingsState>()(() => ({ busy: null, error: null, notice: null, diff: null })),
});

export function useRecordings<T>(selector: (s: RecordingsState) => T): T {
  return useFeature(recordingsFeature, selector);
}
