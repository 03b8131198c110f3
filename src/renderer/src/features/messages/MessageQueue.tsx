import { useMemo, useState } from 'react';
import type { MessageView } from '../../../../shared/model';
import { Table } from '../../../../shared/table';
import { formatCount } from '../../../../shared/format';
import { selectCurrentSubscriptionId, selectMessages, useLab } from '../../store';
import { isLive, MessageRow } from './MessageRow';
import { useLabNow } from './useLabNow';

/** Rows rendered at most; the lab keeps up to 2000 finished messages. */
export const MESSAGE_ROWS_MAX = 200;

export function MessageQueue() {
  const subscriptionId = useLab(selectCurrentSubscriptionId);
  const messages = useLab(selectMessages);

  const [keeper] = useState(() => new QueueKeeper());
  // The same array while no message of this subscription changed: no re-render then.
  const list = useMemo(
    () => keeper.list(messages, subscriptionId),
    [keeper, messages, subscriptionId],
  );
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
        <span className="count">{formatCount(list.length)}</span>
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
              Showing the newest {formatCount(shown.length)} of {formatCount(list.length)} messages.
            </p>
          )}
        </>
      )}
    </section>
  );
}

/** The subscription's messages, newest first. */
export function messagesOf(
  messages: Table<MessageView>,
  subscriptionId: string | null,
): MessageView[] {
  if (subscriptionId === null) return [];
  const out: MessageView[] = [];
  // Tables keep insertion (= acceptance) order: reversing it and sorting stably keeps
  // messages accepted at the same lab time newest first too.
  messages.forEach((m) => {
    if (m.subscriptionId === subscriptionId) out.push(m);
  });
  out.reverse();
  return newestFirst(out);
}

const newestFirst = (list: MessageView[]): MessageView[] =>
  list.sort((a, b) => b.acceptedAt - a.acceptedAt);

/**
 * `messagesOf`, kept from one messages table version to the next by what changed: a batch
 * that touched no message of the subscription costs the chunks it changed and returns the
 * same list.
 */
export class QueueKeeper {
  private messages: Table<MessageView> | null = null;
  private subscriptionId: string | null = null;
  private shown: MessageView[] = [];

  list(messages: Table<MessageView>, subscriptionId: string | null): readonly MessageView[] {
    const before = this.messages;
    const same = before !== null && subscriptionId === this.subscriptionId;
    this.messages = messages;
    this.subscriptionId = subscriptionId;
    if (!same) return (this.shown = messagesOf(messages, subscriptionId));
    if (before === messages || subscriptionId === null) return this.shown;
    const added: MessageView[] = [];
    const replaced = new Map<string, MessageView | undefined>();
    Table.diff(before, messages, (id, was, is) => {
      const ours = (m: MessageView | undefined) => m?.subscriptionId === subscriptionId;
      if (!ours(was) && !ours(is)) return;
      if (was === undefined) added.push(is!);
      else replaced.set(id, ours(is) ? is : undefined);
    });
    if (added.length === 0 && replaced.size === 0) return this.shown;
    const kept: MessageView[] = [];
    for (const m of this.shown) {
      if (!replaced.has(m.id)) kept.push(m);
      else {
        const next = replaced.get(m.id);
        if (next !== undefined) kept.push(next);
        replaced.delete(m.id);
      }
    }
    // Left in `replaced`: a message that moved here from another subscription (the reducer
    // never does that): start over.
    for (const m of replaced.values()) {
      if (m !== undefined) return (this.shown = messagesOf(messages, subscriptionId));
    }
    // New entries come after every older one in table order: newest first, before the rest.
    return (this.shown = newestFirst([...added.reverse(), ...kept]));
  }
}
