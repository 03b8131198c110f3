import { memo, useRef } from 'react';
import type { MessageView } from '../../../../shared/model';
import { shortId } from '../../format';
import { formatBytes, formatLabTime } from '../../../../shared/format';
import { selectActions, selectSelectedMessageId, selectStartTime, useLab } from '../../store';
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
  // Clicking a message opens its story in the inspector, as a Log or Flows row does.
  const { selectMessage } = useLab(selectActions);
  const selected = useLab((s) => selectSelectedMessageId(s) === m.id);
  // A brief cue when the message changes state under the user's eyes (pushed, acked,
  // expired, replaced, dropped): styles.css plays one animation per state, so each new
  // state starts its own. Not on mount: a row scrolled into view has nothing to announce.
  const mountedState = useRef(m.state);
  const cue = m.state === mountedState.current ? undefined : m.state;
  return (
    <tr
      data-testid="message-row"
      data-state={m.state}
      data-message-id={m.id}
      data-cue={cue}
      className={selected ? 'message-row row-selected' : 'message-row'}
      tabIndex={0}
      aria-selected={selected}
      title="Open this message's story in the inspector"
      onClick={() => selectMessage(m.id)}
      onKeyDown={(k) => {
        if (k.key === 'Enter' || k.key === ' ') {
          k.preventDefault();
          selectMessage(m.id);
        }
      }}
    >
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
