/**
 * The scrubber's geometry, pure: lab time ↔ x on the track, how many density buckets a
 * track width asks for, and where a one-event step lands.
 */
import { TIMELINE_BUCKETS_MAX } from '../../../../shared/workbench';

/** The recorded span drawn across a track `width` CSS pixels wide. */
export interface TimeScale {
  firstT: number;
  lastT: number;
  width: number;
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** The x (0…width) of lab time `t`; a span of no length puts everything at its end. */
export function timeToX(scale: TimeScale, t: number): number {
  const span = scale.lastT - scale.firstT;
  if (span <= 0) return t < scale.firstT ? 0 : scale.width;
  return clamp(((t - scale.firstT) / span) * scale.width, 0, scale.width);
}

/** The lab time at x (clamped to the recorded span). */
export function xToTime(scale: TimeScale, x: number): number {
  if (scale.width <= 0) return scale.lastT;
  const span = scale.lastT - scale.firstT;
  return scale.firstT + clamp(x / scale.width, 0, 1) * span;
}

/** Density buckets for a track this wide: one per whole pixel, within the contract's bound. */
export function bucketCount(width: number): number {
  return clamp(Math.floor(width), 1, TIMELINE_BUCKETS_MAX);
}

/** The seq one event from `current` in `direction`, or null at either end of first…last. */
export function stepSeq(
  current: number,
  direction: 1 | -1,
  firstSeq: number,
  lastSeq: number,
): number | null {
  const next = clamp(current + direction, firstSeq, lastSeq);
  return next === current ? null : next;
}
