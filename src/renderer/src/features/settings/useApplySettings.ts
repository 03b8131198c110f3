import { useEffect } from 'react';
import { PRESENTATION_CLASS } from './settings';
import { useSettings } from './settings-store';

/** Mirrors the settings onto <html>: data-theme and the presentation class. */
export function useApplySettings(): void {
  const theme = useSettings((s) => s.theme);
  const presentation = useSettings((s) => s.presentation);
  useEffect(() => {
    const root = document.documentElement;
    root.dataset.theme = theme;
    root.classList.toggle(PRESENTATION_CLASS, presentation);
  }, [theme, presentation]);
}
