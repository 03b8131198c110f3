import type { RefObject } from 'react';
import type { LabEvent } from '../../../../shared/events';
import { selectModelSeq, useLab } from '../../store';
import { countNewer, KIND_GROUPS } from './filters';
import { useLogUi } from './log-state';

interface Props {
  searchRef: RefObject<HTMLInputElement | null>;
  shown: number;
  total: number;
  /** The live list, captured when pausing. */
  liveEvents: readonly LabEvent[];
}

/** Kind chips, actor and text filters, pause/resume and counts. */
export function LogToolbar({ searchRef, shown, total, liveEvents }: Props) {
  const ui = useLogUi();
  const seq = useLab(selectModelSeq);
  return (
    <div className="log-toolbar">
      <div className="log-chips" role="group" aria-label="Event kinds">
        <button
          type="button"
          className="chip"
          aria-pressed={ui.groups.size === 0}
          data-testid="log-kind-all"
          onClick={ui.clearGroups}
        >
          all
        </button>
        {KIND_GROUPS.map((g) => (
          <button
            key={g}
            type="button"
            className="chip"
            aria-pressed={ui.groups.has(g)}
            data-testid={`log-kind-${g}`}
            onClick={() => ui.toggleGroup(g)}
          >
            {g}
          </button>
        ))}
      </div>
      <div className="log-controls">
        <input
          type="text"
          className="log-input"
          placeholder="Actor id…"
          aria-label="Filter by actor id"
          data-testid="log-actor"
          value={ui.actor}
          onChange={(e) => ui.setActor(e.target.value)}
        />
        <input
          ref={searchRef}
          type="search"
          className="log-input log-search"
          placeholder="Search events (press /)"
          aria-label="Search events"
          data-testid="log-search"
          value={ui.text}
          onChange={(e) => ui.setText(e.target.value)}
        />
        <button
          type="button"
          className="log-pause"
          data-testid="log-pause"
          aria-pressed={ui.paused !== null}
          onClick={() => (ui.paused ? ui.resume() : ui.pause(liveEvents, seq))}
        >
          {ui.paused ? 'Resume' : 'Pause'}
        </button>
        {ui.paused && (
          <span className="log-paused" data-testid="log-new-count">
            Paused · {countNewer(ui.paused.seq, seq)} new
          </span>
        )}
        <span className="count" data-testid="log-count">
          {shown === total ? `${total} events` : `${shown} of ${total} events`}
        </span>
      </div>
    </div>
  );
}
