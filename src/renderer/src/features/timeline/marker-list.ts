/**
 * The marker list beside the timeline, pure: the `markers` command for the filters and where
 * the list has reached, pages joined without repeats and bounded, and which row the keys
 * move to. The sentences are the engine's (Timeline.markerPage); nothing here words them.
 */
import type { Command } from '../../../../shared/commands';
import type { ListedMarker, MarkerKind, MarkerPage } from '../../../../shared/workbench';
import { MARKER_KINDS } from './markers';

/** Markers one fetch asks for. */
export const MARKER_LIST_PAGE = 100;
/** Markers the list holds at most; past it "more" stops (the filters narrow it down). */
export const MARKER_LIST_HELD_MAX = 2_000;

export interface MarkerFilter {
  kinds: ReadonlySet<MarkerKind>;
  text: string;
}

export const ALL_KINDS: MarkerFilter['kinds'] = new Set(MARKER_KINDS);

/** What the list shows: the markers so far, how many match, and where the next page starts. */
export interface MarkerListState {
  markers: ListedMarker[];
  matched: number;
  next: number | null;
}

export const EMPTY_LIST: MarkerListState = { markers: [], matched: 0, next: null };

/** The command for the page after seq `after` (-1: the first page), or null when no kind is on. */
export function markersCommand(filter: MarkerFilter, after: number): Command | null {
  if (filter.kinds.size === 0) return null;
  const text = filter.text.trim();
  return {
    type: 'markers',
    ...(after >= 0 ? { after } : {}),
    // In the lanes' order; all kinds is the command's default.
    ...(filter.kinds.size < MARKER_KINDS.length
      ? { kinds: MARKER_KINDS.filter((k) => filter.kinds.has(k)) }
      : {}),
    ...(text !== '' ? { text } : {}),
    limit: MARKER_LIST_PAGE,
  };
}

/**
 * The list with `page` added after what it holds: markers at or before the last held one are
 * not added twice, and the list stops at MARKER_LIST_HELD_MAX (then it offers no next page).
 */
export function appendPage(list: MarkerListState, page: MarkerPage): MarkerListState {
  const lastSeq = list.markers[list.markers.length - 1]?.seq ?? -1;
  const fresh = page.markers.filter((m) => m.seq > lastSeq);
  const room = MARKER_LIST_HELD_MAX - list.markers.length;
  const markers = [...list.markers, ...fresh.slice(0, Math.max(0, room))];
  const full = markers.length >= MARKER_LIST_HELD_MAX;
  return { markers, matched: page.matched, next: full ? null : page.next };
}

/** Whether the list holds everything that matches (so new markers can be fetched after it). */
export function atEnd(list: MarkerListState): boolean {
  return list.next === null && list.markers.length < MARKER_LIST_HELD_MAX;
}

/** The row a key moves the focus to from `index` among `count` rows; null for other keys. */
export function rowAfterKey(key: string, index: number, count: number): number | null {
  if (count === 0) return null;
  switch (key) {
    case 'ArrowDown':
      return Math.min(count - 1, index + 1);
    case 'ArrowUp':
      return Math.max(0, index - 1);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    case 'PageDown':
      return Math.min(count - 1, index + 10);
    case 'PageUp':
      return Math.max(0, index - 10);
    default:
      return null;
  }
}
