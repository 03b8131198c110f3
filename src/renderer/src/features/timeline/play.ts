/**
 * Playback, pure: the speeds offered (lab milliseconds per real millisecond), where playing
 * starts, and how far one animation frame moves the moment shown.
 */

export const PLAY_SPEEDS: readonly number[] = [0.5, 1, 2, 5, 10, 100];
export const DEFAULT_PLAY_SPEED = 10;
/** A longer gap between frames (a hidden tab, a busy machine) counts as this much. */
export const FRAME_GAP_MAX_MS = 250;

/** Playing starts where the views are, or from the beginning when they are at the end. */
export function playStart(currentT: number | null, firstT: number, lastT: number): number {
  return currentT === null || currentT >= lastT ? firstT : Math.max(currentT, firstT);
}

/** The moment after `realMs` of playing at `speed` from `t`; done once it reaches `lastT`. */
export function advancePlay(
  t: number,
  realMs: number,
  speed: number,
  lastT: number,
): { t: number; done: boolean } {
  const next = t + Math.min(Math.max(realMs, 0), FRAME_GAP_MAX_MS) * speed;
  return next >= lastT ? { t: lastT, done: true } : { t: next, done: false };
}
