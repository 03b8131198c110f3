import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { menuTemplate } from '../../../src/main/electron/menu';
import { VIEW_LIST, type MenuAction } from '../../../src/shared/menu';

function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((m) => [m, ...(Array.isArray(m.submenu) ? items(m.submenu) : [])]);
}

describe('the native menu', () => {
  it('offers every view with Cmd/Ctrl+digit, and each item sends its action to the page', () => {
    const sent: MenuAction[] = [];
    const all = items(menuTemplate((a) => sent.push(a), 'linux'));
    VIEW_LIST.forEach((v, i) => {
      const entry = all.find((m) => m.label === v.label);
      // 1…9, then 0 for the tenth (Recordings), as on a keyboard's number row.
      expect(entry?.accelerator).toBe(
        i < 9 ? `CmdOrCtrl+${i + 1}` : i === 9 ? 'CmdOrCtrl+0' : undefined,
      );
      (entry!.click as () => void)();
    });
    for (const label of [
      'Export Trace (JSONL)…',
      'Export Report (HTML)…',
      'Search the Log',
      'Presentation Mode',
    ]) {
      (all.find((m) => m.label === label)!.click as () => void)();
    }
    expect(sent).toEqual([
      ...VIEW_LIST.map((v) => ({ type: 'view', id: v.id })),
      { type: 'export', what: 'trace' },
      { type: 'export', what: 'report' },
      { type: 'search' },
      { type: 'toggle-presentation' },
    ]);
  });

  it('asks index.ts for a file where one must be chosen, and sends run actions', () => {
    const chosen: string[] = [];
    const sent: MenuAction[] = [];
    const all = items(
      menuTemplate(
        (a) => sent.push(a),
        'linux',
        'Push Lab',
        (w) => chosen.push(w),
      ),
    );
    for (const label of ['Open Scenario or Recording…', 'Save Recording As…', 'Pause / Resume']) {
      (all.find((m) => m.label === label)!.click as () => void)();
    }
    expect(chosen).toEqual(['open', 'save-bundle']);
    expect(sent).toEqual([{ type: 'run', action: 'pause-resume' }]);
  });

  it('has the app menu on macOS only, and no accelerator used twice', () => {
    expect(menuTemplate(() => {}, 'darwin')[0]).toMatchObject({ label: 'Push Lab' });
    expect(menuTemplate(() => {}, 'linux')[0]).toMatchObject({ label: 'File' });
    const accelerators = items(menuTemplate(() => {}, 'linux'))
      .map((m) => m.accelerator)
      .filter(Boolean);
    expect(new Set(accelerators).size).toBe(accelerators.length);
  });

  it("offers About on every platform (app menu on macOS, Help elsewhere), opening the page's dialog", () => {
    for (const platform of ['darwin', 'linux', 'win32'] as const) {
      const sent: MenuAction[] = [];
      const template = menuTemplate((a) => sent.push(a), platform);
      const home = platform === 'darwin' ? template[0] : template.at(-1);
      expect(home?.label).toBe(platform === 'darwin' ? 'Push Lab' : 'Help');
      const about = items(template).filter((m) => m.label === 'About Push Lab');
      expect(about, platform).toHaveLength(1);
      (about[0]!.click as () => void)();
      expect(sent).toEqual([{ type: 'about' }]);
    }
  });
});
