/**
 * Sends run commands for the buttons, the space key and the Electron menu alike, and keeps
 * the last failure as a notice the run controls show until the next success or a dismissal.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { Command, ResultOf } from '../../../../shared/commands';
import type { Result } from '../../../../shared/result';
import { runCommand, type RunAction, type RunGate } from './run-commands';

/** Sends any command of the contract (the lab store's `actions.call`). */
export type CallCommand = <C extends Command>(command: C) => Promise<Result<ResultOf<C>>>;

export interface RunNoticeState {
  notice: string | null;
  show(notice: string): void;
  clear(): void;
}

export const runNoticeStore = createStore<RunNoticeState>()((set) => ({
  notice: null,
  show: (notice) => set({ notice }),
  clear: () => set({ notice: null }),
}));

export function useRunNotice(): string | null {
  return useStore(runNoticeStore, (s) => s.notice);
}

/** Sends `command`; a failure becomes the notice (`<label> failed: <why>`), a success clears it. */
export async function sendRunCommand<C extends Command>(
  call: CallCommand,
  command: C,
  label: string,
): Promise<Result<ResultOf<C>>> {
  const result = await call(command);
  if (result.ok) runNoticeStore.getState().clear();
  else runNoticeStore.getState().show(`${label} failed: ${result.error.message}`);
  return result;
}

const ACTION_LABELS: Record<RunAction, string> = {
  'pause-resume': 'Pause/resume',
  pause: 'Pause',
  resume: 'Resume',
  step: 'Step',
  stop: 'Stop',
  rerun: 'Run again',
  sandbox: 'Back to the sandbox',
};

/** Performs `action` if it applies to the run now; otherwise does nothing. */
export function performRunAction(action: RunAction, run: RunGate | null, call: CallCommand): void {
  const command = runCommand(action, run);
  if (command !== null) void sendRunCommand(call, command, ACTION_LABELS[action]);
}
