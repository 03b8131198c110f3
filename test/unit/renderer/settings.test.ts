import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  loadSettings,
  nextTheme,
  parseSettings,
  saveSettings,
  SETTINGS_KEY,
  type SettingsStorage,
} from '../../../src/renderer/src/features/settings/settings';
import { createSettingsStore } from '../../../src/renderer/src/features/settings/settings-store';

function memoryStorage(initial: Record<string, string> = {}): SettingsStorage & {
  data: Record<string, string>;
} {
  const data = { ...initial };
  return {
    data,
    getItem: (k) => data[k] ?? null,
    setItem: (k, v) => {
      data[k] = v;
    },
  };
}

describe('settings', () => {
  it('cycles system → light → dark → system', () => {
    expect(nextTheme('system')).toBe('light');
    expect(nextTheme('light')).toBe('dark');
    expect(nextTheme('dark')).toBe('system');
  });

  it('falls back to the defaults for missing or malformed data', () => {
    expect(parseSettings(null)).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings('not json')).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings('[1]')).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings('{"theme":"purple","presentation":"yes"}')).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings('{"theme":"dark"}')).toEqual({ theme: 'dark', presentation: false });
    expect(parseSettings('{"theme":"light","presentation":true}')).toEqual({
      theme: 'light',
      presentation: true,
    });
  });

  it('works without storage, and with storage that throws', () => {
    expect(loadSettings(null)).toEqual(DEFAULT_SETTINGS);
    saveSettings(null, { theme: 'dark', presentation: true });
    const broken: SettingsStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(loadSettings(broken)).toEqual(DEFAULT_SETTINGS);
    expect(() => saveSettings(broken, DEFAULT_SETTINGS)).not.toThrow();
  });

  it('the store loads, changes and persists the settings', () => {
    const storage = memoryStorage({ [SETTINGS_KEY]: '{"theme":"dark","presentation":false}' });
    const store = createSettingsStore(storage);
    expect(store.getState().theme).toBe('dark');
    store.getState().cycleTheme();
    expect(store.getState().theme).toBe('system');
    store.getState().togglePresentation();
    expect(store.getState().presentation).toBe(true);
    expect(JSON.parse(storage.data[SETTINGS_KEY]!)).toEqual({
      theme: 'system',
      presentation: true,
    });
    // A new store (a reload) starts where the last one left off.
    expect(createSettingsStore(storage).getState()).toMatchObject({
      theme: 'system',
      presentation: true,
    });
  });

  it('the store runs without storage', () => {
    const store = createSettingsStore(null);
    store.getState().setTheme('light');
    store.getState().setPresentation(true);
    expect(store.getState()).toMatchObject({ theme: 'light', presentation: true });
  });
});
