/**
 * The Recordings view: open a recording (by path or by dropping it), what is shown now with
 * its warning, save and run again, and the diff of two recordings.
 */
import './recordings.css';
import { CurrentRecording } from './CurrentRecording';
import { DiffPanel } from './DiffPanel';
import { OpenRecording } from './OpenRecording';
import { useRecordings } from './recordings-store';
import { useRecordingActions } from './useRecordingActions';

export function RecordingsView() {
  const actions = useRecordingActions();
  const busy = useRecordings((s) => s.busy);
  const error = useRecordings((s) => s.error);
  const notice = useRecordings((s) => s.notice);
  return (
    <main className="view-page recordings-view" data-testid="recordings-view">
      {error !== null && (
        <p className="recordings-error" role="alert" data-testid="recordings-error">
          {error}
        </p>
      )}
      {busy !== null && (
        <p className="muted" role="status" data-testid="recordings-busy">
          {busy}
        </p>
      )}
      {notice !== null && (
        <p className="recordings-notice" role="status" data-testid="recordings-notice">
          {notice}
        </p>
      )}
      <div className="recordings-columns">
        <OpenRecording actions={actions} />
        <CurrentRecording actions={actions} />
      </div>
      <DiffPanel actions={actions} />
    </main>
  );
}
