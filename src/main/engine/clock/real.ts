import type { Clock, Timer } from './clock';

/**
 * The wall clock, optionally sped up: `speed` clock-milliseconds pass per real millisecond.
 * This file and the virtual clock are the only engine files that touch real time.
 */
export class RealClock implements Clock {
  readonly kind: 'real' | 'scaled';
  private readonly originRealMs: number;

  constructor(readonly speed = 1) {
    if (!(speed >= 1 && speed <= 1000)) {
      throw new RangeError(`clock speed: got ${speed}, allowed 1 to 1000`);
    }
    this.kind = speed === 1 ? 'real' : 'scaled';
    this.originRealMs = Date.now();
  }

  now(): number {
    if (this.speed === 1) return Date.now();
    return this.originRealMs + (Date.now() - this.originRealMs) * this.speed;
  }

  schedule(delayMs: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, delayMs) / this.speed);
    // Timers of the engine never keep a process alive on their own: servers and sockets do.
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }
}
