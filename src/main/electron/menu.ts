/**
 * The native menu: the same actions as the page's toolbar and keyboard, sent to the
 * renderer as MenuActions (it performs them exactly as if the key or button was used).
 * Pure: builds a template; index.ts hands it to Electron.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { VIEW_LIST, viewDigit, type MenuAction } from '../../shared/menu';

/** A file to choose in a native dialog; index.ts shows it and sends the action with the path. */
export type FileChoice = 'open' | 'save-bundle' | 'save-scenario';

export function menuTemplate(
  send: (action: MenuAction) => void,
  platform: NodeJS.Platform,
  appName = 'Push Lab',
  choose: (what: FileChoice) => void = () => undefined,
): MenuItemConstructorOptions[] {
  const item = (
    label: string,
    action: MenuAction,
    accelerator?: string,
  ): MenuItemConstructorOptions => ({
    label,
    click: () => send(action),
    ...(accelerator ? { accelerator } : {}),
  });
  const mac = platform === 'darwin';
  return [
    // macOS: the app menu, with our About first (the page's dialog, as in the browser).
    ...(mac
      ? [
          {
            label: appName,
            submenu: [
              item(`About ${appName}`, { type: 'about' }),
              { type: 'separator' as const },
              { role: 'services' as const },
              { type: 'separator' as const },
              { role: 'hide' as const },
              { role: 'hideOthers' as const },
              { role: 'unhide' as const },
              { type: 'separator' as const },
              { role: 'quit' as const },
            ],
          },
        ]
      : []),
    {
      label: 'File',
      submenu: [
        {
          label: 'Open Scenario or Recording…',
          accelerator: 'CmdOrCtrl+O',
          click: () => choose('open'),
        },
        {
          label: 'Save Scenario As…',
          accelerator: 'CmdOrCtrl+Shift+S',
          click: () => choose('save-scenario'),
        },
        { label: 'Save Recording As…', click: () => choose('save-bundle') },
        { type: 'separator' },
        item('Export Trace (JSONL)…', { type: 'export', what: 'trace' }, 'CmdOrCtrl+Shift+T'),
        item('Export Report (HTML)…', { type: 'export', what: 'report' }, 'CmdOrCtrl+Shift+R'),
        item('Export Subscriptions (CSV)…', { type: 'export', what: 'subscriptions' }),
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { label: 'Edit', role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        // Cmd/Ctrl+1…9, 0 for the first ten views, as the page's digit keys.
        ...VIEW_LIST.map((v, i) =>
          item(
            v.label,
            { type: 'view', id: v.id },
            viewDigit(i) === null ? undefined : `CmdOrCtrl+${viewDigit(i)}`,
          ),
        ),
        { type: 'separator' },
        item('Search the Log', { type: 'search' }, 'CmdOrCtrl+F'),
        item('Close Panel', { type: 'close' }),
        { type: 'separator' },
        item('Cycle Theme', { type: 'cycle-theme' }, 'CmdOrCtrl+Shift+L'),
        item('Presentation Mode', { type: 'toggle-presentation' }, 'CmdOrCtrl+Shift+P'),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Run',
      submenu: [
        item('Pause / Resume', { type: 'run', action: 'pause-resume' }, 'CmdOrCtrl+.'),
        item('Step', { type: 'run', action: 'step' }, 'CmdOrCtrl+]'),
        item('Stop', { type: 'run', action: 'stop' }),
        item('Run Again', { type: 'run', action: 'rerun' }, 'CmdOrCtrl+Shift+Enter'),
        item('Back to Live', { type: 'run', action: 'live' }, 'CmdOrCtrl+L'),
      ],
    },
    { label: 'Window', role: 'windowMenu' },
    // Windows and Linux: About under Help (macOS has it in the app menu).
    ...(mac ? [] : [{ label: 'Help', submenu: [item(`About ${appName}`, { type: 'about' })] }]),
  ];
}
