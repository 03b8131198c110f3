/**
 * Above the editor: what is open (and whether it has unsaved edits), the path field with
 * Open / Save / Save as, Run, and what the last of them said.
 */
import { selectActions, useFeatureStore, useLab } from '../../store';
import { canRun, openPath, runScenario, saveTo } from './scenario-commands';
import { isDirty, scenarioFeature, useScenario } from './scenario-store';

export function ScenarioToolbar() {
  const { call } = useLab(selectActions);
  const origin = useScenario((s) => s.origin);
  const dirty = useScenario(isDirty);
  const filePath = useScenario((s) => s.filePath);
  const pathInput = useScenario((s) => s.pathInput);
  const busy = useScenario((s) => s.busy);
  const runnable = useScenario(canRun);
  const notice = useScenario((s) => s.notice);
  const pending = useScenario((s) => s.pending);
  const store = useFeatureStore(scenarioFeature);
  return (
    <div className="scenario-toolbar">
      <h2 className="scenario-title">
        <span data-testid="scenario-origin">{origin ?? 'New scenario'}</span>
        {dirty && (
          <span className="scenario-dirty" data-testid="scenario-dirty" title="Unsaved edits">
            ● unsaved
          </span>
        )}
      </h2>
      <form
        className="scenario-file"
        onSubmit={(e) => {
          e.preventDefault();
          void openPath(call, store, pathInput);
        }}
      >
        <input
          type="text"
          data-testid="scenario-path"
          aria-label="Scenario file name in the workspace"
          title="A file in the workspace folder (e.g. commute.yaml); other files open from the File menu or the command line"
          placeholder="name.yaml (in the workspace)"
          value={pathInput}
          onChange={(e) => store.getState().setPathInput(e.target.value)}
        />
        <button type="submit" data-testid="scenario-open" disabled={busy !== null}>
          Open
        </button>
        <button
          type="button"
          data-testid="scenario-save"
          disabled={busy !== null || filePath === null}
          title={filePath === null ? 'Not a file yet: use Save as' : `Save to ${filePath}`}
          onClick={() => filePath !== null && void saveTo(call, store, filePath)}
        >
          Save
        </button>
        <button
          type="button"
          data-testid="scenario-save-as"
          disabled={busy !== null}
          title="Save to the path in the field"
          onClick={() =>
            void saveTo(call, store, pathInput, (path) =>
              window.confirm(`${path} exists. Save over it?`),
            )
          }
        >
          Save as
        </button>
        <button
          type="button"
          className="primary"
          data-testid="scenario-run"
          disabled={!runnable}
          onClick={() => void runScenario(call, store)}
        >
          Run
        </button>
      </form>
      {pending !== null && (
        <p className="scenario-pending" role="alert" data-testid="scenario-pending">
          Opening {pending.origin} replaces your unsaved edits.{' '}
          <button type="button" onClick={() => store.getState().acceptPending()}>
            Replace them
          </button>{' '}
          <button type="button" onClick={() => store.getState().dropPending()}>
            Keep editing
          </button>
        </p>
      )}
      {notice !== null && (
        <p
          className={`scenario-notice scenario-notice-${notice.kind}`}
          role={notice.kind === 'error' ? 'alert' : 'status'}
          data-testid="scenario-notice"
        >
          {notice.text}
        </p>
      )}
    </div>
  );
}
