import { useLayoutEffect, useRef, useState } from 'react';
import type { LabEvent } from '../../../../shared/events';
import { selectActions, selectSelectedMessageId, selectStartTime, useLab } from '../../store';
import { LogRow } from './LogRow';

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
 */
export function LogList({ events, live }: Props) {
  const startT = useLab(selectStartTime);
  const selectedMessageId = useLab(selectSelectedMessageId);
  const { selectMessage } = useLab(selectActions);
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
  const totalHeight = count * LOG_ROW_HEIGHT;
  const visible = Math.ceil(viewportHeight / LOG_ROW_HEIGHT) + 1;
  const start = follow
    ? Math.max(0, count - visible - OVERSCAN)
    : Math.min(Math.max(0, Math.floor(scrollTop / LOG_ROW_HEIGHT) - OVERSCAN), count);
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
            style={{ transform: `translateY(${start * LOG_ROW_HEIGHT}px)` }}
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
                onSelectMessage={selectMessage}
              />
            ))}
          </div>
        </div>
      )}
    </div>
  );
}
