import { memo, type RefCallback } from 'react';
import type { LabEvent } from '../../../../shared/events';
import { shortId } from '../../format';
import { eventIds, eventRest, formatOffset, ID_LABELS, kindGroup, messageIdOf } from './filters';

interface Props {
  event: LabEvent;
  startT: number;
  height: number;
  selected: boolean;
  /** Shown in full: wrapped over as many lines as it needs, ids unshortened. */
  expanded: boolean;
  onSelectMessage(id: string): void;
  onExpand(seq: number, open: boolean): void;
  /** Given the element of an expanded row, so the list can measure it (LogList.tsx). */
  measure?: RefCallback<HTMLDivElement>;
}

/**
 * One event: lab time, kind, its ids and the rest, on one line or, expanded, in full. The
 * disclosure mark (or → and ←, or a click on a row that names no message) expands and
 * collapses it; a row that names a message opens it in the inspector (click or Enter).
 */
export const LogRow = memo(function LogRow({
  event: e,
  startT,
  height,
  selected,
  expanded,
  onSelectMessage,
  onExpand,
  measure,
}: Props) {
  const messageId = messageIdOf(e);
  const toggle = () => onExpand(e.seq, !expanded);
  const activate = messageId === null ? toggle : () => onSelectMessage(messageId);
  const classes = ['log-row', `log-kind-${kindGroup(e.kind)}`];
  if (messageId !== null) classes.push('log-row-message');
  if (expanded) classes.push('log-row-expanded');
  if (selected) classes.push('row-selected');
  const rest = eventRest(e);
  return (
    <div
      ref={expanded ? measure : undefined}
      className={classes.join(' ')}
      style={expanded ? { minHeight: height } : { height }}
      data-testid="log-row"
      data-kind={e.kind}
      data-seq={e.seq}
      role="button"
      aria-expanded={expanded}
      aria-label={messageId === null ? undefined : `${e.kind}, message ${messageId}`}
      tabIndex={0}
      onClick={activate}
      onKeyDown={(k) => {
        if (k.key === 'Enter' || k.key === ' ') {
          k.preventDefault();
          activate();
        } else if (k.key === 'ArrowRight' || k.key === 'ArrowLeft') {
          k.preventDefault();
          onExpand(e.seq, k.key === 'ArrowRight');
        }
      }}
    >
      <span
        className="log-disclosure"
        data-testid="log-expand"
        title={expanded ? 'Show on one line (←)' : 'Show in full (→)'}
        aria-hidden="true"
        onClick={(click) => {
          click.stopPropagation();
          toggle();
        }}
      >
        {expanded ? '▾' : '▸'}
      </span>
      <span className="log-time">{formatOffset(e.t - startT)}</span>
      <span className="log-kind">{e.kind}</span>
      <span className="log-ids">
        {eventIds(e).map(([field, id]) => (
          <span key={field} title={`${field}: ${id}`}>
            {/* One text node, not two: rows are made at the rate events come. */}
            <span className="muted">{`${ID_LABELS[field]}:`}</span>
            {expanded ? id : shortId(id, 10)}
          </span>
        ))}
      </span>
      <span className="log-rest" title={expanded ? undefined : rest} data-testid="log-rest">
        {rest}
      </span>
    </div>
  );
});
