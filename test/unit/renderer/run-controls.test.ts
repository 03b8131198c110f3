/** The run bar's pure parts: time and speed formatting, which controls apply, the space key. */
import { describe, expect, it, vi } from 'vitest';
import { keyAction } from '../../../src/renderer/src/features/keys/keymap';
import { formatSpeed, speedOptions } from '../../../src/renderer/src/features/run/format';
import { formatLabClock } from '../../../src/shared/format';
import {
  createRunNoticeStore,
  performRunAction,
} from '../../../src/renderer/src/features/run/run-actions';
import {
  enabledControls,
  runCommand,
  selectRunGate,
} from '../../../src/renderer/src/features/run/run-commands';
import type { RunStatus } from '../../../src/shared/workbench';

function status(patch: Partial<RunStatus> = {}): RunStatus {
  return {
    mode: 'run',
    epoch: 1,
    name: 'Smoke',
    scenario: 'Smoke',
    state: 'running',
    seed: 7,
    clockMode: 'virtual',
    speed: 1,
    elapsedMs: 0,
    durationMs: 120_000,
    events: 0,
    controllable: true,
    path: null,
    canSave: true,
    canRerun: true,
    warning: null,
    error: null,
    ...patch,
  };
}

describe('formatLabClock', () => {
  it('writes HH:MM:SS.mmm', () => {
    expect(formatLabClock(0)).toBe('00:00:00.000');
    expect(formatLabClock(192_450)).toBe('00:03:12.450');
    expect(formatLabClock(3_600_000 + 61_001)).toBe('01:01:01.001');
    expect(formatLabClock(100 * 3_600_000)).toBe('100:00:00.000');
  });

  it('floors fractions and treats negative or non-finite time as zero', () => {
    expect(formatLabClock(999.9)).toBe('00:00:00.999');
    expect(formatLabClock(-5)).toBe('00:00:00.000');
    expect(formatLabClock(Number.NaN)).toBe('00:00:00.000');
  });
});

describe('speeds', () => {
  it('shows 0 as max', () => {
    expect(formatSpeed(0)).toBe('max');
    expect(formatSpeed(60)).toBe('60×');
    expect(formatSpeed(0.5)).toBe('0.5×');
  });

  it('offers the current speed when it is not a usual choice, in order, max last', () => {
    expect(speedOptions([1, 10, 0], 10)).toEqual([1, 10, 0]);
    expect(speedOptions([1, 10, 0], 3)).toEqual([1, 3, 10, 0]);
    expect(speedOptions([1, 10, 0], null)).toEqual([1, 10, 0]);
  });
});

describe('which run controls apply', () => {
  it('enables nothing before the host says what runs', () => {
    expect(Object.values(enabledControls(null)).some(Boolean)).toBe(false);
  });

  it('pauses a running controllable run; resumes and steps a paused one', () => {
    expect(enabledControls(status())).toMatchObject({
      pause: true,
      resume: false,
      step: false,
      stop: true,
      speed: true,
      sandbox: true,
    });
    expect(enabledControls(status({ state: 'paused' }))).toMatchObject({
      pause: false,
      resume: true,
      step: true,
      stop: true,
    });
  });

  it('offers no pause, step or speed on a real-clock lab, and no stop in the sandbox', () => {
    const sandbox = status({ mode: 'sandbox', controllable: false, canRerun: false });
    expect(enabledControls(sandbox)).toEqual({
      pause: false,
      resume: false,
      step: false,
      stop: false,
      rerun: false,
      speed: false,
      sandbox: false,
    });
  });

  it('lets a finished run or a recording run again, but not stop', () => {
    expect(enabledControls(status({ state: 'finished' }))).toMatchObject({
      stop: false,
      rerun: true,
      pause: false,
    });
    expect(enabledControls(status({ mode: 'replay', state: 'recorded' }))).toMatchObject({
      stop: false,
      rerun: true,
    });
    expect(enabledControls(status({ state: 'starting' })).rerun).toBe(false);
  });

  it('pause-resume picks the command the state calls for, or none', () => {
    expect(runCommand('pause-resume', status())).toEqual({ type: 'run.pause' });
    expect(runCommand('pause-resume', status({ state: 'paused' }))).toEqual({
      type: 'run.resume',
    });
    expect(runCommand('pause-resume', status({ state: 'finished' }))).toBeNull();
    expect(runCommand('pause-resume', null)).toBeNull();
    expect(runCommand('step', status({ state: 'paused' }))).toEqual({ type: 'run.step' });
    expect(runCommand('rerun', status({ state: 'stopped' }))).toEqual({ type: 'bundle.rerun' });
    expect(runCommand('sandbox', status())).toEqual({ type: 'sandbox' });
    expect(runCommand('stop', status({ mode: 'sandbox' }))).toBeNull();
  });

  it('the gate selector keeps only what the controls decide on', () => {
    expect(selectRunGate({ run: null })).toBeNull();
    expect(selectRunGate({ run: status({ elapsedMs: 5 }) })).toEqual({
      mode: 'run',
      state: 'running',
      controllable: true,
      canRerun: true,
    });
  });
});

describe('performRunAction', () => {
  it('sends the command and turns a failure into a notice naming the control', async () => {
    const call = vi.fn().mockResolvedValue({
      ok: false,
      error: { code: 'ERR_STATE', message: 'nothing runs' },
    });
    const notice = createRunNoticeStore();
    performRunAction('stop', status(), { call, notice });
    expect(call).toHaveBeenCalledWith({ type: 'run.stop' });
    await vi.waitFor(() => expect(notice.getState().notice).toBe('Stop failed: nothing runs'));
    call.mockResolvedValue({ ok: true, value: status({ state: 'stopped' }) });
    performRunAction('rerun', status({ state: 'stopped' }), { call, notice });
    await vi.waitFor(() => expect(notice.getState().notice).toBeNull());
  });

  it('sends nothing when the action does not apply', () => {
    const call = vi.fn();
    performRunAction('pause-resume', status({ state: 'finished' }), {
      call,
      notice: createRunNoticeStore(),
    });
    expect(call).not.toHaveBeenCalled();
  });
});

describe('space key', () => {
  it('pauses or resumes, but not while typing or with a modifier', () => {
    expect(keyAction({ key: ' ' }, [])).toEqual({ type: 'pause-resume' });
    expect(keyAction({ key: ' ', targetTag: 'BODY' }, [])).toEqual({ type: 'pause-resume' });
    expect(keyAction({ key: ' ', targetTag: 'TEXTAREA' }, [])).toBeNull();
    expect(keyAction({ key: ' ', targetTag: 'INPUT' }, [])).toBeNull();
    expect(keyAction({ key: ' ', targetTag: 'SELECT' }, [])).toBeNull();
    expect(keyAction({ key: ' ', targetEditable: true }, [])).toBeNull();
    expect(keyAction({ key: ' ', ctrlKey: true }, [])).toBeNull();
  });

  it('leaves Space to the buttons and links it activates', () => {
    expect(keyAction({ key: ' ', targetTag: 'BUTTON' }, [])).toBeNull();
    expect(keyAction({ key: ' ', targetTag: 'a' }, [])).toBeNull();
    expect(keyAction({ key: ' ', targetTag: 'DIV', targetRole: 'button' }, [])).toBeNull();
    expect(keyAction({ key: ' ', targetTag: 'DIV', targetRole: 'region' }, [])).toEqual({
      type: 'pause-resume',
    });
  });
});
