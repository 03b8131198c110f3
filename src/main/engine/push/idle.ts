/**
 * Idle deadlines on the injected clock for many keys with one timer: keys are kept in the
 * order they became idle (a Map's insertion order), so the oldest is always first and a
 * sweep touches only what expires. The one timer exists only while some key is idle, so a
 * service with nothing idle schedules nothing.
 */
import type { Clock, Timer } from '../clock/clock';

export class IdleExpiry<K> {
  /** key → when it became idle (ms), oldest first. */
  private readonly since = new Map<K, number>();
  private timer: Timer | null = null;

  constructor(
    private readonly clock: Clock,
    /** 0 turns expiry off: nothing is tracked. */
    private readonly idleMs: number,
    private readonly expire: (key: K) => void,
  ) {}

  /** `key` is idle from now on (again): its deadline restarts. */
  idle(key: K): void {
    if (this.idleMs <= 0) return;
    this.since.delete(key); // re-insert: Map order is idle order
    this.since.set(key, this.clock.now());
    if (this.timer === null) this.arm();
  }

  /** `key` is in use (or gone): it has no deadline until it is idle again. */
  busy(key: K): void {
    this.since.delete(key);
  }

  get size(): number {
    return this.since.size;
  }

  close(): void {
    this.timer?.cancel();
    this.timer = null;
    this.since.clear();
  }

  /** Schedules the sweep for the oldest deadline (it may have moved later since: then the sweep re-arms). */
  private arm(): void {
    const oldest = this.since.values().next();
    if (oldest.done) return;
    this.timer = this.clock.schedule(oldest.value + this.idleMs - this.clock.now(), () =>
      this.sweep(),
    );
  }

  private sweep(): void {
    this.timer = null;
    const now = this.clock.now();
    for (const [key, sinceMs] of this.since) {
      if (sinceMs + this.idleMs > now) break;
      this.since.delete(key);
      this.expire(key);
    }
    if (this.timer === null) this.arm();
  }
}
