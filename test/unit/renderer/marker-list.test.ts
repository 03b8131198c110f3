/** The marker list's pure parts: the command it sends, pages joined and bounded, its keys. */
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/shared/commands';
import type { ListedMarker, MarkerPage } from '../../../src/shared/workbench';
import {
  ALL_KINDS,
  appendPage,
  atEnd,
  EMPTY_LIST,
  MARKER_LIST_HELD_MAX,
  MARKER_LIST_PAGE,
  markersCommand,
  rowAfterKey,
} from '../../../src/renderer/src/features/timeline/marker-list';

const marker = (seq: number): ListedMarker => ({
  seq,
  t: seq * 10,
  kind: 'expiry',
  label: `message m${seq} expired`,
  messageId: `m${seq}`,
});

const page = (seqs: number[], next: number | null, matched = 99): MarkerPage => ({
  epoch: 1,
  markers: seqs.map(marker),
  matched,
  next,
  counts: { violation: 0, outage: 0, expiry: matched, replacement: 0, receipt: 0 },
});

describe('markersCommand', () => {
  it('asks for the page after the last row, with only the filters that narrow, and parses', () => {
    const all = markersCommand({ kinds: ALL_KINDS, text: '  ' }, -1);
    expect(all).toEqual({ type: 'markers', limit: MARKER_LIST_PAGE });
    const some = markersCommand({ kinds: new Set(['violation', 'outage']), text: ' m7 ' }, 41);
    // Kinds in the lanes' order, whatever order they were ticked in.
    expect(some).toEqual({
      type: 'markers',
      after: 41,
      kinds: ['outage', 'violation'],
      text: 'm7',
      limit: MARKER_LIST_PAGE,
    });
    expect(parseCommand(all).ok).toBe(true);
    expect(parseCommand(some).ok).toBe(true);
    expect(markersCommand({ kinds: new Set(), text: '' }, -1)).toBeNull();
  });
});

describe('appendPage', () => {
  it('adds a page after the rows held, never twice, and keeps where the next starts', () => {
    const one = appendPage(EMPTY_LIST, page([1, 2, 3], 3));
    expect(one.markers.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(one.next).toBe(3);
    expect(atEnd(one)).toBe(false);
    const two = appendPage(one, page([3, 4, 5], null));
    expect(two.markers.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(two.next).toBeNull();
    expect(atEnd(two)).toBe(true);
  });

  it(`holds at most ${MARKER_LIST_HELD_MAX} rows and then offers no next page`, () => {
    let list = EMPTY_LIST;
    for (let from = 1; list.next !== null || list.markers.length === 0; from += 500) {
      const seqs = Array.from({ length: 500 }, (_, i) => from + i);
      list = appendPage(list, page(seqs, from + 499, 10_000));
    }
    expect(list.markers).toHaveLength(MARKER_LIST_HELD_MAX);
    expect(list.matched).toBe(10_000);
    expect(atEnd(list)).toBe(false);
  });
});

describe('rowAfterKey', () => {
  it('moves within the rows and ignores other keys', () => {
    expect(rowAfterKey('ArrowDown', 0, 3)).toBe(1);
    expect(rowAfterKey('ArrowDown', 2, 3)).toBe(2);
    expect(rowAfterKey('ArrowUp', 0, 3)).toBe(0);
    expect(rowAfterKey('End', 0, 30)).toBe(29);
    expect(rowAfterKey('Home', 12, 30)).toBe(0);
    expect(rowAfterKey('PageDown', 25, 30)).toBe(29);
    expect(rowAfterKey('PageUp', 5, 30)).toBe(0);
    expect(rowAfterKey('x', 1, 3)).toBeNull();
    expect(rowAfterKey('ArrowDown', 0, 0)).toBeNull();
  });
});
