import { memo } from 'react';
import type { MessageView } from '../../../../shared/model';
import { formatBytes, formatLabTime, shortId } from '../../format';
import { selectStartTime, useLab } from '../../store';
import { StateBadge } from './StateBadge';
import { TtlBar } from './TtlBar';

export const isLive = (m: MessageView): boolean => m.state === 'queued' || m.state === 'pushed';

interface Props {
  message: MessageView;
  /** Estimated lab time; only passed for live messages so finished rows do not re-render. */
  labNow: number | null;
}

export const MessageRow = memo(function MessageRow({ message: m, labNow }: Props) {
  const startT = useLab(selectStartTime);
  return (
    <tr data-testid="message-row" data-state={m.state} data-message-id={m.id}>
      <td>
        <code title={m.id}>{shortId(m.id)}</code>
      </td>
      <td>
        <StateBadge state={m.state} />
      </td>
      <td>{m.urgency}</td>
      <td>{m.topic ?? <span className="muted">—</span>}</td>
      <td className="num">{formatBytes(m.bytes)}</td>
      <td className="num">{m.attempts}</td>
      <td>
        {labNow !== null ? (
          <TtlBar remainingMs={m.expiresAt - labNow} ttlSeconds={m.ttlSeconds} />
        ) : (
          <span
            className="muted"
            title={m.finishedAt === null ? undefined : `at ${formatLabTime(m.finishedAt - startT)}`}
          >
            {m.state} {m.finishedAt === null ? '' : formatLabTime(m.finishedAt - startT)}
          </span>
        )}
      </td>
    </tr>
  );
});
