import { memo } from 'react';
import type { LabEvent } from '../../../../shared/events';
import { shortId } from '../../format';
import { eventIds, eventRest, formatOffset, ID_LABELS, kindGroup, messageIdOf } from './filters';

interface Props {
  event: LabEvent;
  startT: number;
  height: number;
  selected: boolean;
  onSelectMessage(id: string): void;
}

/** One event: lab time, kind, its ids and the rest, compactly. Message rows are clickable. */
export const LogRow = memo(function LogRow({
  event: e,
  startT,
  height,
  selected,
  onSelectMessage,
}: Props) {
  const messageId = messageIdOf(e);
  const select = messageId === null ? undefined : () => onSelectMessage(messageId);
  const classes = ['log-row', `log-kind-${kindGroup(e.kind)}`];
  if (messageId !== null) classes.push('log-row-message');
  if (selected) classes.push('row-selected');
  return (
    <div
      className={classes.join(' ')}
      style={{ height }}
      data-testid="log-row"
      data-kind={e.kind}
      data-seq={e.seq}
      role={select ? 'button' : undefined}
      tabIndex={select ? 0 : undefined}
      onClick={select}
      onKeyDown={
        select
          ? (k) => {
              if (k.key === 'Enter' || k.key === ' ') {
                k.preventDefault();
                select();
              }
            }
          : undefined
      }
    >
      <span className="log-time">{formatOffset(e.t - startT)}</span>
      <span className="log-kind">{e.kind}</span>
      <span className="log-ids">
        {eventIds(e).map(([field, id]) => (
          <span key={field} title={`${field}: ${id}`}>
            <span className="muted">{ID_LABELS[field]}:</span>
            {shortId(id, 10)}
          </span>
        ))}
      </span>
      <span className="log-rest" title={eventRest(e)}>
        {eventRest(e)}
      </span>
    </div>
  );
});
