/**
 * The scrubber's buttons: step, previous/next marker, next violation, next event of the
 * selected message, play/pause with its speed, and back to live.
 */
import type { Playback } from './usePlayback';
import type { TravelNav } from './useTravelNav';
import { PLAY_SPEEDS } from './play';

interface Props {
  nav: TravelNav;
  playback: Playback;
  /** At "now" (not travelling): nothing lies ahead. */
  atNow: boolean;
  hasMessage: boolean;
  /** Shows the Live button (travelling in a live lab). */
  canGoLive: boolean;
  onLive(): void;
}

export function TimelineControls({ nav, playback, atNow, hasMessage, canGoLive, onLive }: Props) {
  // Any move by hand ends playback first.
  const by = (move: () => void) => () => {
    playback.stop();
    move();
  };
  const ahead = !atNow && nav.seq < nav.lastSeq;
  return (
    <div className="timeline-controls" role="group" aria-label="Timeline controls">
      <button
        type="button"
        className="tool-button"
        title="Previous marker"
        data-testid="timeline-prev-marker"
        onClick={by(() => nav.find('marker', -1))}
      >
        « marker
      </button>
      <button
        type="button"
        className="tool-button"
        title="One event back (←)"
        data-testid="timeline-step-back"
        disabled={nav.seq <= nav.firstSeq}
        onClick={by(() => nav.step(-1))}
      >
        ◀ step
      </button>
      <button
        type="button"
        className="tool-button timeline-play"
        aria-pressed={playback.playing}
        data-testid="timeline-play"
        onClick={playback.toggle}
      >
        {playback.playing ? '❚❚ Pause' : '▶ Play'}
      </button>
      <select
        className="tool-select"
        aria-label="Playback speed (lab time per real time)"
        data-testid="timeline-speed"
        value={playback.speed}
        onChange={(e) => playback.setSpeed(Number(e.target.value))}
      >
        {PLAY_SPEEDS.map((speed) => (
          <option key={speed} value={speed}>
            ×{speed}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="tool-button"
        title="One event forward (→)"
        data-testid="timeline-step-forward"
        disabled={!ahead}
        onClick={by(() => nav.step(1))}
      >
        step ▶
      </button>
      <button
        type="button"
        className="tool-button"
        title="Next marker (from now: the first)"
        data-testid="timeline-next-marker"
        onClick={by(() => nav.find('marker', 1))}
      >
        marker »
      </button>
      <button
        type="button"
        className="tool-button"
        title="Next invariant violation (from now: the first)"
        data-testid="timeline-next-violation"
        onClick={by(() => nav.find('violation', 1))}
      >
        next violation
      </button>
      <button
        type="button"
        className="tool-button"
        title={hasMessage ? 'Next event of the selected message' : 'Select a message first'}
        data-testid="timeline-next-message"
        disabled={!hasMessage}
        onClick={by(() => nav.find('message', 1))}
      >
        next of message
      </button>
      {canGoLive && (
        <button
          type="button"
          className="tool-button timeline-live"
          data-testid="timeline-live"
          onClick={by(onLive)}
        >
          Live
        </button>
      )}
    </div>
  );
}
