import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { selectActions, useFeatureStore, useLab } from '../../store';
import { settingsStore } from '../settings/settings-store';
import { VIEWS } from '../views';
import { EXPORT_REQUEST } from '../exports/ExportToolbar';
import { performRunAction, runNoticeFeature } from '../run/run-actions';
import { selectRunGate } from '../run/run-commands';
import { openFile, saveTo } from '../scenario/scenario-commands';
import { scenarioFeature } from '../scenario/scenario-store';
import { useRecordingActions } from '../recordings/useRecordingActions';
import type { MenuAction } from '../../../../shared/menu';
import { requestAbout } from '../about/about-request';
import { keyAction, type KeyAction } from './keymap';

const VIEW_IDS = VIEWS.map((v) => v.id);
const LOG_SEARCH = '[data-testid="log-search"]';

/** The one global keydown handler (see keymap.ts for the keys). */
export function useGlobalKeys(): void {
  const view = useLab((s) => s.view);
  const { showView, selectMessage, call, returnToLive } = useLab(selectActions);
  const run = useLab(useShallow(selectRunGate));
  const recordings = useRecordingActions();
  const scenario = useFeatureStore(scenarioFeature);
  const notice = useFeatureStore(runNoticeFeature);
  useEffect(() => {
    const caller = { call, notice };
    const onKey = (e: KeyboardEvent) => {
      const target = e.target instanceof HTMLElement ? e.target : null;
      const action = keyAction(
        {
          key: e.key,
          ctrlKey: e.ctrlKey,
          metaKey: e.metaKey,
          altKey: e.altKey,
          targetTag: target?.tagName ?? null,
          targetEditable: target?.isContentEditable ?? false,
          targetRole: target?.getAttribute('role') ?? null,
        },
        VIEW_IDS,
      );
      if (action === null) return;
      // In the Log view its own "/" handler focuses the search box.
      if (action.type === 'search' && view === 'log') return;
      if (action.type === 'search' || action.type === 'view' || action.type === 'pause-resume')
        e.preventDefault();
      perform(action);
    };
    // One place performs an action, whether a key or the Electron menu asked for it.
    const perform = (action: KeyAction | MenuAction): void => {
      switch (action.type) {
        case 'close':
          selectMessage(null);
          return;
        case 'search':
          showView('log');
          focusAfterRender(LOG_SEARCH);
          return;
        case 'view':
          showView(action.id);
          return;
        case 'cycle-theme':
          settingsStore.getState().cycleTheme();
          return;
        case 'toggle-presentation':
          settingsStore.getState().togglePresentation();
          return;
        case 'about':
          requestAbout();
          return;
        case 'export':
          window.dispatchEvent(new CustomEvent(EXPORT_REQUEST, { detail: action.what }));
          return;
        case 'pause-resume':
          performRunAction('pause-resume', run, caller);
          return;
        case 'run':
          if (action.action === 'live') returnToLive();
          else performRunAction(action.action, run, caller);
          return;
        case 'open-file':
          void openFile(action.path, { ...caller, store: scenario, showView });
          return;
        case 'save-bundle':
          showView('recordings');
          void recordings.save(action.path);
          return;
        case 'save-scenario':
          showView('scenario');
          void saveTo(call, scenario, action.path);
          return;
      }
    };
    window.addEventListener('keydown', onKey);
    // The Electron menu asks for the same actions (in the browser there is no menu).
    const offMenu = window.pushLab?.onMenuAction?.(perform);
    return () => {
      window.removeEventListener('keydown', onKey);
      offMenu?.();
    };
  }, [view, showView, selectMessage, call, returnToLive, run, recordings, scenario, notice]);
}

/** Focuses `selector` once it is rendered (a few frames at most). */
function focusAfterRender(selector: string, framesLeft = 10): void {
  requestAnimationFrame(() => {
    const el = document.querySelector<HTMLElement>(selector);
    if (el) el.focus();
    else if (framesLeft > 0) focusAfterRender(selector, framesLeft - 1);
  });
}
