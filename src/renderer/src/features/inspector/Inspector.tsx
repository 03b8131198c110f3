import { useEffect, useMemo } from 'react';
import { DOCK_WIDTH_MIN } from './dock';
import { describeLegacy } from '../../../../shared/events';
import { formatLabTime, formatBytes } from '../../../../shared/format';
import {
  selectActions,
  selectRecentEvents,
  selectSelectedMessageId,
  selectStartTime,
  useLab,
} from '../../store';
import { StateBadge } from '../messages/StateBadge';
import { formatOffset } from '../log/filters';
import { MessageBody } from './MessageBody';
import { buildStory } from './story';
import { useDockWidth } from './useDockWidth';

/**
 * The selected message's full story, docked beside the views while a message is selected: the
 * app's grid (App.tsx, styles.css `.app`) gives it a column of its own, so it narrows the
 * views instead of covering their toolbars. Resizable by its left edge.
 */
export function Inspector() {
  const messageId = useLab(selectSelectedMessageId);
  if (messageId === null) return null;
  return <InspectorPanel messageId={messageId} />;
}

function InspectorPanel({ messageId }: { messageId: string }) {
  const events = useLab(selectRecentEvents);
  const message = useLab((s) => s.model.messages.get(messageId));
  const startT = useLab(selectStartTime);
  const { selectMessage } = useLab(selectActions);
  const story = useMemo(() => buildStory(messageId, events), [messageId, events]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') selectMessage(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selectMessage]);

  // Closing gives the focus back to the row that opened it, not to the page's start.
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    return () => {
      const active = document.activeElement;
      if (opener?.isConnected && (active === null || active === document.body)) opener.focus();
    };
  }, []);

  const { width, handle } = useDockWidth();

  return (
    <aside
      className="inspector"
      data-testid="inspector"
      aria-label="Message inspector"
      style={{ width }}
    >
      <div
        className="inspector-resize"
        role="separator"
        aria-orientation="vertical"
        aria-label="Resize the inspector (← wider, → narrower)"
        aria-valuenow={width}
        aria-valuemin={DOCK_WIDTH_MIN}
        tabIndex={0}
        data-testid="inspector-resize"
        {...handle}
      />
      <div className="inspector-inner">
        <header className="inspector-header">
          <h2>
            Message <code title={messageId}>{messageId}</code>
          </h2>
          <button
            type="button"
            className="inspector-close"
            aria-label="Close inspector"
            title="Close (Esc)"
            data-testid="inspector-close"
            onClick={() => selectMessage(null)}
          >
            ×
          </button>
        </header>
        {message ? (
          <dl className="inspector-summary">
            <dt>State</dt>
            <dd data-testid="inspector-state">
              <StateBadge state={message.state} />
            </dd>
            <dt>Subscription</dt>
            <dd>
              <code>{message.subscriptionId}</code>
            </dd>
            <dt>Accepted</dt>
            <dd>{formatLabTime(message.acceptedAt - startT)}</dd>
            <dt>Attempts</dt>
            <dd>{message.attempts}</dd>
            <dt>Size</dt>
            <dd>{formatBytes(message.bytes)}</dd>
            {message.legacy !== null && message.legacy.length > 0 && (
              <>
                <dt>Sent with</dt>
                <dd data-testid="inspector-legacy" title="Draft-era forms RFC 8291/8292 replaced">
                  {describeLegacy(message.legacy)}
                </dd>
              </>
            )}
          </dl>
        ) : (
          <p className="muted">No longer in the lab model (finished messages are forgotten).</p>
        )}
        {story.preview !== null && (
          <p className="inspector-preview">
            Decrypted: <q data-testid="inspector-preview">{story.preview}</q>
          </p>
        )}
        <MessageBody messageId={messageId} />
        {!story.complete && (
          <p className="muted inspector-note">
            Its acceptance is older than the events kept; the story starts later.
          </p>
        )}
        <ol className="inspector-steps">
          {story.steps.map((step) => (
            <li
              key={`${step.seq}-${step.title}`}
              className={`inspector-step story-${step.tone}`}
              data-testid="inspector-step"
              data-kind={step.kind}
            >
              <div className="inspector-step-head">
                <span className="log-time">{formatOffset(step.t - startT)}</span>
                <span className="inspector-step-title">{step.title}</span>
              </div>
              {step.details.length > 0 && (
                <dl>
                  {step.details.map(([label, value]) => (
                    <div key={label}>
                      <dt>{label}</dt>
                      <dd>{value}</dd>
                    </div>
                  ))}
                </dl>
              )}
            </li>
          ))}
        </ol>
      </div>
    </aside>
  );
}
