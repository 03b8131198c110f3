import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef } from 'react';
import type { LabEvent } from '../../../../shared/events';
import { selectActions, selectSelectedMessageId, selectStartTime, useLab } from '../../store';
import { LogRow } from './LogRow';

export const LOG_ROW_HEIGHT = 24;

interface Props {
  events: readonly LabEvent[];
  /** False while paused: resuming jumps back to the newest event. */
  live: boolean;
}

/**
 * The events, virtualized at a fixed row height, newest at the bottom. Follows new events
 * while scrolled to the bottom; scrolling up stops following until the bottom is reached again.
 */
export function LogList({ events, live }: Props) {
  const startT = useLab(selectStartTime);
  const selectedMessageId = useLab(selectSelectedMessageId);
  const { selectMessage } = useLab(selectActions);
  const scrollRef = useRef<HTMLDivElement>(null);
  const follow = useRef(true);

  const virtualizer = useVirtualizer({
    count: events.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => LOG_ROW_HEIGHT,
    overscan: 20,
  });

  useEffect(() => {
    if (live) follow.current = true;
  }, [live]);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [events, live]);

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (el) follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < LOG_ROW_HEIGHT;
  }, []);

  return (
    <div className="log-scroll" ref={scrollRef} onScroll={onScroll} data-testid="log-list">
      {events.length === 0 ? (
        <p className="muted log-empty">No events match.</p>
      ) : (
        <div className="log-rows" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const e = events[item.index];
            if (!e) return null;
            return (
              <LogRow
                key={e.seq}
                event={e}
                startT={startT}
                top={item.start}
                height={LOG_ROW_HEIGHT}
                selected={
                  selectedMessageId !== null &&
                  'messageId' in e &&
                  e.messageId === selectedMessageId
                }
                onSelectMessage={selectMessage}
              />
            );
          })}
        </div>
      )}
    </div>
  );
}
