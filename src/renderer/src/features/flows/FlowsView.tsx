import { useMemo, useState } from 'react';
import {
  selectActions,
  selectCurrentSubscriptionId,
  selectRecentEvents,
  selectSelectedMessageId,
  selectStartTime,
  useLab,
} from '../../store';
import { FlowChart, FlowLaneHeader, FlowTimeColumn } from './FlowChart';
import { FlowIndex, layoutFlow, selectFlowEvents, type FlowMode } from './layout';
import { shortId } from '../../format';

type ModeKind = FlowMode['kind'];

/** The message sequence chart for a message, a subscription, or the last N seconds. */
export function FlowsView() {
  const events = useLab(selectRecentEvents);
  const selectedMessageId = useLab(selectSelectedMessageId);
  const subscriptionId = useLab(selectCurrentSubscriptionId);
  const startT = useLab(selectStartTime);
  const labNow = useLab((s) => s.model.t);
  const subscriptions = useLab((s) => s.model.subscriptions);
  const messages = useLab((s) => s.model.messages);
  const agents = useLab((s) => s.model.agents);
  const { selectMessage } = useLab(selectActions);

  // null: follow the selection (the selected message, else the last seconds).
  const [chosen, setChosen] = useState<ModeKind | null>(null);
  const [seconds, setSeconds] = useState(30);
  const kind: ModeKind = chosen ?? (selectedMessageId !== null ? 'message' : 'window');

  const windowNow = kind === 'window' ? labNow : 0;
  const mode = useMemo(
    () => modeFor(kind, selectedMessageId, subscriptionId, seconds, windowNow),
    [kind, selectedMessageId, subscriptionId, seconds, windowNow],
  );
  const index = useMemo(
    () => new FlowIndex(events, { subscriptions, messages, agents }),
    [events, subscriptions, messages, agents],
  );
  const layout = useMemo(
    () => (mode === null ? null : layoutFlow(selectFlowEvents(events, mode), index)),
    [events, index, mode],
  );

  return (
    <main className="flows-view panel" aria-label="Flows">
      <div className="flows-toolbar" role="group" aria-label="Flow mode">
        {MODES.map(([id, label]) => (
          <button
            key={id}
            type="button"
            className="chip"
            aria-pressed={kind === id}
            data-testid={`flows-mode-${id}`}
            onClick={() => setChosen(id)}
          >
            {label}
          </button>
        ))}
        {kind === 'window' && (
          <label className="flows-seconds">
            last
            <input
              type="number"
              min={1}
              max={3600}
              value={seconds}
              onChange={(e) => setSeconds(Math.max(1, Number(e.target.value) || 1))}
            />
            s
          </label>
        )}
        <span className="count">{describe(mode)}</span>
      </div>
      {layout === null ? (
        <p className="muted">
          {kind === 'message'
            ? 'Select a message (in the Log, or by clicking an arrow) to see its flow.'
            : 'No subscription yet.'}
        </p>
      ) : layout.items.length === 0 ? (
        <p className="muted">No flow events in this range.</p>
      ) : (
        <>
          {layout.truncated && (
            <p className="muted" data-testid="flows-truncated">
              Showing the newest {layout.items.length} of {layout.total} arrows and marks.
            </p>
          )}
          <div className="flows-scroll" data-testid="flows-scroll">
            <FlowLaneHeader layout={layout} />
            <div className="flow-body" style={{ width: layout.width }}>
              <FlowTimeColumn layout={layout} startT={startT} />
              <FlowChart
                layout={layout}
                startT={startT}
                selectedMessageId={selectedMessageId}
                onSelectMessage={selectMessage}
              />
            </div>
          </div>
        </>
      )}
    </main>
  );
}

const MODES: readonly [ModeKind, string][] = [
  ['message', 'Selected message'],
  ['subscription', 'Subscription'],
  ['window', 'Time window'],
];

function modeFor(
  kind: ModeKind,
  messageId: string | null,
  subscriptionId: string | null,
  seconds: number,
  now: number,
): FlowMode | null {
  switch (kind) {
    case 'message':
      return messageId === null ? null : { kind, messageId };
    case 'subscription':
      return subscriptionId === null ? null : { kind, subscriptionId };
    case 'window':
      return { kind, seconds, now };
  }
}

function describe(mode: FlowMode | null): string {
  if (mode === null) return '';
  switch (mode.kind) {
    case 'message':
      return `message ${shortId(mode.messageId)}`;
    case 'subscription':
      return `subscription ${shortId(mode.subscriptionId)}`;
    case 'window':
      return `events of the last ${mode.seconds} s`;
  }
}
