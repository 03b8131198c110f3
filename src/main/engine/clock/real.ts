import { performance } from 'node:perf_hooks';
import type { Clock, Timer } from './clock';

/** The longest delay setTimeout honours, in milliseconds. */
export const TIMEOUT_MAX_MS = 2 ** 31 - 1;

/**
 * The wall clock, optionally sped up: `speed` clock-milliseconds pass per real millisecond.
 * It reads the wall clock once, at construction, and from then on counts the monotonic
 * clock (performance.now): a wall clock set back or forward while a lab runs (NTP stepping
 * a VM's clock, a user changing the time) would otherwise send event times backwards, which
 * TTL sweeps, the timeline's time index and every rate assume never happens.
 * This file and the virtual clock are the only engine files that touch real time.
 */
export class RealClock implements Clock {
  readonly kind: 'real' | 'scaled';
  private readonly originWallMs: number;
  private readonly originMonotonicMs: number;

  constructor(readonly speed = 1) {
    if (!(speed >= 1 && speed <= 1000)) {
      throw new RangeError(`clock speed: got ${speed}, allowed 1 to 1000`);
    }
    this.kind = speed === 1 ? 'real' : 'scaled';
    this.originWallMs = Date.now();
    this.originMonotonicMs = performance.now();
  }

  now(): number {
    // Whole milliseconds, as Date.now gave: event times and trace deltas stay integers.
    const elapsed = Math.floor((performance.now() - this.originMonotonicMs) * this.speed);
    return this.originWallMs + elapsed;
  }

  schedule(delayMs: number, fn: () => void): Timer {
    // setTimeout fires at once for delays past 2^31 - 1 ms (about 24.8 days, less than a
    // 28-day TTL): longer delays are waited out in steps of at most that.
    let remaining = Math.max(0, delayMs) / this.speed;
    let handle: ReturnType<typeof setTimeout>;
    const arm = (): void => {
      const step = Math.min(remaining, TIMEOUT_MAX_MS);
      remaining -= step;
      handle = setTimeout(remaining > 0 ? arm : fn, step);
      // Timers of the engine never keep a process alive on their own: servers and sockets do.
      handle.unref();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  }
}
