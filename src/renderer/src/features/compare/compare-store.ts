/**
 * The Compare view's state, kept outside the view so a comparison that takes a while survives
 * switching views: the form, the scenario examples, the run in progress, its result or error.
 * Vanilla zustand, tested without React; `useCompare` reads it.
 * Nothing here is per show: a comparison runs its own headless labs, apart from the show.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  COMPARE_PROGRESS_POLL_MS,
  type CompareProgress,
  type CompareResult,
  type ScenarioExample,
} from '../../../../shared/workbench';
import { defineFeature, useFeature, type LabActions } from '../../store';
import { buildCompare, defaultSource, initialForm, PASTED, type CompareForm } from './compare-form';

export interface CompareProblem {
  /** The form field it names, when the form found it. */
  field: string | null;
  message: string;
}

export interface CompareState {
  form: CompareForm;
  /** null until `scenario.examples` answers. */
  examples: ScenarioExample[] | null;
  examplesError: string | null;
  running: boolean;
  /** Each profile's progress while a comparison runs (asked every COMPARE_PROGRESS_POLL_MS). */
  progress: CompareProgress | null;
  /** A cancel was asked for and the comparison has not answered yet. */
  cancelling: boolean;
  result: CompareResult | null;
  problem: CompareProblem | null;
  setForm(patch: Partial<CompareForm>): void;
  /** Asks for the examples once (again after a failure) and picks the default one. */
  loadExamples(call: LabActions['call']): Promise<void>;
  /** Runs the comparison the form describes; ignored while one runs. Never rejects. */
  run(call: LabActions['call']): Promise<void>;
  /** Stops the comparison running (its `run` then ends with a "cancelled" notice). */
  cancel(call: LabActions['call']): Promise<void>;
}

/** What the form says when a comparison was cancelled (ERR_CANCELLED). */
export const CANCELLED_MESSAGE = 'The comparison was cancelled; no figures were kept from it.';

export type CompareStore = StoreApi<CompareState>;

export function createCompareStore(): CompareStore {
  let loading = false;
  return createStore<CompareState>()((set, get) => ({
    form: initialForm(),
    examples: null,
    examplesError: null,
    running: false,
    progress: null,
    cancelling: false,
    result: null,
    problem: null,
    setForm: (patch) => set((s) => ({ form: { ...s.form, ...patch } })),
    loadExamples: async (call) => {
      if (loading || get().examples !== null) return;
      loading = true;
      const answer = await call({ type: 'scenario.examples' });
      loading = false;
      if (!answer.ok) {
        set({ examplesError: answer.error.message });
        return;
      }
      const examples = answer.value;
      set((s) => {
        const untouched = s.form.source === PASTED && s.form.pasted === '';
        return {
          examples,
          examplesError: null,
          form: untouched ? { ...s.form, source: defaultSource(examples) } : s.form,
        };
      });
    },
    run: async (call) => {
      const { running, form, examples } = get();
      if (running) return;
      const built = buildCompare(form, examples ?? []);
      if (!built.ok) {
        set({ problem: { field: built.field, message: built.message } });
        return;
      }
      set({ running: true, problem: null, progress: null, cancelling: false });
      // The comparison's runs are in the engine's workers; their progress is asked for, not
      // pushed, so this works over either transport. A late answer after the end is dropped.
      let asking = false;
      const poll = setInterval(() => {
        if (asking) return;
        asking = true;
        void call({ type: 'compare.progress' }).then((progress) => {
          asking = false;
          if (progress.ok && get().running) set({ progress: progress.value });
        });
      }, COMPARE_PROGRESS_POLL_MS);
      const answer = await call(built.command);
      clearInterval(poll);
      if (answer.ok) set({ running: false, cancelling: false, result: answer.value });
      else {
        const message =
          answer.error.code === 'ERR_CANCELLED' ? CANCELLED_MESSAGE : answer.error.message;
        set({ running: false, cancelling: false, problem: { field: null, message } });
      }
    },
    cancel: async (call) => {
      if (!get().running || get().cancelling) return;
      set({ cancelling: true });
      const answer = await call({ type: 'compare.cancel' });
      // Nothing to stop (it just ended): the comparison's own answer says how it ended.
      if (!answer.ok || !answer.value.cancelled) set({ cancelling: false });
    },
  }));
}

export const compareFeature = defineFeature<CompareState>({
  name: 'compare',
  create: createCompareStore,
});

export function useCompare<T>(selector: (s: CompareState) => T): T {
  return useFeature(compareFeature, selector);
}
