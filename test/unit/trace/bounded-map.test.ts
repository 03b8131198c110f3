/**
 * BoundedMap: forgets the oldest entries past its bound, in insertion order, skipping entries
 * deleted meanwhile, and keeps its bookkeeping O(size) however many entries pass through.
 */
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../../src/main/engine/bounded-map';

describe('BoundedMap', () => {
  it('forgets the oldest live entries first and reports each', () => {
    const forgotten: string[] = [];
    const map = new BoundedMap<string, number>(3, (key) => forgotten.push(key));
    for (const key of ['a', 'b', 'c']) map.set(key, 1);
    map.delete('a');
    map.set('b', 2); // replacing keeps b's place
    map.set('d', 1);
    map.set('e', 1);
    expect(forgotten).toEqual(['b']);
    expect([...map.values()]).toHaveLength(3);
    expect(map.has('c') && map.has('d') && map.has('e')).toBe(true);
    expect(map.forgottenCount).toBe(1);
  });

  it('re-added keys take a new place; stale queue entries do not evict them', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.delete('a');
    map.set('b', 1);
    map.set('a', 2);
    map.set('c', 3); // evicts b (older), not the re-added a
    expect(map.has('a')).toBe(true);
    expect(map.has('b')).toBe(false);
  });

  it('stays fast and small under churn: a million inserts through a bound of 20,000', () => {
    const map = new BoundedMap<string, number>(20_000);
    const churn = new BoundedMap<string, number>(20_000);
    const started = performance.now();
    for (let i = 0; i < 1_000_000; i++) {
      map.set(`m${i}`, i); // steady eviction
      churn.set(`m${i}`, i); // insert then delete, never full
      churn.delete(`m${i}`);
    }
    const bounded = performance.now() - started;
    // The baseline, in the same process: plain Maps doing the same inserts, evicting by a key
    // they compute (the least work possible). A ratio, not a wall-clock bound: a loaded
    // machine slows both. Here it is 1.4–2.6×; the naive `keys().next()` eviction is over 20×.
    const plain = new Map<string, number>();
    const plainChurn = new Map<string, number>();
    const baseStarted = performance.now();
    for (let i = 0; i < 1_000_000; i++) {
      plain.set(`m${i}`, i);
      if (plain.size > 20_000) plain.delete(`m${i - 20_000}`);
      plainChurn.set(`m${i}`, i);
      plainChurn.delete(`m${i}`);
    }
    const baseline = performance.now() - baseStarted;
    expect(bounded / baseline).toBeLessThan(10);
    expect(map.size).toBe(20_000);
    expect(map.forgottenCount).toBe(980_000);
    const fifo = (m: BoundedMap<string, number>): number =>
      (m as unknown as { fifoKeys: string[] }).fifoKeys.length;
    expect(fifo(map)).toBeLessThan(3 * 20_000 + 2048);
    expect(fifo(churn)).toBeLessThan(2048);
  });
});
