import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type PointerEvent,
} from 'react';
import { DOCK_STEP, DOCK_WIDTH_DEFAULT, clampDockWidth } from './dock';

/** Kept for the page's life: closing and reopening the inspector keeps the width chosen. */
let chosenWidth = DOCK_WIDTH_DEFAULT;

/**
 * The dock's width and the handlers of its resize handle on the left edge: drag it, or focus
 * it and press ← (wider) / → (narrower). Held within the bounds of `dock.ts` as the window
 * changes size.
 */
export function useDockWidth() {
  // Clamped to the window once mounted (no window while rendered on the server, in tests).
  const [width, setWidth] = useState(chosenWidth);
  const drag = useRef<{ x: number; width: number } | null>(null);

  const choose = useCallback((next: number) => {
    const w = clampDockWidth(next, window.innerWidth);
    chosenWidth = w;
    setWidth(w);
  }, []);

  useEffect(() => {
    const onResize = () => setWidth(clampDockWidth(chosenWidth, window.innerWidth));
    onResize();
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);

  const handle = {
    onPointerDown: (e: PointerEvent<HTMLElement>) => {
      e.currentTarget.setPointerCapture(e.pointerId);
      drag.current = { x: e.clientX, width };
    },
    onPointerMove: (e: PointerEvent<HTMLElement>) => {
      // The handle is on the dock's left edge: moving left widens it.
      if (drag.current) choose(drag.current.width + drag.current.x - e.clientX);
    },
    onPointerUp: () => {
      drag.current = null;
    },
    onKeyDown: (e: KeyboardEvent<HTMLElement>) => {
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        e.preventDefault();
        choose(width + (e.key === 'ArrowLeft' ? DOCK_STEP : -DOCK_STEP));
      }
    },
  };
  return { width, handle };
}
