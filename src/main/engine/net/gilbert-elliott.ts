/**
 * The Gilbert-Elliott loss model as netem has it (`loss gemodel p r 1-h 1-k`): two states,
 * good and bad. p = P(good → bad), r = P(bad → good), 1 − h = loss in bad, 1 − k = loss in
 * good. Each step decides one segment by the current state, then moves the state.
 * Pure apart from the Rng it is handed, so it can be tested over many steps directly.
 */
import type { Rng } from '../rng/rng';

export interface GilbertElliottParams {
  /** P(good → bad) per segment. */
  p: number;
  /** P(bad → good) per segment; 1/r is the mean burst length. */
  r: number;
  /** P(delivered) in the bad state. */
  h: number;
  /** P(delivered) in the good state. */
  k: number;
}

export class GilbertElliott {
  /** True while in the bad state; starts good, as netem does. */
  bad = false;

  constructor(public params: GilbertElliottParams) {}

  /** Decides one segment (true = lost) and moves the state. */
  lose(rng: Rng): boolean {
    const { p, r, h, k } = this.params;
    const lost = rng.next() >= (this.bad ? h : k);
    if (this.bad) {
      if (rng.chance(r)) this.bad = false;
    } else if (rng.chance(p)) {
      this.bad = true;
    }
    return lost;
  }
}

/** Long-run share of segments lost: p/(p+r)·(1−h) + r/(p+r)·(1−k) (1−k if it never moves). */
export function gilbertElliottLossRate({ p, r, h, k }: GilbertElliottParams): number {
  if (p + r === 0) return 1 - k;
  return (p / (p + r)) * (1 - h) + (r / (p + r)) * (1 - k);
}
