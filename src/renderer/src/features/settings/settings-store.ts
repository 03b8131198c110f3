/**
 * The theme and presentation settings: a small store of their own, persisted in localStorage
 * (when there is one). Vanilla, so it is tested without React; `useSettings` reads it.
 */
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  browserStorage,
  loadSettings,
  nextTheme,
  saveSettings,
  type Settings,
  type SettingsStorage,
  type Theme,
} from './settings';

export interface SettingsState extends Settings {
  setTheme(theme: Theme): void;
  cycleTheme(): void;
  setPresentation(on: boolean): void;
  togglePresentation(): void;
}

export type SettingsStore = StoreApi<SettingsState>;

export function createSettingsStore(storage: SettingsStorage | null): SettingsStore {
  const store = createStore<SettingsState>()((set, get) => {
    const update = (patch: Partial<Settings>) => {
      set(patch);
      const { theme, presentation } = get();
      saveSettings(storage, { theme, presentation });
    };
    return {
      ...loadSettings(storage),
      setTheme: (theme) => update({ theme }),
      cycleTheme: () => update({ theme: nextTheme(get().theme) }),
      setPresentation: (presentation) => update({ presentation }),
      togglePresentation: () => update({ presentation: !get().presentation }),
    };
  });
  return store;
}

/** The page's settings store. */
export const settingsStore: SettingsStore = createSettingsStore(browserStorage());

export function useSettings<T>(selector: (s: SettingsState) => T): T {
  return useStore(settingsStore, selector);
}
