/**
 * The Compare view's state, kept outside the view so a comparison that takes a while survives
 * switching views: the form, the scenario examples, the run in progress, its result or error.
 * Vanilla zustand, tested without React; `useCompare` reads it.
 * Nothing here is per show: a comparison runs its own headless labs, apart from the show.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CompareResult, ScenarioExample } from '../../../../shared/workbench';
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
  result: CompareResult | null;
  problem: CompareProblem | null;
  setForm(patch: Partial<CompareForm>): void;
  /** Asks for the examples once (again after a failure) and picks the default one. */
  loadExamples(call: LabActions['call']): Promise<void>;
  /** Runs the comparison the form describes; ignored while one runs. Never rejects. */
  run(call: LabActions['call']): Promise<void>;
}

export type CompareStore = StoreApi<CompareState>;

export function createCompareStore(): CompareStore {
  let loading = false;
  return createStore<CompareState>()((set, get) => ({
    form: initialForm(),
    examples: null,
    examplesError: null,
    running: false,
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
      set({ running: true, problem: null });
      const answer = await call(built.command);
      if (answer.ok) set({ running: false, result: answer.value });
      else set({ running: false, problem: { field: null, message: answer.error.message } });
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
