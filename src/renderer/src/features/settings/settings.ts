/**
 * Theme and presentation settings: what they are, how they cycle and how they are stored.
 * Pure (the storage is passed in), so it is tested without a DOM.
 */

export type Theme = 'system' | 'light' | 'dark';
export const THEMES: readonly Theme[] = ['system', 'light', 'dark'];

export interface Settings {
  theme: Theme;
  /** Larger type and stronger contrast, for a projector. */
  presentation: boolean;
}

export const DEFAULT_SETTINGS: Settings = { theme: 'system', presentation: false };

/** The localStorage key the settings live under. */
export const SETTINGS_KEY = 'push-lab.settings';

/** The class on <html> while presentation mode is on. */
export const PRESENTATION_CLASS = 'presentation';

/** The minimal part of the Web Storage API used here. */
export interface SettingsStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** system → light → dark → system. */
export function nextTheme(theme: Theme): Theme {
  return THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length] ?? 'system';
}

export function isTheme(value: unknown): value is Theme {
  return typeof value === 'string' && (THEMES as readonly string[]).includes(value);
}

/** Settings from stored text; anything missing or malformed falls back to the defaults. */
export function parseSettings(raw: string | null): Settings {
  if (raw === null) return { ...DEFAULT_SETTINGS };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
  if (typeof value !== 'object' || value === null) return { ...DEFAULT_SETTINGS };
  const v = value as Record<string, unknown>;
  return {
    theme: isTheme(v.theme) ? v.theme : DEFAULT_SETTINGS.theme,
    presentation:
      typeof v.presentation === 'boolean' ? v.presentation : DEFAULT_SETTINGS.presentation,
  };
}

export function serializeSettings(settings: Settings): string {
  return JSON.stringify({ theme: settings.theme, presentation: settings.presentation });
}

/** The page's localStorage, or null where there is none or it may not be used. */
export function browserStorage(): SettingsStorage | null {
  try {
    if (typeof localStorage === 'undefined') return null;
    return localStorage;
  } catch {
    // Reading `localStorage` itself throws when storage is blocked.
    return null;
  }
}

export function loadSettings(storage: SettingsStorage | null): Settings {
  if (storage === null) return { ...DEFAULT_SETTINGS };
  try {
    return parseSettings(storage.getItem(SETTINGS_KEY));
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

/** Stores the settings; a full or blocked storage is ignored (they last for the session). */
export function saveSettings(storage: SettingsStorage | null, settings: Settings): void {
  if (storage === null) return;
  try {
    storage.setItem(SETTINGS_KEY, serializeSettings(settings));
  } catch {
    // Quota exceeded or storage disabled: keep the in-memory settings only.
  }
}
