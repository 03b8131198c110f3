/** Opens a recording (a run bundle or a trace) by its name in the recordings folder. */
import { useState } from 'react';
import { useRecordings } from './recordings-store';
import type { RecordingActions } from './useRecordingActions';

export function OpenRecording({ actions }: { actions: RecordingActions }) {
  const [path, setPath] = useState('');
  const busy = useRecordings((s) => s.busy !== null);
  return (
    <section className="panel" aria-labelledby="recordings-open-title">
      <h2 id="recordings-open-title">Open a recording</h2>
      <form
        className="recordings-form"
        onSubmit={(e) => {
          e.preventDefault();
          void actions.open(path);
        }}
      >
        <input
          type="text"
          className="recordings-path"
          placeholder="name.jsonl.gz (in the recordings folder)"
          aria-label="Name of the recording to open, in the recordings folder"
          data-testid="bundle-path"
          value={path}
          onChange={(e) => setPath(e.target.value)}
        />
        <button type="submit" className="tool-button" data-testid="bundle-open" disabled={busy}>
          Open
        </button>
      </form>
      <p className="muted">
        Or drop a recording anywhere on the window (it is uploaded). It replaces what the lab shows;
        the timeline below the views then travels through it.
      </p>
    </section>
  );
}
