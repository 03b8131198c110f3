import { THEMES, type Theme } from './settings';
import { useSettings } from './settings-store';

const THEME_LABELS: Readonly<Record<Theme, string>> = {
  system: 'System',
  light: 'Light',
  dark: 'Dark',
};

/** Theme choice and the presentation-mode toggle, for the nav bar's tool area. */
export function SettingsControls() {
  const theme = useSettings((s) => s.theme);
  const presentation = useSettings((s) => s.presentation);
  const setTheme = useSettings((s) => s.setTheme);
  const togglePresentation = useSettings((s) => s.togglePresentation);
  return (
    <div className="settings-controls" role="group" aria-label="Display">
      <label className="tool-label">
        <span className="visually-hidden">Theme</span>
        <select
          className="tool-select"
          data-testid="theme-select"
          aria-label="Theme (t)"
          title="Theme (t)"
          value={theme}
          onChange={(e) => setTheme(e.target.value as Theme)}
        >
          {THEMES.map((t) => (
            <option key={t} value={t}>
              {THEME_LABELS[t]}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        className="tool-button"
        data-testid="presentation-toggle"
        aria-pressed={presentation}
        title="Presentation mode: larger type, higher contrast (p)"
        onClick={togglePresentation}
      >
        Present
      </button>
    </div>
  );
}
