/**
 * The show's lab time and event count, as its last recorded event left them: the same "now"
 * the timeline ends at (selectLabNowMs). No estimate runs ahead between status messages, since
 * that made the run bar and the timeline disagree; the engine sends a status as events arrive.
 */
import { selectLabNowMs, selectRun, useLab } from '../../store';
import { formatLabClock } from '../../../../shared/format';

const UNKNOWN = '--:--:--.---';

export function RunClock() {
  const run = useLab(selectRun);
  const nowMs = useLab(selectLabNowMs);

  return (
    <span className="run-clock">
      <span className="run-time">
        <span data-testid="run-elapsed">{nowMs === null ? UNKNOWN : formatLabClock(nowMs)}</span>
        {run?.durationMs != null && (
          <span className="muted" data-testid="run-duration">
            {' / '}
            {formatLabClock(run.durationMs)}
          </span>
        )}
      </span>
      <span className="run-events" data-testid="run-events">
        {run === null ? '–' : run.events.toLocaleString('en-US')} events
      </span>
    </span>
  );
}
