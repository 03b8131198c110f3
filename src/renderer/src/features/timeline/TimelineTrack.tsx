/**
 * The scrubber itself: the density-and-markers canvas with the playhead over it. Press or
 * drag anywhere to travel to that moment (on a marker: to its event); ←/→ step one event
 * while it has focus.
 */
import { useEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import type { TimelineInfo } from '../../../../shared/workbench';
import type { TravelTarget } from '../../store/lab-store';
import { useSettings } from '../settings/settings-store';
import { CANVAS_HEIGHT, drawTimeline, MARKER_BAND, themeColors } from './draw';
import { hitMarker, layoutMarkers } from './markers';
import { timeToX, xToTime } from './scale';

interface Props {
  info: TimelineInfo | null;
  width: number;
  /** The moment shown, or null for "now" (the end). */
  shownT: number | null;
  seq: number;
  firstSeq: number;
  lastSeq: number;
  /** Spoken by screen readers for the position. */
  valueText: string;
  onTravel(to: TravelTarget): void;
  onStep(direction: 1 | -1): void;
  /** The user took hold of the playhead (playback stops). */
  onGrab(): void;
}

export function TimelineTrack(props: Props) {
  const { info, width, shownT, onTravel } = props;
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const theme = useSettings((s) => s.theme);
  const [hover, setHover] = useState<string | null>(null);
  const scale = useMemo(
    () => (info ? { firstT: info.firstT, lastT: info.lastT, width } : null),
    [info, width],
  );
  const placed = useMemo(
    () => (info && scale ? layoutMarkers(info.markers, scale) : []),
    [info, scale],
  );

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || !info || width <= 0) return;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(CANVAS_HEIGHT * ratio);
    drawTimeline(ctx, info, width, ratio, themeColors(canvas.parentElement ?? canvas));
  }, [info, width, theme]);

  const at = (e: PointerEvent<HTMLDivElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  };
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (!scale || e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    props.onGrab();
    const { x, y } = at(e);
    const marker = hitMarker(placed, x, y, MARKER_BAND);
    onTravel(marker ? marker.seq : { t: xToTime(scale, x) });
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!scale) return;
    const { x, y } = at(e);
    if (e.currentTarget.hasPointerCapture(e.pointerId)) onTravel({ t: xToTime(scale, x) });
    else setHover(hitMarker(placed, x, y, MARKER_BAND)?.label ?? null);
  };

  return (
    <div
      className="timeline-track"
      role="slider"
      tabIndex={0}
      aria-label="Timeline position"
      aria-valuemin={props.firstSeq}
      aria-valuemax={props.lastSeq}
      aria-valuenow={props.seq}
      aria-valuetext={props.valueText}
      title={hover ?? undefined}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerLeave={() => setHover(null)}
      onKeyDown={(e) => {
        if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
        e.preventDefault();
        props.onStep(e.key === 'ArrowLeft' ? -1 : 1);
      }}
    >
      <canvas ref={canvasRef} data-testid="timeline-canvas" style={{ height: CANVAS_HEIGHT }} />
      {scale && (
        <div
          className="timeline-playhead"
          data-testid="timeline-playhead"
          style={{ left: shownT === null ? width : timeToX(scale, shownT) }}
        />
      )}
    </div>
  );
}
