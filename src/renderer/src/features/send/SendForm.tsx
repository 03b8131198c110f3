import { useId, useState, type FormEvent } from 'react';
import type { SendOutcome } from '../../../../shared/commands';
import { SEND_TEXT_CHARS_MAX, SEND_TTL_SECONDS_MAX } from '../../../../shared/send-bounds';
import { URGENCIES, type Urgency } from '../../../../shared/events';
import type { Result } from '../../../../shared/result';
import { formatHttpStatus, shortId } from '../../format';
import {
  selectActions,
  selectCanChangeLab,
  selectCurrentSubscriptionId,
  useLab,
} from '../../store';
import { sendFieldProblems } from './send-fields';

export const DEFAULT_TTL_SECONDS = 60;
export const DEFAULT_TEXT = 'Hello from Push Lab';

/** Has the lab's application server send a message to the selected subscription. */
export function SendForm() {
  const subscriptionId = useLab(selectCurrentSubscriptionId);
  const { send } = useLab(selectActions);
  // Sending changes the lab: not while the views show the past (the travel banner says so).
  const canChange = useLab(selectCanChangeLab);
  const [ttl, setTtl] = useState(String(DEFAULT_TTL_SECONDS));
  const [urgency, setUrgency] = useState<Urgency>('normal');
  const [topic, setTopic] = useState('');
  const [text, setText] = useState(DEFAULT_TEXT);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Result<SendOutcome> | null>(null);
  const id = useId();
  const problems = sendFieldProblems({ ttl, topic, text });
  const invalid = Object.keys(problems).length > 0;
  /** A changed field makes the last answer stale: it was about other values. */
  const edit =
    (set: (value: string) => void) =>
    (value: string): void => {
      set(value);
      setOutcome(null);
    };

  async function onSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (subscriptionId === null || busy || !canChange || invalid) return;
    const ttlSeconds = Number(ttl);
    const trimmedTopic = topic.trim();
    setBusy(true);
    setOutcome(null);
    try {
      setOutcome(
        await send({
          subscriptionId,
          ttlSeconds,
          urgency,
          ...(trimmedTopic === '' ? {} : { topic: trimmedTopic }),
          text,
        }),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel send" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>
        Send{' '}
        {subscriptionId !== null && (
          <span className="muted">
            to <code title={subscriptionId}>{shortId(subscriptionId)}</code>
          </span>
        )}
      </h2>
      <form className="send-form" onSubmit={(e) => void onSubmit(e)}>
        <label>
          TTL (s)
          <input
            type="number"
            min={0}
            max={SEND_TTL_SECONDS_MAX}
            step={1}
            inputMode="numeric"
            value={ttl}
            aria-invalid={problems.ttl !== undefined}
            onChange={(e) => edit(setTtl)(e.target.value)}
            data-testid="send-ttl"
          />
          <FieldProblem field="ttl" problem={problems.ttl} />
        </label>
        <label>
          Urgency
          <select
            value={urgency}
            onChange={(e) => {
              setUrgency(e.target.value as Urgency);
              setOutcome(null);
            }}
            data-testid="send-urgency"
          >
            {URGENCIES.map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </select>
        </label>
        <label>
          Topic
          <input
            type="text"
            value={topic}
            placeholder="optional"
            maxLength={32}
            pattern="[A-Za-z0-9_\-]{1,32}"
            title="1 to 32 characters: letters, digits, - and _"
            aria-invalid={problems.topic !== undefined}
            onChange={(e) => edit(setTopic)(e.target.value)}
            data-testid="send-topic"
          />
          <FieldProblem field="topic" problem={problems.topic} />
        </label>
        <label className="send-text">
          Text
          <input
            type="text"
            value={text}
            maxLength={SEND_TEXT_CHARS_MAX}
            aria-invalid={problems.text !== undefined}
            onChange={(e) => edit(setText)(e.target.value)}
            data-testid="send-text"
          />
          <FieldProblem field="text" problem={problems.text} />
        </label>
        <div className="send-actions">
          <button
            type="submit"
            disabled={subscriptionId === null || busy || !canChange || invalid}
            title={
              !canChange
                ? 'Back to live to send'
                : invalid
                  ? 'Correct the fields marked'
                  : undefined
            }
            data-testid="send-button"
          >
            {busy ? 'Sending…' : 'Send'}
          </button>
          <SendResult outcome={outcome} />
        </div>
      </form>
    </section>
  );
}

/** A field's problem, under it, in plain words (nothing when the value is fine). */
function FieldProblem({ field, problem }: { field: string; problem: string | undefined }) {
  if (problem === undefined) return null;
  return (
    <span className="field-problem" role="alert" data-testid={`send-${field}-problem`}>
      {problem}
    </span>
  );
}

function SendResult({ outcome }: { outcome: Result<SendOutcome> | null }) {
  if (outcome === null)
    return <span className="send-outcome" data-testid="send-outcome" aria-live="polite" />;
  if (!outcome.ok) {
    return (
      <span
        className="send-outcome send-error"
        data-testid="send-outcome"
        data-ok="false"
        aria-live="polite"
        title={outcome.error.code}
      >
        {outcome.error.message}
      </span>
    );
  }
  const { status, messageId, detail } = outcome.value;
  const good = status >= 200 && status < 300;
  return (
    <span
      className={`send-outcome ${good ? 'send-ok' : 'send-error'}`}
      data-testid="send-outcome"
      data-ok={String(good)}
      data-status={status}
      aria-live="polite"
    >
      {formatHttpStatus(status)}
      {messageId !== null && (
        <>
          {' · '}
          <code title={messageId}>{shortId(messageId)}</code>
        </>
      )}
      {detail !== null && detail !== '' && <> · {detail}</>}
    </span>
  );
}
