/**
 * Time as the engine sees it. Nothing under src/main/engine reads the wall clock or calls
 * the global timers directly: it asks a Clock, so a run can be real, scaled or virtual.
 */
export interface Timer {
  /** Cancels the callback if it has not run yet; safe to call more than once. */
  cancel(): void;
}

export interface Clock {
  /** Milliseconds on this clock's time line (epoch-based for real clocks). */
  now(): number;
  /** Runs `fn` once after `delayMs` of this clock's time (negative delays count as 0). */
  schedule(delayMs: number, fn: () => void): Timer;
  /** How many milliseconds of this clock pass per real millisecond (1 for real time). */
  readonly speed: number;
  /** 'real' and 'scaled' follow the wall clock; 'virtual' moves only when told to. */
  readonly kind: 'real' | 'scaled' | 'virtual';
}

/** Runs `fn` every `periodMs` until the returned timer is cancelled. */
export function every(clock: Clock, periodMs: number, fn: () => void): Timer {
  let current: Timer | null = null;
  let cancelled = false;
  const tick = (): void => {
    if (cancelled) return;
    current = clock.schedule(periodMs, tick);
    fn();
  };
  current = clock.schedule(periodMs, tick);
  return {
    cancel() {
      cancelled = true;
      current?.cancel();
    },
  };
}

/** A promise that resolves after `delayMs` of clock time. */
export function sleep(clock: Clock, delayMs: number): Promise<void> {
  return new Promise((resolve) => clock.schedule(delayMs, resolve));
}
