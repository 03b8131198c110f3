/**
 * Sends run commands for the buttons, the space key and the Electron menu alike, and keeps
 * the last failure as a notice the run controls show until the next success, a dismissal or
 * a new show (the failure was about the show that ended).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Command, ResultOf } from '../../../../shared/commands';
import type { Result } from '../../../../shared/result';
import { defineFeature, useFeature } from '../../store';
import { runCommand, type RunAction, type RunGate } from './run-commands';

/** Sends any command of the contract (the lab store's `actions.call`). */
export type CallCommand = <C extends Command>(command: C) => Promise<Result<ResultOf<C>>>;

export interface RunNoticeState {
  notice: string | null;
  show(notice: string): void;
  clear(): void;
}

export type RunNoticeStore = StoreApi<RunNoticeState>;

export function createRunNoticeStore(): RunNoticeStore {
  return createStore<RunNoticeState>()((set) => ({
    notice: null,
    show: (notice) => set({ notice }),
    clear: () => set({ notice: null }),
  }));
}

export const runNoticeFeature = defineFeature<RunNoticeState>({
  name: 'run notice',
  create: createRunNoticeStore,
  newShow: (store) => store.getState().clear(),
});

export function useRunNotice(): string | null {
  return useFeature(runNoticeFeature, (s) => s.notice);
}

/** What sending a run command needs: the lab store's `call` and where its notice goes. */
export interface RunCaller {
  call: CallCommand;
  notice: RunNoticeStore;
}

/** Sends `command`; a failure becomes the notice (`<label> failed: <why>`), a success clears it. */
export async function sendRunCommand<C extends Command>(
  { call, notice }: RunCaller,
  command: C,
  label: string,
): Promise<Result<ResultOf<C>>> {
  const result = await call(command);
  if (result.ok) notice.getState().clear();
  else notice.getState().show(`${label} failed: ${result.error.message}`);
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
export function performRunAction(action: RunAction, run: RunGate | null, caller: RunCaller): void {
  const command = runCommand(action, run);
  if (command !== null) void sendRunCommand(caller, command, ACTION_LABELS[action]);
}
