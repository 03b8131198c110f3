import { useEffect, useRef, useState } from 'react';
import { ExportToolbar } from '../exports/ExportToolbar';

/**
 * The export tools behind one "Export" button, so the tab row stays one line at 1280 px
 * whichever view adds a tool (Flows adds its sequence chart). The toolbar stays mounted while
 * the menu is closed: it also answers the Electron menu's File → Export requests, and keeps a
 * report's error to show when the menu opens again.
 */
export function ExportMenu() {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onPointer = (e: PointerEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      // Esc closes the menu first; the inspector keeps its own Esc for the next press.
      e.stopImmediatePropagation();
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('pointerdown', onPointer);
    window.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      window.removeEventListener('keydown', onKey, true);
    };
  }, [open]);

  return (
    <div className="nav-menu" ref={ref}>
      <button
        ref={button}
        type="button"
        className="tool-button"
        aria-haspopup="true"
        aria-expanded={open}
        data-testid="export-menu"
        title="Download the trace, the subscriptions, the report or the sequence chart"
        onClick={() => setOpen((o) => !o)}
      >
        Export ▾
      </button>
      <div className="nav-menu-panel" hidden={!open} data-testid="export-menu-panel">
        <ExportToolbar />
      </div>
    </div>
  );
}
