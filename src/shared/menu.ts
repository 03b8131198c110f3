/**
 * The app's views and the actions the Electron menu can ask the page for. The renderer maps
 * view ids to components (features/views.ts); the main process builds its View menu from
 * the same list, so both stay in step.
 */
export const VIEW_LIST = [
  { id: 'overview', label: 'Overview' },
  { id: 'topology', label: 'Topology' },
  { id: 'subscriptions', label: 'Subscriptions' },
  { id: 'metrics', label: 'Metrics' },
  { id: 'log', label: 'Log' },
  { id: 'flows', label: 'Flows' },
  { id: 'links', label: 'Links' },
  { id: 'scenario', label: 'Scenario' },
  { id: 'compare', label: 'Compare' },
  { id: 'recordings', label: 'Recordings' },
] as const;

export type ViewId = (typeof VIEW_LIST)[number]['id'];

/**
 * The digit that shows the view at `index` in VIEW_LIST — 1 to 9, then 0 for the tenth, as
 * on a keyboard's number row — or null past the tenth. The page's keys and the Electron
 * menu's accelerators both read it.
 */
export function viewDigit(index: number): string | null {
  if (index >= 0 && index < 9) return String(index + 1);
  return index === 9 ? '0' : null;
}

/** The view index a digit key shows (the inverse of viewDigit), or null. */
export function viewIndexOfDigit(key: string): number | null {
  if (!/^[0-9]$/.test(key)) return null;
  return key === '0' ? 9 : Number(key) - 1;
}

/** What a menu item asks the page to do (the same actions as the keyboard and the toolbar). */
export type MenuAction =
  | { type: 'view'; id: ViewId }
  | { type: 'search' }
  | { type: 'close' }
  | { type: 'cycle-theme' }
  | { type: 'toggle-presentation' }
  /** The About dialog: version and the third-party licenses. */
  | { type: 'about' }
  | { type: 'export'; what: 'trace' | 'report' | 'subscriptions' }
  /**
   * A file chosen in a native dialog (Electron). `path` is the handle the main process holds
   * it by (`@…/name`), never the path itself; commands name the file by it.
   */
  | { type: 'open-file'; path: string }
  | { type: 'save-bundle'; path: string }
  | { type: 'save-scenario'; path: string }
  | { type: 'run'; action: 'pause-resume' | 'step' | 'stop' | 'rerun' | 'live' };
