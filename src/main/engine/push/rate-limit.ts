/**
 * Token buckets per key (a subscription, a sender, an address) on the injected clock:
 * `ratePerSecond` tokens a second, up to `burst` banked (one second's worth unless told). The key table is bounded; the least
 * recently used key is forgotten first (it then starts with a full bucket, the lenient side).
 */
import type { Clock } from '../clock/clock';

interface Bucket {
  tokens: number;
  atMs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    /** 0 turns the limiter off. */
    readonly ratePerSecond: number,
    private readonly keysMax = 100_000,
    private readonly burst = ratePerSecond,
  ) {}

  /** Takes one token for `key`: null if allowed, else the seconds to wait (for Retry-After). */
  take(key: string): number | null {
    if (this.ratePerSecond <= 0) return null;
    const now = this.clock.now();
    const capacity = Math.max(1, this.burst);
    const bucket = this.buckets.get(key) ?? { tokens: capacity, atMs: now };
    this.buckets.delete(key); // re-insert below: Map order is our LRU order
    bucket.tokens = Math.min(
      capacity,
      bucket.tokens + ((now - bucket.atMs) / 1000) * this.ratePerSecond,
    );
    bucket.atMs = now;
    let wait: number | null = null;
    if (bucket.tokens >= 1) bucket.tokens -= 1;
    else wait = Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond));
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.keysMax) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    return wait;
  }
}
