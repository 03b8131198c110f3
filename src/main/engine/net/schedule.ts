/**
 * Runs a fault's schedule on the injected clock: calls `set(true)` / `set(false)` when the
 * fault should go on or off. `always` is on at once; `timeline` follows windows in ms since
 * the link started; `markov` flips with exponential on/off times from the fault's own Rng.
 */
import type { Clock, Timer } from '../clock/clock';
import type { Rng } from '../rng/rng';
import type { Schedule } from './spec';

export interface ScheduleDeps {
  readonly clock: Clock;
  /** The fault's own stream (so other faults' draws do not shift it). */
  readonly rng: Rng;
  /** Clock ms the link started: timeline windows count from here. */
  readonly startedAtMs: number;
}

/** Starts driving `set`; cancel the returned timer to stop. */
export function startSchedule(
  schedule: Schedule,
  deps: ScheduleDeps,
  set: (on: boolean) => void,
): Timer {
  let timer: Timer | null = null;
  const { clock } = deps;
  switch (schedule.kind) {
    case 'always':
      set(true);
      break;
    case 'timeline': {
      const { windows } = schedule;
      let i = 0;
      const step = (): void => {
        const tMs = clock.now() - deps.startedAtMs;
        while (i < windows.length && windows[i]!.toMs <= tMs) i++;
        const w = windows[i];
        if (w === undefined) return set(false);
        const inside = tMs >= w.fromMs;
        set(inside);
        timer = clock.schedule((inside ? w.toMs : w.fromMs) - tMs, step);
      };
      step();
      break;
    }
    case 'markov': {
      let on = schedule.initially === 'on';
      const flip = (): void => {
        const meanMs = on ? schedule.onMeanMs : schedule.offMeanMs;
        timer = clock.schedule(deps.rng.exponential(meanMs), () => {
          on = !on;
          set(on);
          flip();
        });
      };
      set(on);
      flip();
      break;
    }
  }
  return { cancel: () => timer?.cancel() };
}
