/**
 * A service's TTL deadlines share one clock timer (push/expiry.ts): items expire exactly at
 * their deadline, those of one deadline in the order they were added, removed ones never, and
 * the index keeps no stale state once nothing is waiting, and no timer once the one armed
 * has fired.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { ExpiryIndex } from '../../../src/main/engine/push/expiry';

function setup() {
  const clock = new VirtualClock(1_000);
  const expired: string[] = [];
  const index = new ExpiryIndex<string>(clock, (item) => expired.push(`${item}@${clock.now()}`));
  return { clock, expired, index };
}

describe('ExpiryIndex', () => {
  it('expires each item at its deadline to the millisecond, earliest first', () => {
    const { clock, expired, index } = setup();
    index.add('late', 61_000);
    index.add('early', 2_500);
    index.add('middle', 31_000);
    clock.advance(1_499);
    expect(expired).toEqual([]);
    clock.advance(1);
    expect(expired).toEqual(['early@2500']);
    clock.advance(60_000);
    expect(expired).toEqual(['early@2500', 'middle@31000', 'late@61000']);
    expect(index.size).toBe(0);
    expect(clock.pendingCount()).toBe(0);
  });

  it('items of one deadline expire in the order they were added', () => {
    const { clock, expired, index } = setup();
    for (const item of ['a', 'b', 'c', 'd']) index.add(item, 5_000);
    clock.advance(4_000);
    expect(expired).toEqual(['a@5000', 'b@5000', 'c@5000', 'd@5000']);
  });

  it('a removed item never expires; when nothing waits, no timer is left', () => {
    const { clock, expired, index } = setup();
    index.add('acked', 5_000);
    index.add('kept', 5_000);
    index.add('alone', 9_000);
    index.remove('acked', 5_000);
    index.remove('alone', 9_000);
    index.remove('never-added', 5_000);
    clock.advance(10_000);
    expect(expired).toEqual(['kept@5000']);
    index.add('x', 20_000);
    index.remove('x', 20_000);
    // The armed timer is left to fire once, with nothing due; then nothing is left.
    expect(clock.pendingCount()).toBeLessThanOrEqual(1);
    clock.advance(10_000);
    expect(expired).toEqual(['kept@5000']);
    expect(clock.pendingCount()).toBe(0);
  });

  it('items removed as fast as they come (one in flight) share one timer, not one each', () => {
    const { clock, expired, index } = setup();
    let scheduled = 0;
    const schedule = clock.schedule.bind(clock);
    clock.schedule = (delayMs, fn) => {
      scheduled += 1;
      return schedule(delayMs, fn);
    };
    for (let i = 0; i < 1_000; i++) {
      index.add(`m${i}`, clock.now() + 60_000);
      index.remove(`m${i}`, clock.now() + 60_000);
      clock.advance(1);
    }
    expect(scheduled).toBe(1);
    index.add('last', clock.now() + 60_000);
    clock.advance(60_000);
    // The first timer fired with nothing due and armed the one for `last`.
    expect(expired).toEqual([`last@${1_000 + 1_000 + 60_000}`]);
    expect(scheduled).toBe(2);
    expect(clock.pendingCount()).toBe(0);
  });

  it('an item added from an expiry callback, even one already due, still expires', () => {
    const clock = new VirtualClock(0);
    const expired: string[] = [];
    const index: ExpiryIndex<string> = new ExpiryIndex<string>(clock, (item) => {
      expired.push(`${item}@${clock.now()}`);
      if (item === 'first') {
        index.add('now', clock.now());
        index.add('later', clock.now() + 1_000);
      }
    });
    index.add('first', 100);
    clock.advance(5_000);
    expect(expired).toEqual(['first@100', 'now@100', 'later@1100']);
  });

  it('stale deadlines of emptied buckets stay bounded under churn', () => {
    const { clock, expired, index } = setup();
    index.add('anchor', 10_000_000);
    // 100,000 messages acked before their (distinct) deadlines, as a busy service does.
    for (let i = 0; i < 100_000; i += 1) {
      index.add(`m${i}`, 60_000 + i);
      index.remove(`m${i}`, 60_000 + i);
    }
    const heap = (index as unknown as { heap: number[] }).heap;
    expect(heap.length).toBeLessThanOrEqual(2 * 1 + 1024 + 1);
    clock.advance(10_000_000);
    expect(expired).toEqual(['anchor@10000000']);
  });

  it('close cancels the timer and forgets everything', () => {
    const { clock, expired, index } = setup();
    index.add('a', 5_000);
    index.close();
    clock.advance(10_000);
    expect(expired).toEqual([]);
    expect(clock.pendingCount()).toBe(0);
  });
});
