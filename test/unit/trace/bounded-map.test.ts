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
    expect(performance.now() - started).toBeLessThan(10_000); // the naive keys().next() took 24 s
    expect(map.size).toBe(20_000);
    expect(map.forgottenCount).toBe(980_000);
    const fifo = (m: BoundedMap<string, number>): number =>
      (m as unknown as { fifoKeys: string[] }).fifoKeys.length;
    expect(fifo(map)).toBeLessThan(3 * 20_000 + 2048);
    expect(fifo(churn)).toBeLessThan(2048);
  });
});
