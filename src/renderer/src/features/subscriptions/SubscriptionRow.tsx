import { memo } from 'react';
import { shortId } from '../../format';
import { formatCount, formatLabTime } from '../../../../shared/format';
import type { SubRow } from './table';

interface Props {
  row: SubRow;
  /** Offset in the virtual list, in pixels. */
  top: number;
  startT: number;
  /** Leave out the profile and created cells. */
  compact: boolean;
  selected: boolean;
  onSelect(id: string): void;
}

const dash = <span className="muted">—</span>;

export const SubscriptionRow = memo(function SubscriptionRow({
  row,
  top,
  startT,
  compact,
  selected,
  onSelect,
}: Props) {
  return (
    <div
      role="row"
      data-testid="subscription-row"
      data-subscription-id={row.id}
      data-state={row.state}
      aria-selected={selected}
      className={selected ? 'sub-grid sub-row row-selected' : 'sub-grid sub-row'}
      style={{ transform: `translateY(${top}px)` }}
      onClick={() => onSelect(row.id)}
    >
      <span role="cell">
        {/* The click bubbles to the row; the button makes the row reachable by keyboard. */}
        <button type="button" className="link" title={row.id}>
          {shortId(row.id)}
        </button>
      </span>
      <span role="cell" className="sub-owner" title={row.owner ?? undefined}>
        {row.owner ?? dash}
      </span>
      {compact ? null : <span role="cell">{row.profile ?? dash}</span>}
      {compact ? null : <span role="cell">{formatLabTime(row.createdAt - startT)}</span>}
      <span role="cell" className="num">
        {formatCount(row.outstanding)}
      </span>
      <span role="cell">
        {row.lastDeliveryAt === null ? dash : formatLabTime(row.lastDeliveryAt - startT)}
      </span>
      <span role="cell">
        <span className={`badge badge-sub-${row.state}`}>{row.state}</span>
      </span>
    </div>
  );
});
