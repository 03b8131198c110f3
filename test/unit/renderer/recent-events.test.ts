import { describe, expect, it } from 'vitest';
import { appendBounded } from '../../../src/renderer/src/store/lab-store';

describe('the recent-events ring', () => {
  it('keeps only the newest entries and never mutates its inputs', () => {
    const list = [1, 2, 3];
    const out = appendBounded(list, [4, 5], 4);
    expect(out).toEqual([2, 3, 4, 5]);
    expect(list).toEqual([1, 2, 3]);
  });

  it('returns the same array when nothing was added (no re-render)', () => {
    const list = [1];
    expect(appendBounded(list, [], 10)).toBe(list);
  });
});
