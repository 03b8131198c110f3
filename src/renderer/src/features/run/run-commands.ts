/**
 * Which run controls make sense now, and the command each one sends. Pure: the buttons, the
 * space key and the Electron menu all ask here, so they agree on what is allowed.
 */
import type { Command } from '../../../../shared/commands';
import type { RunStatus } from '../../../../shared/workbench';

/** What the controls need to know about the run (a stable slice for selectors). */
export type RunGate = Pick<RunStatus, 'mode' | 'state' | 'controllable' | 'canRerun'>;

/** A control the user can press (the menu's 'live' is time travel, not a run command). */
export type RunAction = 'pause-resume' | 'pause' | 'resume' | 'step' | 'stop' | 'rerun' | 'sandbox';

export interface RunControlsEnabled {
  pause: boolean;
  resume: boolean;
  step: boolean;
  stop: boolean;
  rerun: boolean;
  speed: boolean;
  sandbox: boolean;
}

const ACTIVE: ReadonlySet<RunStatus['state']> = new Set(['starting', 'running', 'paused']);

export function enabledControls(run: RunGate | null): RunControlsEnabled {
  if (run === null) {
    return {
      pause: false,
      resume: false,
      step: false,
      stop: false,
      rerun: false,
      speed: false,
      sandbox: false,
    };
  }
  const active = ACTIVE.has(run.state);
  return {
    pause: run.controllable && run.state === 'running',
    resume: run.controllable && run.state === 'paused',
    step: run.controllable && run.state === 'paused',
    stop: run.mode === 'run' && active,
    rerun: run.canRerun && run.state !== 'starting',
    speed: run.controllable && active,
    sandbox: run.mode !== 'sandbox',
  };
}

/** The command for `action` now, or null when it does not apply (e.g. pause when paused). */
export function runCommand(action: RunAction, run: RunGate | null): Command | null {
  const can = enabledControls(run);
  switch (action) {
    case 'pause-resume':
      if (can.pause) return { type: 'run.pause' };
      return can.resume ? { type: 'run.resume' } : null;
    case 'pause':
      return can.pause ? { type: 'run.pause' } : null;
    case 'resume':
      return can.resume ? { type: 'run.resume' } : null;
    case 'step':
      return can.step ? { type: 'run.step' } : null;
    case 'stop':
      return can.stop ? { type: 'run.stop' } : null;
    case 'rerun':
      return can.rerun ? { type: 'bundle.rerun' } : null;
    case 'sandbox':
      return can.sandbox ? { type: 'sandbox' } : null;
  }
}

/** The gate of the lab state's run (use with zustand's useShallow). */
export function selectRunGate(state: { run: RunStatus | null }): RunGate | null {
  const { run } = state;
  if (run === null) return null;
  return {
    mode: run.mode,
    state: run.state,
    controllable: run.controllable,
    canRerun: run.canRerun,
  };
}
