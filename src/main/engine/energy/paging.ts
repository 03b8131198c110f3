/**
 * Idle paging as exact pulses, not an average: pulses of `durationMs` start at
 * `originMs + k·periodMs` for every integer k (the network's paging occasions are fixed in
 * time, so the grid does not move when the radio leaves and re-enters idle).
 */
import type { Paging } from './machine';

/** Milliseconds of pulse inside [fromMs, toMs]; 0 when toMs <= fromMs. */
export function pulseOverlapMs(
  paging: Paging,
  originMs: number,
  fromMs: number,
  toMs: number,
): number {
  if (!(toMs > fromMs)) return 0;
  return pulseTimeBeforeMs(paging, toMs - originMs) - pulseTimeBeforeMs(paging, fromMs - originMs);
}

/** Pulse time in [0, t) relative to the origin (negative for t < 0): floor(t/p)·w + min(t mod p, w). */
function pulseTimeBeforeMs(paging: Paging, tMs: number): number {
  const { durationMs, periodMs } = paging;
  const cycles = Math.floor(tMs / periodMs);
  const intoCycleMs = tMs - cycles * periodMs;
  return cycles * durationMs + Math.min(intoCycleMs, durationMs);
}
