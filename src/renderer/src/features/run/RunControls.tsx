/**
 * The always-visible run bar: what the lab shows (sandbox, a scenario run or a recording),
 * its state, seed, elapsed lab time and events, and the controls that make sense now.
 */
import { useShallow } from 'zustand/react/shallow';
import { SPEED_CHOICES, type RunStatus } from '../../../../shared/workbench';
import { selectActions, selectStatus, useFeatureStore, useLab } from '../../store';
import { RunClock } from './RunClock';
import { formatSpeed, speedOptions } from './format';
import {
  performRunAction,
  runNoticeFeature,
  sendRunCommand,
  useRunNotice,
  type RunCaller,
} from './run-actions';
import { enabledControls, type RunAction } from './run-commands';
import { shownRunState, startingShare, startingText } from './run-state';
import './run-controls.css';

/** Everything the bar shows except what changes with time alone (RunClock shows that). */
type RunView = Omit<RunStatus, 'elapsedMs' | 'events'>;

function selectRunView(state: { run: RunStatus | null }): RunView | null {
  if (state.run === null) return null;
  const { elapsedMs: _elapsed, events: _events, ...view } = state.run;
  return view;
}

const BUTTONS: readonly {
  action: Exclude<RunAction, 'pause-resume'>;
  label: string;
  title: string;
}[] = [
  { action: 'rerun', label: 'Run again', title: 'Run the same scenario again with its seed' },
  { action: 'pause', label: 'Pause', title: 'Pause the run (Space)' },
  { action: 'resume', label: 'Resume', title: 'Resume the run (Space)' },
  { action: 'step', label: 'Step', title: 'Run the next timer of the virtual clock, then pause' },
  { action: 'stop', label: 'Stop', title: 'Stop the run here' },
  { action: 'sandbox', label: 'Sandbox', title: 'Back to the default live lab' },
];

export function RunControls() {
  const run = useLab(useShallow(selectRunView));
  const { call } = useLab(selectActions);
  const noticeStore = useFeatureStore(runNoticeFeature);
  const caller: RunCaller = { call, notice: noticeStore };
  const notice = useRunNotice();
  const connection = useLab(selectStatus);
  // Without the lab nothing can be asked of it, and what it does now is not known.
  const enabled = enabledControls(connection === 'open' ? run : null);
  const shown = shownRunState(run?.state ?? null, connection);
  const starting = connection === 'open' && run?.state === 'starting' ? run.starting : null;
  const speeds = speedOptions(SPEED_CHOICES, run?.speed ?? null);

  return (
    <section className="run-controls" data-testid="run-controls" aria-label="Run">
      <div className="run-facts">
        <span className={`run-mode run-mode-${run?.mode ?? 'none'}`} data-testid="run-mode">
          {run?.mode ?? '…'}
        </span>
        <span className="run-name" data-testid="run-name" title={run?.path ?? undefined}>
          {run === null ? 'connecting' : (run.name ?? 'Live lab')}
        </span>
        <span
          className={`run-state run-state-${shown.state}`}
          data-testid="run-state"
          data-state={shown.state}
          title={shown.title}
        >
          {shown.label}
        </span>
        {starting != null && (
          // A big fleet takes seconds to start: how far it has come (Stop cancels it).
          <span className="run-starting" data-testid="run-starting">
            <progress max={1} value={startingShare(starting)} aria-label="Starting the fleet" />
            {startingText(starting)}
          </span>
        )}
        {typeof run?.indexing === 'number' && (
          // A recording still being read: the scrubber reaches what is indexed so far.
          <progress
            className="run-indexing"
            data-testid="run-indexing"
            max={1}
            value={run.indexing}
            aria-label="Indexing the recording"
            title={`Indexing the recording: ${Math.floor(run.indexing * 100)} % read (Sandbox stops reading it)`}
          />
        )}
        <span className="run-seed">
          seed <code data-testid="run-seed">{run?.seed ?? '–'}</code>
        </span>
        <RunClock />
      </div>
      <div className="run-buttons">
        {BUTTONS.map(({ action, label, title }) => (
          <button
            key={action}
            type="button"
            title={title}
            data-testid={`run-${action}`}
            disabled={!enabled[action]}
            onClick={() => performRunAction(action, run, caller)}
          >
            {label}
          </button>
        ))}
        <label
          className="run-speed"
          title="Simulated time per real time (max: as fast as possible)"
        >
          speed
          <select
            data-testid="run-speed"
            disabled={!enabled.speed}
            value={String(run?.speed ?? 1)}
            onChange={(e) =>
              void sendRunCommand(
                caller,
                { type: 'run.speed', speed: Number(e.target.value) },
                'Speed',
              )
            }
          >
            {speeds.map((speed) => (
              <option key={speed} value={String(speed)}>
                {formatSpeed(speed)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {run?.error && (
        <p className="run-message run-error" role="alert" data-testid="run-error">
          {run.error}
        </p>
      )}
      {run?.warning && (
        <p className="run-message run-warning" data-testid="run-warning">
          {run.warning}
        </p>
      )}
      {notice !== null && (
        <p className="run-message run-error" role="alert" data-testid="run-notice">
          {notice}{' '}
          <button
            type="button"
            className="link"
            aria-label="Dismiss"
            onClick={() => noticeStore.getState().clear()}
          >
            ×
          </button>
        </p>
      )}
    </section>
  );
}
