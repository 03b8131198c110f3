/**
 * The Metrics view's losses readout reads the model's counters — the numbers the counter
 * strip shows — not the last second's bucket (which said "0 expired · 0 dropped" over a
 * chart full of expiries as soon as a second passed quietly).
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MetricsView } from '../../../src/renderer/src/features/metrics/MetricsView';
import { createLabStore, LabProvider } from '../../../src/renderer/src/store';
import type { LabEventBody } from '../../../src/shared/events';
import { fakeFrames, idleClient, modelAfter, stamp } from './fixtures';

const accepted = (messageId: string): LabEventBody => ({
  kind: 'message.accepted',
  serviceId: 's1',
  subscriptionId: 'sub1',
  messageId,
  ttlSeconds: 1,
  ttlRequestedSeconds: 1,
  urgency: 'normal',
  topic: null,
  bytes: 10,
  receiptRequested: false,
  senderId: null,
});

describe('the Metrics losses readout', () => {
  it('says the totals the counter strip says, after quiet seconds too', () => {
    const events = stamp(1, [
      { kind: 'service.started', serviceId: 's1', url: 'https://x', profile: 'rfc8030' },
      accepted('m1'),
      accepted('m2'),
      accepted('m3'),
      { kind: 'message.expired', subscriptionId: 'sub1', messageId: 'm1' },
      { kind: 'message.expired', subscriptionId: 'sub1', messageId: 'm2' },
      {
        kind: 'message.dropped',
        subscriptionId: 'sub1',
        messageId: 'm3',
        reason: 'subscription-deleted',
      },
    ]);
    // The losses land in the first second; a later, quiet event ends the ring 9 s on.
    events.push({
      ...stamp(events.length + 1, [{ kind: 'service.stopped', serviceId: 's1' }])[0]!,
      t: events[0]!.t + 9_000,
    });
    const model = modelAfter(events);
    expect(model.counters).toMatchObject({ expired: 2, dropped: 1 });
    const store = createLabStore(idleClient(), { schedule: fakeFrames().schedule });
    store.setState({ model, liveModel: model, recentEvents: events, status: 'open' });
    store.getInitialState = store.getState;
    const html = renderToStaticMarkup(
      createElement(LabProvider, { store, children: createElement(MetricsView) }),
    );
    const losses = /data-testid="metric-losses"[\s\S]*?<span class="count">([^<]*)<\/span>/.exec(
      html,
    );
    expect(losses?.[1]).toBe('2 expired · 1 dropped in all');
  });
});
