import { useEffect, useRef } from 'react';
import { viewDigit } from '../../../../shared/menu';
import { selectActions, useLab } from '../../store';
import { SettingsControls } from '../settings/SettingsControls';
import { VIEWS } from '../views';
import { ExportMenu } from './ExportMenu';

/**
 * One line, whatever the width: a button per view (the current one is pressed) in a strip
 * that scrolls sideways when the row is too narrow (presentation type, the inspector docked
 * beside), then the export menu and the display tools, which never wrap.
 */
export function NavBar() {
  const view = useLab((s) => s.view);
  const { showView } = useLab(selectActions);
  const strip = useRef<HTMLDivElement>(null);

  // The current view's tab stays in sight when a digit key or the menu picks a hidden one,
  // and when the strip narrows (the inspector docks, presentation type grows).
  useEffect(() => {
    const el = strip.current;
    if (!el) return;
    const reveal = () => {
      const active = el.querySelector<HTMLElement>('[aria-pressed="true"]');
      if (!active) return;
      const s = el.getBoundingClientRect();
      const a = active.getBoundingClientRect();
      if (a.left < s.left) el.scrollLeft -= s.left - a.left;
      else if (a.right > s.right) el.scrollLeft += a.right - s.right;
    };
    reveal();
    const observer = new ResizeObserver(reveal);
    observer.observe(el);
    return () => observer.disconnect();
  }, [view]);

  return (
    <nav className="nav-bar" aria-label="Views">
      <div className="nav-views" ref={strip} data-testid="views-strip">
        {VIEWS.map((v, i) => (
          <button
            key={v.id}
            type="button"
            className={v.id === view ? 'nav-item active' : 'nav-item'}
            aria-pressed={v.id === view}
            aria-keyshortcuts={viewDigit(i) ?? undefined}
            title={viewDigit(i) === null ? undefined : `${v.label} (key ${viewDigit(i)})`}
            data-testid={`nav-${v.id}`}
            onClick={() => showView(v.id)}
          >
            {v.label}
          </button>
        ))}
      </div>
      <div className="nav-tools">
        <ExportMenu />
        <SettingsControls />
      </div>
    </nav>
  );
}
