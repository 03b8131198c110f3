/**
 * What the lab shows now (its name, mode, events, seed), any warning about it (a cut bundle
 * opened up to its last intact event), and saving it as a bundle or running it again.
 */
import { useState } from 'react';
import { formatCount } from '../../../../shared/format';
import { selectRun, useLab } from '../../store';
import { useRecordings } from './recordings-store';
import type { RecordingActions } from './useRecordingActions';

const MODE_TEXT = { sandbox: 'Sandbox lab', run: 'Scenario run', replay: 'Recording' } as const;

export function CurrentRecording({ actions }: { actions: RecordingActions }) {
  const run = useLab(selectRun);
  const busy = useRecordings((s) => s.busy !== null);
  const [path, setPath] = useState('');
  if (run === null) return null;
  return (
    <section className="panel" aria-labelledby="recordings-current-title">
      <h2 id="recordings-current-title">
        {MODE_TEXT[run.mode]}{' '}
        {run.name !== null && <code data-testid="recording-name">{run.name}</code>}
      </h2>
      {run.warning !== null && (
        <p className="recordings-warning" role="alert" data-testid="bundle-warning">
          ⚠ {run.warning}
        </p>
      )}
      <dl className="recordings-facts">
        <dt>events</dt>
        <dd data-testid="recording-events">{formatCount(run.events)}</dd>
        <dt>state</dt>
        <dd>{run.state}</dd>
        <dt>seed</dt>
        <dd>{run.seed === null ? '—' : String(run.seed)}</dd>
        <dt>clock</dt>
        <dd>{run.clockMode}</dd>
      </dl>
      <form
        className="recordings-form"
        onSubmit={(e) => {
          e.preventDefault();
          void actions.save(path);
        }}
      >
        <input
          type="text"
          className="recordings-path"
          placeholder="name.jsonl.gz (in the recordings folder)"
          aria-label="Name to save the recording as, in the recordings folder"
          data-testid="bundle-save-path"
          value={path}
          onChange={(e) => setPath(e.target.value)}
        />
        <button
          type="submit"
          className="tool-button"
          data-testid="bundle-save"
          disabled={busy || !run.canSave}
          title={run.canSave ? 'Save as a run bundle' : 'This lab has nothing to save as a bundle'}
        >
          Save recording
        </button>
        <button
          type="button"
          className="tool-button"
          data-testid="bundle-rerun"
          disabled={busy || !run.canRerun}
          title={run.canRerun ? 'Run the scenario again with its seed' : 'No scenario to run again'}
          onClick={() => void actions.rerun()}
        >
          Run again
        </button>
      </form>
    </section>
  );
}
