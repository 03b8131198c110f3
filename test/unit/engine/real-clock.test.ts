import { afterEach, describe, expect, it, vi } from 'vitest';
import { RealClock, TIMEOUT_MAX_MS } from '../../../src/main/engine/clock/real';

afterEach(() => {
  vi.useRealTimers();
});

describe('RealClock', () => {
  it('never goes back, nor jumps, when the wall clock is set back or forward while it runs', async () => {
    const clock = new RealClock();
    const start = clock.now();
    expect(Math.abs(start - Date.now())).toBeLessThanOrEqual(1);
    const wall = Date.now;
    try {
      // The wall clock stepped an hour back (NTP, a user): lab time goes on from where it was.
      Date.now = () => wall() - 3_600_000;
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        times.push(clock.now());
      }
      expect(times[0]).toBeGreaterThanOrEqual(start);
      for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
      // And an hour forward: no jump either (the steps above took milliseconds, not an hour).
      Date.now = () => wall() + 3_600_000;
      expect(clock.now() - start).toBeLessThan(60_000);
      expect(Number.isInteger(clock.now())).toBe(true);
    } finally {
      Date.now = wall;
    }
  });

  it('runs `speed` times as fast as real time', async () => {
    const real = new RealClock();
    const fast = new RealClock(100);
    // The fast clock's reads bracket the real one's: it saw at least the same real interval.
    const f0 = fast.now();
    const r0 = real.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const r1 = real.now();
    const f1 = fast.now();
    expect(r1 - r0).toBeGreaterThanOrEqual(40);
    // Both are floored to whole milliseconds: one each end.
    expect(f1 - f0).toBeGreaterThanOrEqual(100 * (r1 - r0 - 1) - 1);
  });

  it('waits out delays longer than setTimeout allows (a 28-day TTL) instead of firing at once', () => {
    vi.useFakeTimers();
    const clock = new RealClock();
    let fired = 0;
    const day = 86_400_000;
    clock.schedule(28 * day, () => (fired += 1));
    vi.advanceTimersByTime(TIMEOUT_MAX_MS);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(28 * day - TIMEOUT_MAX_MS - 1);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
  });

  it('cancels a long timer in any of its steps', () => {
    vi.useFakeTimers();
    const clock = new RealClock();
    let fired = 0;
    const timer = clock.schedule(3 * TIMEOUT_MAX_MS, () => (fired += 1));
    vi.advanceTimersByTime(TIMEOUT_MAX_MS + 5);
    timer.cancel();
    vi.advanceTimersByTime(3 * TIMEOUT_MAX_MS);
    expect(fired).toBe(0);
  });
});
