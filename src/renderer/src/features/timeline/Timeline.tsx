/**
 * The timeline scrubber under the views, shown whenever the lab has recorded events: event
 * density and markers over the whole run, a playhead at the moment every view shows, and
 * the controls to travel (step, markers, violations, the selected message, play, live).
 */
import './timeline.css';
import { useRef, useState } from 'react';
import { formatLabTime } from '../../../../shared/format';
import {
  selectActions,
  selectLabNowMs,
  selectRun,
  selectSelectedMessageId,
  useLab,
} from '../../store';
import { MarkerList } from './MarkerList';
import { TimelineControls } from './TimelineControls';
import { TimelineLegend } from './TimelineLegend';
import { TimelineTrack } from './TimelineTrack';
import { useElementWidth } from './useElementWidth';
import { usePlayback } from './usePlayback';
import { useTimelineInfo } from './useTimelineInfo';
import { useTravelNav } from './useTravelNav';

export function Timeline() {
  const recorded = useLab((s) => (selectRun(s)?.events ?? 0) > 0);
  return recorded ? <TimelineBar /> : null;
}

function TimelineBar() {
  const trackRef = useRef<HTMLDivElement>(null);
  const width = useElementWidth(trackRef);
  const { info, error } = useTimelineInfo(width);
  const live = useLab((s) => s.run?.mode !== 'replay');
  const events = useLab((s) => s.run?.events ?? 0);
  const travel = useLab((s) => s.travel);
  const liveSeq = useLab((s) => s.liveModel.seq);
  const nowMs = useLab(selectLabNowMs) ?? 0;
  const startT = useLab((s) => s.liveModel.startT);
  const hasMessage = useLab((s) => selectSelectedMessageId(s) !== null);
  const { returnToLive } = useLab(selectActions);
  const [listOpen, setListOpen] = useState(false);

  const firstSeq = info?.firstSeq ?? 1;
  const lastSeq = Math.max(events, liveSeq, info?.lastSeq ?? 0);
  const nav = useTravelNav(firstSeq, lastSeq);
  const playback = usePlayback(info, live);

  const originT = info?.firstT ?? startT ?? 0;
  // "now" is the lab's, as the run bar shows it; a travelled moment is measured from the same origin.
  const shownMs = travel === null ? nowMs : travel.t - originT;
  const moment = `${formatLabTime(shownMs)} / ${formatLabTime(nowMs)}`;
  const position = `seq ${nav.seq} / ${lastSeq}`;

  return (
    <section className="timeline panel" data-testid="timeline" aria-label="Timeline">
      <div className="timeline-head">
        <TimelineControls
          nav={nav}
          playback={playback}
          atNow={travel === null}
          hasMessage={hasMessage}
          canGoLive={live && travel !== null}
          onLive={returnToLive}
        />
        <span
          className="timeline-position"
          data-testid="timeline-position"
          data-seq={nav.seq}
          data-travelling={travel !== null}
        >
          {travel === null ? <strong>now</strong> : <strong>travelling</strong>} {moment} ·{' '}
          {position}
        </span>
      </div>
      <div ref={trackRef}>
        <TimelineTrack
          info={info}
          width={width}
          shownT={travel?.t ?? null}
          seq={nav.seq}
          firstSeq={firstSeq}
          lastSeq={lastSeq}
          valueText={`${position}, ${moment}`}
          onTravel={nav.go}
          onStep={(direction) => {
            playback.stop();
            nav.step(direction);
          }}
          onGrab={playback.stop}
        />
      </div>
      <div className="timeline-foot">
        <TimelineLegend counts={info?.markerCounts ?? null} />
        <button
          type="button"
          className="tool-button"
          data-testid="marker-list-toggle"
          aria-expanded={listOpen}
          onClick={() => setListOpen(!listOpen)}
        >
          {listOpen ? 'Hide the marker list' : 'Marker list'}
        </button>
        {(nav.note ?? error) !== null && (
          <span className="timeline-note" role="status" data-testid="timeline-note">
            {nav.note ?? `The timeline is not available: ${error}`}
          </span>
        )}
      </div>
      {listOpen && (
        <MarkerList
          info={info}
          originT={originT}
          shownSeq={nav.seq}
          onTravel={(seq) => {
            playback.stop();
            nav.go(seq);
          }}
        />
      )}
    </section>
  );
}
