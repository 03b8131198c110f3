/**
 * The native menu: the same actions as the page's toolbar and keyboard, sent to the
 * renderer as MenuActions (it performs them exactly as if the key or button was used).
 * Pure: builds a template; index.ts hands it to Electron.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { VIEW_LIST, type MenuAction } from '../../shared/menu';

export function menuTemplate(
  send: (action: MenuAction) => void,
  platform: NodeJS.Platform,
  appName = 'Push Lab',
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
    ...(mac ? [{ label: appName, role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
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
        ...VIEW_LIST.map((v, i) => item(v.label, { type: 'view', id: v.id }, `CmdOrCtrl+${i + 1}`)),
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
    { label: 'Window', role: 'windowMenu' },
  ];
}
