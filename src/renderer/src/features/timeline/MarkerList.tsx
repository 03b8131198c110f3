/**
 * The marker list beside the timeline: violations, outages, expiries, replacements and
 * receipts with the engine's sentence, lab time and seq, paged from the lab (`markers`), with
 * filters by kind and text. A row travels there (click or Enter); "flows" also selects its
 * message and shows the Flows view. ↑/↓, Home/End and Page keys move between rows.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { formatCount, formatLabOffset } from '../../../../shared/format';
import type {
  ListedMarker,
  MarkerKind,
  MarkerPage,
  TimelineInfo,
} from '../../../../shared/workbench';
import { selectActions, useLab } from '../../store';
import {
  ALL_KINDS,
  appendPage,
  atEnd,
  EMPTY_LIST,
  markersCommand,
  rowAfterKey,
  type MarkerFilter,
  type MarkerListState,
} from './marker-list';
import { MARKER_KINDS, MARKER_STYLE } from './markers';

interface Props {
  info: TimelineInfo | null;
  /** Lab time 0: the run's first event. */
  originT: number;
  /** The seq the views show. */
  shownSeq: number;
  onTravel(seq: number): void;
}

export function MarkerList({ info, originT, shownSeq, onTravel }: Props) {
  const { call, selectMessage, showView } = useLab(selectActions);
  const epoch = useLab((s) => s.run?.epoch ?? null);
  const [filter, setFilter] = useState<MarkerFilter>({ kinds: ALL_KINDS, text: '' });
  const [list, setList] = useState<MarkerListState>(EMPTY_LIST);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const rows = useRef<(HTMLLIElement | null)[]>([]);
  // The list as last set, for fetches that add to it.
  const current = useRef(list);
  current.current = list;
  const total = info === null ? 0 : MARKER_KINDS.reduce((n, k) => n + info.markerCounts[k], 0);

  // Grows with each new lab or filter: an answer asked for before is dropped.
  const generation = useRef(0);

  const fetchPage = async (after: number, base: MarkerListState) => {
    const command = markersCommand(filter, after);
    if (command === null) {
      setList(EMPTY_LIST);
      return;
    }
    const asked = generation.current;
    setLoading(true);
    const result = await call(command);
    if (asked !== generation.current) return;
    setLoading(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    const page = result.value as MarkerPage;
    if (page.epoch !== epoch) return;
    setError(null);
    setList(appendPage(base, page));
  };

  // A new lab or new filters: from the first page again.
  useEffect(() => {
    generation.current += 1;
    setList(EMPTY_LIST);
    current.current = EMPTY_LIST;
    // Typing in the text filter asks once it pauses.
    const timer = setTimeout(() => void fetchPage(-1, EMPTY_LIST), 150);
    return () => clearTimeout(timer);
    // fetchPage reads the filter and epoch named here.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [epoch, filter]);

  // A growing lab: when the list holds all that matched, what came since is added after it.
  useEffect(() => {
    const held = current.current;
    if (!atEnd(held) || held.markers.length === 0) return;
    void fetchPage(held.markers[held.markers.length - 1]!.seq, held);
    // Only a change in how many markers there are asks again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [total]);

  const toggle = (kind: MarkerKind) => {
    const kinds = new Set(filter.kinds);
    if (kinds.has(kind)) kinds.delete(kind);
    else kinds.add(kind);
    setFilter({ ...filter, kinds });
  };

  const showInFlows = (m: ListedMarker) => {
    if (m.messageId === null) return;
    onTravel(m.seq);
    selectMessage(m.messageId);
    showView('flows');
  };

  const onKey = (e: KeyboardEvent, i: number, m: ListedMarker) => {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      onTravel(m.seq);
      return;
    }
    if (e.key === 'f' && m.messageId !== null) {
      e.preventDefault();
      showInFlows(m);
      return;
    }
    const to = rowAfterKey(e.key, i, list.markers.length);
    if (to === null) return;
    e.preventDefault();
    rows.current[to]?.focus();
  };

  return (
    <section className="marker-list" data-testid="marker-list" aria-label="Marker list">
      <div className="marker-filters" role="group" aria-label="Marker filters">
        {MARKER_KINDS.map((kind) => (
          <label key={kind} className="marker-kind">
            <input
              type="checkbox"
              data-testid={`marker-filter-${kind}`}
              checked={filter.kinds.has(kind)}
              onChange={() => toggle(kind)}
            />
            <span
              className="timeline-swatch"
              style={{ background: `var(${MARKER_STYLE[kind].color})` }}
            />
            {MARKER_STYLE[kind].label}
          </label>
        ))}
        <input
          type="search"
          className="marker-text"
          data-testid="marker-filter-text"
          aria-label="Markers containing"
          placeholder="containing… (a message, a link)"
          maxLength={200}
          value={filter.text}
          onChange={(e) => setFilter({ ...filter, text: e.target.value })}
        />
        <span className="marker-count" data-testid="marker-count" role="status">
          {loading && list.markers.length === 0
            ? 'loading…'
            : `${formatCount(list.markers.length)} of ${formatCount(list.matched)} listed`}
        </span>
      </div>
      {error !== null && (
        <p className="timeline-note" role="alert" data-testid="marker-error">
          The markers are not available: {error}
        </p>
      )}
      {list.markers.length === 0 && !loading && error === null ? (
        <p className="muted marker-empty" data-testid="marker-empty">
          {filter.kinds.size === 0
            ? 'Tick a kind to list its markers.'
            : total === 0
              ? 'No markers yet: outages, expiries, replacements, receipts and violations appear here.'
              : 'No marker matches these filters.'}
        </p>
      ) : (
        <ol className="marker-rows" aria-label="Markers, oldest first">
          {list.markers.map((m, i) => (
            <li
              key={m.seq}
              ref={(el) => {
                rows.current[i] = el;
              }}
              className="marker-row"
              data-testid="marker-row"
              data-kind={m.kind}
              data-seq={m.seq}
              data-current={m.seq === shownSeq || undefined}
              tabIndex={i === 0 ? 0 : -1}
              title="Enter: travel here · f: show in flows"
              onKeyDown={(e) => onKey(e, i, m)}
              onClick={() => onTravel(m.seq)}
            >
              <span
                className="timeline-swatch"
                style={{ background: `var(${MARKER_STYLE[m.kind].color})` }}
                aria-label={m.kind}
              />
              <span className="marker-time">{formatLabOffset(m.t - originT)}</span>
              <span className="marker-seq">seq {m.seq}</span>
              <span className="marker-label" data-testid="marker-label">
                {m.label}
              </span>
              <span className="marker-actions">
                <button
                  type="button"
                  className="tool-button"
                  data-testid="marker-travel"
                  tabIndex={-1}
                  onClick={(e) => {
                    e.stopPropagation();
                    onTravel(m.seq);
                  }}
                >
                  travel here
                </button>
                <button
                  type="button"
                  className="tool-button"
                  data-testid="marker-flows"
                  tabIndex={-1}
                  disabled={m.messageId === null}
                  title={
                    m.messageId === null
                      ? 'A link marker names no message'
                      : `Select message ${m.messageId} and show it in Flows`
                  }
                  onClick={(e) => {
                    e.stopPropagation();
                    showInFlows(m);
                  }}
                >
                  show in flows
                </button>
              </span>
            </li>
          ))}
        </ol>
      )}
      {list.next !== null && (
        <button
          type="button"
          className="tool-button"
          data-testid="marker-more"
          disabled={loading}
          onClick={() => void fetchPage(list.next!, list)}
        >
          more markers
        </button>
      )}
    </section>
  );
}
