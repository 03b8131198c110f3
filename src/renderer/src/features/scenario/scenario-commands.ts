/**
 * What the scenario view asks the engine: the lists to open from, reading, saving, checking
 * and running scenario text, and opening a file chosen from the menu. Each failure becomes a
 * notice that says what went wrong; the text being edited is never dropped.
 */
import type { ScenarioCheck, ScenarioExample } from '../../../../shared/workbench';
import { sendRunCommand, type CallCommand, type RunCaller } from '../run/run-actions';
import type { Busy, ScenarioStore } from './scenario-store';

/** Files the editor opens; any other file is taken for a recording (a bundle). */
export const SCENARIO_FILE = /\.(ya?ml|json)$/i;

export async function refreshLists(call: CallCommand, store: ScenarioStore): Promise<void> {
  const [examples, recent] = await Promise.all([
    call({ type: 'scenario.examples' }),
    call({ type: 'scenario.recent' }),
  ]);
  const failed = [examples, recent].flatMap((r) => (r.ok ? [] : [r.error.message]));
  store.getState().setLists({
    ...(examples.ok ? { examples: examples.value } : {}),
    ...(recent.ok ? { recent: recent.value } : {}),
    listsError: failed.length > 0 ? `Could not list scenarios: ${failed[0]}` : null,
  });
}

async function refreshRecent(call: CallCommand, store: ScenarioStore): Promise<void> {
  const recent = await call({ type: 'scenario.recent' });
  if (recent.ok) store.getState().setLists({ recent: recent.value });
}

export function openExample(store: ScenarioStore, example: ScenarioExample): void {
  store.getState().open({ text: example.text, filePath: null, origin: `example: ${example.id}` });
}

/** Reads the scenario file at `path` into the editor; true when it was read. */
export async function openPath(
  call: CallCommand,
  store: ScenarioStore,
  path: string,
): Promise<boolean> {
  const { setNotice, setBusy } = store.getState();
  const trimmed = path.trim();
  if (trimmed === '') {
    setNotice({ kind: 'error', text: 'Open: give the path of a scenario file (got nothing).' });
    return false;
  }
  setBusy('open');
  const result = await call({ type: 'scenario.read', path: trimmed });
  setBusy(null);
  if (!result.ok) {
    setNotice({ kind: 'error', text: `Could not open ${trimmed}: ${result.error.message}` });
    return false;
  }
  const { path: read, text } = result.value;
  store.getState().open({ text, filePath: read, origin: read });
  void refreshRecent(call, store);
  return true;
}

/** Writes the editor's text to `path` (the engine replaces the file atomically). */
/**
 * Saves the editor's text. `confirmOverwrite` (Save as) is asked before replacing a file
 * the text did not come from; without it the file is replaced.
 */
export async function saveTo(
  call: CallCommand,
  store: ScenarioStore,
  path: string,
  confirmOverwrite?: (path: string) => boolean,
): Promise<void> {
  const { setNotice, setBusy, text } = store.getState();
  const trimmed = path.trim();
  if (trimmed === '') {
    setNotice({ kind: 'error', text: 'Save: give a file path to save to (got nothing).' });
    return;
  }
  setBusy('save');
  let result = await call({
    type: 'scenario.save',
    path: trimmed,
    text,
    ...(confirmOverwrite ? { overwrite: false } : {}),
  });
  if (!result.ok && result.error.code === 'ERR_EXISTS' && confirmOverwrite?.(trimmed)) {
    result = await call({ type: 'scenario.save', path: trimmed, text });
  }
  setBusy(null);
  if (!result.ok) {
    setNotice({ kind: 'error', text: `Could not save ${trimmed}: ${result.error.message}` });
    return;
  }
  store.getState().saved(result.value.path, text);
  setNotice({ kind: 'ok', text: `Saved ${result.value.bytes} bytes to ${result.value.path}.` });
  void refreshRecent(call, store);
}

/** Save: to the file the text belongs to, else to the path field. */
export function savePath(state: { filePath: string | null; pathInput: string }): string {
  return state.filePath ?? state.pathInput;
}

/** Runs the editor's text (replacing what the lab runs now). */
export async function runScenario(call: CallCommand, store: ScenarioStore): Promise<void> {
  const { setNotice, setBusy, text, filePath } = store.getState();
  setBusy('run');
  const result = await call({
    type: 'run.start',
    text,
    ...(filePath !== null ? { path: filePath } : {}),
  });
  setBusy(null);
  if (!result.ok && result.error.code === 'ERR_TIMEOUT') {
    // A big fleet keeps the lab busy while it starts: the run may well be starting.
    setNotice({
      kind: 'error',
      text: `The lab has not answered yet (${result.error.message}) — it may be busy starting a big fleet: the run bar shows whether the run is starting.`,
    });
    return;
  }
  if (!result.ok) {
    setNotice({ kind: 'error', text: `Could not run the scenario: ${result.error.message}` });
    return;
  }
  const { name, seed } = result.value;
  setNotice({ kind: 'ok', text: `Running “${name ?? 'scenario'}” with seed ${String(seed)}.` });
}

/** Checks `text`; the answer is kept only while the editor still holds that text. */
export async function validateText(
  call: CallCommand,
  store: ScenarioStore,
  text: string,
): Promise<void> {
  if (text.trim() === '') {
    store.getState().setCheck(text, null, null);
    return;
  }
  const result = await call({ type: 'scenario.validate', text });
  const state = store.getState();
  if (state.text !== text) return;
  if (result.ok) state.setCheck(text, result.value, null);
  else state.setCheck(text, null, `Could not check the scenario: ${result.error.message}`);
}

/**
 * A file chosen in the menu (or given on the command line): scenario files open in the editor
 * and show the scenario view; anything else is opened as a recording.
 */
export async function openFile(
  path: string,
  deps: RunCaller & { store: ScenarioStore; showView: (id: string) => void },
): Promise<void> {
  if (SCENARIO_FILE.test(path)) {
    deps.showView('scenario');
    await openPath(deps.call, deps.store, path);
    return;
  }
  const opened = await sendRunCommand(deps, { type: 'bundle.open', path }, `Open ${path}`);
  if (opened.ok) deps.showView('recordings');
}

/** Whether Run makes sense: there is text and no open/save/run on its way. */
export function canRun(state: {
  text: string;
  busy: Busy | null;
  check: ScenarioCheck | null;
  checkedText: string | null;
}): boolean {
  // While the text has problems, Run is off (the list says which); a check still under way
  // does not hold it back, the lab checks again on run.start.
  const invalid = state.checkedText === state.text && state.check?.ok === false;
  return state.text.trim() !== '' && state.busy === null && !invalid;
}
