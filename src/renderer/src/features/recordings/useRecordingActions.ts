/**
 * What the Recordings view (and a file dropped anywhere) can do: open a bundle by path or
 * upload its bytes, save what runs as a bundle, run it again, diff two recordings. Each
 * outcome lands in the recordings store as one sentence.
 */
import type { Command, ResultOf } from '../../../../shared/commands';
import { formatBytes } from '../../../../shared/format';
import { selectActions, useFeatureStore, useLab } from '../../store';
import { recordingsFeature } from './recordings-store';
import { uploadProblem, uploadRecording } from './upload';

export interface RecordingActions {
  open(path: string): Promise<void>;
  /**
   * Opens a dropped file by uploading its bytes, in Electron too: the renderer never hands
   * the engine a path it would have to trust (docs/security.md).
   */
  openFile(file: File): Promise<void>;
  save(path: string): Promise<void>;
  rerun(): Promise<void>;
  diff(a: string, b: string): Promise<void>;
}

export function useRecordingActions(): RecordingActions {
  const { call } = useLab(selectActions);
  const recordingsStore = useFeatureStore(recordingsFeature);
  const report = (patch: { error?: string | null; notice?: string | null }) =>
    recordingsStore.setState({ busy: null, error: null, notice: null, ...patch });

  /** Runs one command; `done` turns its value into the notice. */
  const perform = async <C extends Command>(
    busy: string,
    command: C,
    done: (value: ResultOf<C>) => string | null,
  ): Promise<void> => {
    recordingsStore.setState({ busy, error: null, notice: null });
    const result = await call(command);
    if (result.ok) report({ notice: done(result.value) });
    else report({ error: result.error.message });
  };
  const needPath = (path: string, what: string): string | null => {
    const trimmed = path.trim();
    if (trimmed === '') report({ error: `Give the path of ${what}.` });
    return trimmed === '' ? null : trimmed;
  };

  const open = async (path: string) => {
    const file = needPath(path, 'a recording to open');
    if (file === null) return;
    await perform(
      `Opening ${file}…`,
      { type: 'bundle.open', path: file },
      (run) => `Opened ${run.name ?? file}: ${run.events} events.`,
    );
  };

  return {
    open,
    openFile: async (file) => {
      const problem = uploadProblem(file.name, file.size);
      if (problem !== null) return report({ error: problem });
      recordingsStore.setState({ busy: `Uploading ${file.name}…`, error: null, notice: null });
      const result = await uploadRecording(call, file);
      if (result.ok) {
        report({
          notice: `Opened ${result.value.name ?? file.name}: ${result.value.events} events.`,
        });
      } else report({ error: result.error.message });
    },
    save: async (path) => {
      const file = needPath(path, 'the file to save the recording to');
      if (file === null) return;
      await perform(
        `Saving to ${file}…`,
        { type: 'bundle.save', path: file },
        (saved) => `Saved ${saved.events} events (${formatBytes(saved.bytes)}) to ${saved.path}.`,
      );
    },
    rerun: () =>
      perform(
        'Starting the run again…',
        { type: 'bundle.rerun' },
        (run) => `Running ${run.name ?? 'the recording'} again with seed ${String(run.seed)}.`,
      ),
    diff: async (a, b) => {
      const first = needPath(a, 'recording A');
      const second = first === null ? null : needPath(b, 'recording B');
      if (first === null || second === null) return;
      recordingsStore.setState({ diff: null });
      await perform('Comparing…', { type: 'bundle.diff', a: first, b: second }, (diff) => {
        recordingsStore.setState({ diff });
        return null;
      });
    },
  };
}
