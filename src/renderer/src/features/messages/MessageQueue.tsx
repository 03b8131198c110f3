import { useMemo } from 'react';
import type { MessageView } from '../../../../shared/model';
import { selectCurrentSubscriptionId, selectMessages, useLab } from '../../store';
import { isLive, MessageRow } from './MessageRow';
import { useLabNow } from './useLabNow';

/** Rows rendered at most; the lab keeps up to 2000 finished messages. */
export const MESSAGE_ROWS_MAX = 200;

export function MessageQueue() {
  const subscriptionId = useLab(selectCurrentSubscriptionId);
  const messages = useLab(selectMessages);

  const list = useMemo(() => messagesOf(messages, subscriptionId), [messages, subscriptionId]);
  const shown = list.length > MESSAGE_ROWS_MAX ? list.slice(0, MESSAGE_ROWS_MAX) : list;
  const anyLive = shown.some(isLive);
  const labNow = useLabNow(anyLive);

  return (
    <section className="panel messages" aria-labelledby="messages-title">
      <h2 id="messages-title">
        Queue{' '}
        {subscriptionId !== null && (
          <code className="muted" title={subscriptionId}>
            {subscriptionId}
          </code>
        )}{' '}
        <span className="count">{list.length}</span>
      </h2>
      {subscriptionId === null ? (
        <p className="muted">Select a subscription to see its messages.</p>
      ) : list.length === 0 ? (
        <p className="muted">No messages for this subscription yet.</p>
      ) : (
        <>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">State</th>
                <th scope="col">Urgency</th>
                <th scope="col">Topic</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">TTL left</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((m) => (
                <MessageRow key={m.id} message={m} labNow={isLive(m) ? labNow : null} />
              ))}
            </tbody>
          </table>
          {shown.length < list.length && (
            <p className="muted">
              Showing the newest {shown.length} of {list.length} messages.
            </p>
          )}
        </>
      )}
    </section>
  );
}

/** The subscription's messages, newest first. */
function messagesOf(
  messages: Readonly<Record<string, MessageView>>,
  subscriptionId: string | null,
): MessageView[] {
  if (subscriptionId === null) return [];
  const out: MessageView[] = [];
  // Records keep insertion (= acceptance) order: reversing it and sorting stably keeps
  // messages accepted at the same lab time newest first too.
  for (const m of Object.values(messages)) if (m.subscriptionId === subscriptionId) out.push(m);
  out.reverse();
  return out.sort((a, b) => b.acceptedAt - a.acceptedAt);
}
