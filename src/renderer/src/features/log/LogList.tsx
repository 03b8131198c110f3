import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { LabEvent } from '../../../../shared/events';
import { selectActions, selectSelectedMessageId, selectStartTime, useLab } from '../../store';
import { useLogUi } from './log-state';
import { LogRow } from './LogRow';
import { rowAt, rowExtras, rowsHeight, rowTop } from './row-layout';

export const LOG_ROW_HEIGHT = 24;
/** Rows rendered beyond each edge of the viewport. */
const OVERSCAN = 10;

interface Props {
  events: readonly LabEvent[];
  /** False while paused: resuming jumps back to the newest event. */
  live: boolean;
}

/**
 * The events, windowed at a fixed row height, newest at the bottom. Follows new events
 * while scrolled to the bottom; scrolling up stops following until the bottom is reached again.
 *
 * The scroller is a column-reverse flexbox (styles.css `.log-scroll`): its scroll origin is the
 * bottom, so while following (scrollTop 0) a batch's rows appear at the bottom with no scroll
 * written at all. Writing scrollTop after the rows change forces a synchronous layout every
 * frame — at 1,000 events/s that was a fifth of the Log's frame time (bench:ui). Scrolled up,
 * the rows being read are kept in place as rows are added below (one write per batch then).
 * The rows sit in flow inside one translated window and carry no position of their own, so a
 * row already shown is not rendered again.
 *
 * A row expanded to its full text is as tall as it measures (a ResizeObserver on that row
 * only, so no layout is forced); row-layout.ts places the rows around the few expanded ones.
 */
export function LogList({ events, live }: Props) {
  const startT = useLab(selectStartTime);
  const selectedMessageId = useLab(selectSelectedMessageId);
  const { selectMessage } = useLab(selectActions);
  const expanded = useLogUi((s) => s.expanded);
  const setExpanded = useLogUi((s) => s.setExpanded);
  const { extraBySeq, measure } = useExpandedHeights(expanded);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(600);
  const [wasLive, setWasLive] = useState(live);
  if (live !== wasLive) {
    setWasLive(live);
    if (live) setFollow(true);
  }

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    setViewportHeight(el.clientHeight);
    const observer = new ResizeObserver(() => setViewportHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const count = events.length;
  const extras = useMemo(() => rowExtras(events, extraBySeq), [events, extraBySeq]);
  const totalHeight = rowsHeight(count, LOG_ROW_HEIGHT, extras);
  const visible = Math.ceil(viewportHeight / LOG_ROW_HEIGHT) + 1;
  const start = follow
    ? Math.max(0, count - visible - OVERSCAN)
    : Math.min(Math.max(0, rowAt(scrollTop, LOG_ROW_HEIGHT, extras) - OVERSCAN), count);
  const end = follow ? count : Math.min(count, start + visible + 2 * OVERSCAN);

  // The scroll position this list last wrote (column-reverse: 0 is the bottom, negative above).
  const placed = useRef(0);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    // Following: at the bottom, where a column-reverse scroller stays by itself.
    const want = follow ? 0 : -Math.max(0, totalHeight - viewportHeight - scrollTop);
    if (placed.current === want) return;
    placed.current = want;
    el.scrollTop = want;
  }, [follow, totalHeight, viewportHeight, scrollTop]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    placed.current = el.scrollTop;
    const fromBottom = -el.scrollTop;
    const atBottom = fromBottom <= LOG_ROW_HEIGHT;
    if (atBottom !== follow) setFollow(atBottom);
    if (!atBottom) setScrollTop(Math.max(0, totalHeight - viewportHeight - fromBottom));
  };

  return (
    <div className="log-scroll" ref={scrollRef} onScroll={onScroll} data-testid="log-list">
      {count === 0 ? (
        <p className="muted log-empty">No events match.</p>
      ) : (
        <div className="log-rows" style={{ height: totalHeight }}>
          <div
            className="log-window"
            style={{ transform: `translateY(${rowTop(start, LOG_ROW_HEIGHT, extras)}px)` }}
          >
            {events.slice(start, end).map((e) => (
              <LogRow
                key={e.seq}
                event={e}
                startT={startT}
                height={LOG_ROW_HEIGHT}
                selected={
                  selectedMessageId !== null &&
                  'messageId' in e &&
                  e.messageId === selectedMessageId
                }
                expanded={expanded.has(e.seq)}
                onSelectMessage={selectMessage}
                onExpand={setExpanded}
                measure={measure}
              />
            ))}
          </div>
        </div>
      )}
    </div>
  );
}

/**
 * The extra height (beyond a row's) of each expanded row, by seq, as a ResizeObserver reports
 * it: only expanded rows are observed, and a row collapsed or scrolled away is forgotten.
 */
function useExpandedHeights(expanded: ReadonlySet<number>) {
  const [extraBySeq, setExtraBySeq] = useState<ReadonlyMap<number, number>>(() => new Map());
  const observer = useRef<ResizeObserver | null>(null);
  const observed = useRef(new Map<number, Element>());

  // Made on the first expanded row's ref (refs are set before effects run), ended with the list.
  const observe = (): ResizeObserver =>
    (observer.current ??= new ResizeObserver((entries) => {
      setExtraBySeq((prev) => {
        let next: Map<number, number> | null = null;
        for (const entry of entries) {
          const seq = Number(entry.target.getAttribute('data-seq'));
          const height = entry.borderBoxSize[0]?.blockSize ?? entry.contentRect.height;
          const extra = Math.max(0, Math.round(height) - LOG_ROW_HEIGHT);
          if (prev.get(seq) === extra) continue;
          next ??= new Map(prev);
          next.set(seq, extra);
        }
        return next ?? prev;
      });
    }));
  useEffect(
    () => () => {
      observer.current?.disconnect();
      observer.current = null;
    },
    [],
  );

  // A collapsed row's height goes back to the row's own.
  useEffect(() => {
    setExtraBySeq((prev) => {
      const stale = [...prev.keys()].filter((seq) => !expanded.has(seq));
      if (stale.length === 0) return prev;
      const next = new Map(prev);
      for (const seq of stale) next.delete(seq);
      return next;
    });
  }, [expanded]);

  const measure = useCallback((el: HTMLDivElement | null) => {
    if (el === null) return;
    const ro = observe();
    const seq = Number(el.getAttribute('data-seq'));
    const old = observed.current.get(seq);
    if (old === el) return;
    if (old) ro.unobserve(old);
    observed.current.set(seq, el);
    ro.observe(el);
    return () => {
      ro.unobserve(el);
      observed.current.delete(seq);
    };
  }, []);

  return { extraBySeq, measure };
}
