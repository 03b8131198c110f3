/** The scenario editor's store and commands against a fake engine: edits survive failures and views, opens ask before replacing edits, stale checks are dropped. */
import { describe, expect, it, vi } from 'vitest';
import {
  createRunNoticeStore,
  type CallCommand,
} from '../../../src/renderer/src/features/run/run-actions';
import {
  openFile,
  openPath,
  refreshLists,
  runScenario,
  saveTo,
  validateText,
} from '../../../src/renderer/src/features/scenario/scenario-commands';
import {
  createScenarioStore,
  isDirty,
} from '../../../src/renderer/src/features/scenario/scenario-store';
import type { Command } from '../../../src/shared/commands';
import type { Result } from '../../../src/shared/result';

type Answer = (command: Command) => Result<unknown> | Promise<Result<unknown>>;

/** A call function that answers with `answer` and records every command. */
function fakeCall(answer: Answer) {
  const sent: Command[] = [];
  const call = (async (command: Command) => {
    sent.push(command);
    return answer(command);
  }) as unknown as CallCommand;
  return { call, sent };
}

const failure = (message: string): Result<never> => ({
  ok: false,
  error: { code: 'ERR_TEST', message },
});

describe('scenario store', () => {
  it('is dirty once the text differs from what was opened or saved', () => {
    const store = createScenarioStore();
    store.getState().open({ text: 'name: a\n', filePath: '/s/a.yaml', origin: '/s/a.yaml' });
    expect(isDirty(store.getState())).toBe(false);
    expect(store.getState().pathInput).toBe('/s/a.yaml');
    store.getState().setText('name: b\n');
    expect(isDirty(store.getState())).toBe(true);
    store.getState().saved('/s/b.yaml', 'name: b\n');
    expect(isDirty(store.getState())).toBe(false);
    expect(store.getState()).toMatchObject({ filePath: '/s/b.yaml', pathInput: '/s/b.yaml' });
  });

  it('holds an open that would replace unsaved edits until the user says so', () => {
    const store = createScenarioStore();
    store.getState().setText('my edits');
    store.getState().open({ text: 'other', filePath: null, origin: 'example: smoke' });
    expect(store.getState().text).toBe('my edits');
    expect(store.getState().pending?.origin).toBe('example: smoke');
    store.getState().dropPending();
    expect(store.getState()).toMatchObject({ text: 'my edits', pending: null });
    store.getState().open({ text: 'other', filePath: null, origin: 'example: smoke' });
    store.getState().acceptPending();
    expect(store.getState()).toMatchObject({ text: 'other', pending: null, filePath: null });
  });
});

describe('scenario commands', () => {
  it('a failed save keeps the text and says which path and why', async () => {
    const store = createScenarioStore();
    store.getState().setText('name: mine\n');
    const { call, sent } = fakeCall(() => failure('EACCES: permission denied'));
    await saveTo(call, store, ' /root/x.yaml ');
    expect(sent).toEqual([{ type: 'scenario.save', path: '/root/x.yaml', text: 'name: mine\n' }]);
    expect(store.getState()).toMatchObject({
      text: 'name: mine\n',
      busy: null,
      notice: { kind: 'error', text: 'Could not save /root/x.yaml: EACCES: permission denied' },
    });
    expect(isDirty(store.getState())).toBe(true);
  });

  it('a save records the path and refreshes the recent files', async () => {
    const store = createScenarioStore();
    store.getState().setText('name: mine\n');
    const { call } = fakeCall((c) =>
      c.type === 'scenario.save'
        ? { ok: true, value: { path: '/tmp/a.yaml', bytes: 11 } }
        : { ok: true, value: ['/tmp/a.yaml'] },
    );
    await saveTo(call, store, '/tmp/a.yaml');
    await vi.waitFor(() => expect(store.getState().recent).toEqual(['/tmp/a.yaml']));
    expect(store.getState()).toMatchObject({
      filePath: '/tmp/a.yaml',
      notice: { kind: 'ok', text: 'Saved 11 bytes to /tmp/a.yaml.' },
    });
    expect(isDirty(store.getState())).toBe(false);
  });

  it('an empty path is answered without asking the engine', async () => {
    const store = createScenarioStore();
    const { call, sent } = fakeCall(() => failure('unreachable'));
    await saveTo(call, store, '  ');
    expect(await openPath(call, store, '')).toBe(false);
    expect(sent).toEqual([]);
    expect(store.getState().notice?.text).toBe(
      'Open: give the path of a scenario file (got nothing).',
    );
  });

  it('a failed open or run leaves the edits alone', async () => {
    const store = createScenarioStore();
    store.getState().setText('name: mine\n');
    const { call, sent } = fakeCall(() => failure('ENOENT: no such file'));
    expect(await openPath(call, store, '/nope.yaml')).toBe(false);
    await runScenario(call, store);
    expect(store.getState().text).toBe('name: mine\n');
    expect(store.getState().notice?.text).toBe('Could not run the scenario: ENOENT: no such file');
    expect(sent.at(-1)).toEqual({ type: 'run.start', text: 'name: mine\n' });
  });

  it('runs with the file path when the text came from a file', async () => {
    const store = createScenarioStore();
    store.getState().open({ text: 'name: a\n', filePath: '/s/a.yaml', origin: '/s/a.yaml' });
    const { call, sent } = fakeCall(() => ({ ok: true, value: { name: 'A', seed: 3 } }));
    await runScenario(call, store);
    expect(sent).toEqual([{ type: 'run.start', text: 'name: a\n', path: '/s/a.yaml' }]);
    expect(store.getState().notice).toEqual({ kind: 'ok', text: 'Running “A” with seed 3.' });
  });

  it('keeps a check only while the editor still holds the text it is about', async () => {
    const store = createScenarioStore();
    let release: (r: Result<unknown>) => void = () => {};
    const { call } = fakeCall(() => new Promise((resolve) => (release = resolve)));
    store.getState().setText('name: a\n');
    const checking = validateText(call, store, 'name: a\n');
    store.getState().setText('name: ab\n');
    release({ ok: true, value: { ok: true, problems: [], summary: null } });
    await checking;
    expect(store.getState().checkedText).toBeNull();

    const failing = fakeCall(() => failure('engine not ready'));
    await validateText(failing.call, store, 'name: ab\n');
    expect(store.getState()).toMatchObject({
      checkedText: 'name: ab\n',
      check: null,
      checkError: 'Could not check the scenario: engine not ready',
    });
  });

  it('lists what it can and says what it could not', async () => {
    const store = createScenarioStore();
    const { call } = fakeCall((c) =>
      c.type === 'scenario.examples' ? failure('not ready') : { ok: true, value: ['/a.yaml'] },
    );
    await refreshLists(call, store);
    expect(store.getState()).toMatchObject({
      examples: null,
      recent: ['/a.yaml'],
      listsError: 'Could not list scenarios: not ready',
    });
  });

  it('opens scenario files in the editor and anything else as a recording', async () => {
    const store = createScenarioStore();
    const showView = vi.fn();
    const { call, sent } = fakeCall((c) =>
      c.type === 'scenario.read'
        ? { ok: true, value: { path: '/s/x.YML', text: 'name: x\n' } }
        : { ok: true, value: [] },
    );
    const notice = createRunNoticeStore();
    await openFile('/s/x.YML', { call, notice, store, showView });
    expect(showView).toHaveBeenCalledWith('scenario');
    expect(store.getState().text).toBe('name: x\n');

    await openFile('/runs/failure.plb', { call, notice, store, showView });
    expect(sent.at(-1)).toEqual({ type: 'bundle.open', path: '/runs/failure.plb' });
    expect(showView).toHaveBeenLastCalledWith('recordings');
  });
});
