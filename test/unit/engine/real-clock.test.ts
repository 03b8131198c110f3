import { afterEach, describe, expect, it, vi } from 'vitest';
import { RealClock, TIMEOUT_MAX_MS } from '../../../src/main/engine/clock/real';

afterEach(() => {
  vi.useRealTimers();
});

describe('RealClock', () => {
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
