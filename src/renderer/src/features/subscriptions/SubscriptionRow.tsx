import { memo } from 'react';
import type { SubscriptionView } from '../../../../shared/model';
import { formatLabTime, shortId } from '../../format';
import { selectStartTime, useLab } from '../../store';

interface Props {
  subscription: SubscriptionView;
  agentLabel: string | null;
  selected: boolean;
  onSelect(id: string): void;
}

export const SubscriptionRow = memo(function SubscriptionRow({
  subscription: sub,
  agentLabel,
  selected,
  onSelect,
}: Props) {
  const startT = useLab(selectStartTime);
  return (
    <tr
      data-testid="subscription-row"
      data-subscription-id={sub.id}
      data-state={sub.state}
      aria-selected={selected}
      className={selected ? 'row-selected' : undefined}
      onClick={() => onSelect(sub.id)}
    >
      <td>
        {/* The click bubbles to the row; the button makes the row reachable by keyboard. */}
        <button type="button" className="link" title={sub.id}>
          {shortId(sub.id)}
        </button>
      </td>
      <td>{agentLabel ?? <span className="muted">—</span>}</td>
      <td>
        <span className={`badge badge-sub-${sub.state}`}>{sub.state}</span>
      </td>
      <td className="num">{sub.outstanding}</td>
      <td>
        {sub.lastDeliveryAt === null ? (
          <span className="muted">—</span>
        ) : (
          formatLabTime(sub.lastDeliveryAt - startT)
        )}
      </td>
    </tr>
  );
});
