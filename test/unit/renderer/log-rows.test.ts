import { describe, expect, it } from 'vitest';
import { EXPANDED_MAX, createLogUiStore } from '../../../src/renderer/src/features/log/log-state';
import {
  indexOfSeq,
  rowAt,
  rowExtras,
  rowsHeight,
  rowTop,
} from '../../../src/renderer/src/features/log/row-layout';
import { eventRest } from '../../../src/renderer/src/features/log/filters';
import { agents, stamp } from './fixtures';

const H = 24;

describe('log rows with some expanded', () => {
  it('finds an event by seq in the list shown', () => {
    const events = agents(5, 10).filter((e) => e.seq % 2 === 1);
    expect(indexOfSeq(events, 5)).toBe(0);
    expect(indexOfSeq(events, 9)).toBe(2);
    expect(indexOfSeq(events, 6)).toBe(-1);
    expect(indexOfSeq([], 1)).toBe(-1);
  });

  it('places rows around the expanded ones, and finds the row at a height', () => {
    const events = agents(1, 100);
    // seq 11 is index 10, 30 more pixels; seq 51 is index 50, 96 more; seq 999 is not shown.
    const extras = rowExtras(
      events,
      new Map([
        [51, 96],
        [11, 30],
        [999, 50],
        [20, 0],
      ]),
    );
    expect(extras).toEqual([
      [10, 30],
      [50, 96],
    ]);
    expect(rowTop(10, H, extras)).toBe(240);
    expect(rowTop(11, H, extras)).toBe(240 + 24 + 30);
    expect(rowTop(51, H, extras)).toBe(51 * 24 + 30 + 96);
    expect(rowsHeight(100, H, extras)).toBe(100 * 24 + 126);

    expect(rowAt(0, H, extras)).toBe(0);
    expect(rowAt(239, H, extras)).toBe(9);
    // Anywhere inside the expanded row is that row.
    expect(rowAt(240, H, extras)).toBe(10);
    expect(rowAt(240 + 53, H, extras)).toBe(10);
    expect(rowAt(240 + 54, H, extras)).toBe(11);
    // rowAt is the inverse of rowTop for every row.
    for (let i = 0; i < 100; i++) {
      expect(rowAt(rowTop(i, H, extras), H, extras)).toBe(i);
      expect(rowAt(rowTop(i + 1, H, extras) - 1, H, extras)).toBe(i);
    }
  });

  it('with none expanded, is the fixed-height arithmetic', () => {
    expect(rowTop(7, H, [])).toBe(168);
    expect(rowsHeight(3, H, [])).toBe(72);
    expect(rowAt(167, H, [])).toBe(6);
  });
});

describe('log expand state', () => {
  it('opens and closes rows by seq, keeps at most EXPANDED_MAX, forgets them with the show', () => {
    const store = createLogUiStore();
    store.getState().setExpanded(3, true);
    store.getState().setExpanded(4, true);
    const before = store.getState().expanded;
    store.getState().setExpanded(3, true);
    // Asking for what is already so changes nothing (no new set, no render).
    expect(store.getState().expanded).toBe(before);
    store.getState().setExpanded(3, false);
    expect([...store.getState().expanded]).toEqual([4]);

    for (let seq = 100; seq < 100 + EXPANDED_MAX + 5; seq++)
      store.getState().setExpanded(seq, true);
    expect(store.getState().expanded.size).toBe(EXPANDED_MAX);
    // The oldest opened closed first.
    expect(store.getState().expanded.has(4)).toBe(false);
    expect(store.getState().expanded.has(100 + EXPANDED_MAX + 4)).toBe(true);
    store.getState().collapseAll();
    expect(store.getState().expanded.size).toBe(0);
  });

  it('writes a record field out in full, not as [object Object]', () => {
    const [sampled] = stamp(1, [
      { kind: 'link.sampled', counters: { l1: { bytesUpDelivered: 10 } } },
    ]);
    expect(eventRest(sampled!)).not.toContain('[object Object]');
    expect(eventRest(sampled!)).toContain('bytesUpDelivered:10');
  });
});
