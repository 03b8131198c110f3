/**
 * The scenario editor's state, outside React so unsaved edits survive switching views (and a
 * failed command never touches them): the text, where it came from, the last check, the
 * lists to open from and what the last open/save/run said. Vanilla zustand, tested as is.
 * Nothing here is per show: the editor holds a file, not a show, and running it starts a new
 * show that must not wipe the text (or the "run started" notice) that started it.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { defineFeature, useFeature } from '../../store';
import type { ScenarioCheck, ScenarioExample } from '../../../../shared/workbench';

/** Text to put in the editor. */
export interface ScenarioDraft {
  text: string;
  /** The file it belongs to (null: an example, not a file yet). */
  filePath: string | null;
  /** For the title: the file's path or `example: <id>`. */
  origin: string;
}

export interface Notice {
  kind: 'ok' | 'error';
  text: string;
}

export type Busy = 'open' | 'save' | 'run';

export interface ScenarioState {
  text: string;
  /** The text as last opened or saved: the editor is dirty when `text` differs. */
  savedText: string;
  filePath: string | null;
  origin: string | null;
  /** The path field (Open reads it, Save as writes it). */
  pathInput: string;
  /** An open that would replace unsaved edits, waiting for the user to say so. */
  pending: ScenarioDraft | null;
  check: ScenarioCheck | null;
  /** The text `check` (or `checkError`) is about. */
  checkedText: string | null;
  checkError: string | null;
  notice: Notice | null;
  busy: Busy | null;
  examples: ScenarioExample[] | null;
  recent: string[] | null;
  listsError: string | null;

  setText(text: string): void;
  setPathInput(path: string): void;
  /** Loads `draft`, or holds it as `pending` when that would lose unsaved edits. */
  open(draft: ScenarioDraft): void;
  /** Loads the pending draft (the user chose to replace the edits). */
  acceptPending(): void;
  dropPending(): void;
  /** `text` is now on disk at `path`. */
  saved(path: string, text: string): void;
  setCheck(text: string, check: ScenarioCheck | null, error: string | null): void;
  setNotice(notice: Notice | null): void;
  setBusy(busy: Busy | null): void;
  setLists(lists: Partial<Pick<ScenarioState, 'examples' | 'recent' | 'listsError'>>): void;
}

export type ScenarioStore = StoreApi<ScenarioState>;

export function isDirty(state: Pick<ScenarioState, 'text' | 'savedText'>): boolean {
  return state.text !== state.savedText;
}

export function createScenarioStore(): ScenarioStore {
  return createStore<ScenarioState>()((set, get) => {
    const load = (draft: ScenarioDraft) =>
      set({
        text: draft.text,
        savedText: draft.text,
        filePath: draft.filePath,
        origin: draft.origin,
        pathInput: draft.filePath ?? get().pathInput,
        pending: null,
        notice: null,
      });
    return {
      text: '',
      savedText: '',
      filePath: null,
      origin: null,
      pathInput: '',
      pending: null,
      check: null,
      checkedText: null,
      checkError: null,
      notice: null,
      busy: null,
      examples: null,
      recent: null,
      listsError: null,
      setText: (text) => set({ text }),
      setPathInput: (pathInput) => set({ pathInput }),
      open: (draft) => (isDirty(get()) ? set({ pending: draft }) : load(draft)),
      acceptPending: () => {
        const { pending } = get();
        if (pending !== null) load(pending);
      },
      dropPending: () => set({ pending: null }),
      saved: (path, text) =>
        set({ savedText: text, filePath: path, origin: path, pathInput: path }),
      setCheck: (text, check, checkError) => set({ checkedText: text, check, checkError }),
      setNotice: (notice) => set({ notice }),
      setBusy: (busy) => set({ busy }),
      setLists: (lists) => set(lists),
    };
  });
}

export const scenarioFeature = defineFeature<ScenarioState>({
  name: 'scenario',
  create: createScenarioStore,
});

export function useScenario<T>(selector: (state: ScenarioState) => T): T {
  return useFeature(scenarioFeature, selector);
}
