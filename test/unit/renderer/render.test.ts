/**
 * Smoke test of the view without a DOM: server-render the App over a store fed by a fake
 * client and check what the e2e test relies on (test ids, states, order).
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { App } from '../../../src/renderer/src/App';
import type { ConnectionStatus, LabClient } from '../../../src/renderer/src/bridge/client';
import { createLabStore, LabProvider, type LabStore } from '../../../src/renderer/src/store';
import type { LabEventBody } from '../../../src/shared/events';
import type { LabModel } from '../../../src/shared/model';
import { fakeFrames, modelAfter, stamp, idleClient } from './fixtures';

function storeWith(
  model: LabModel,
  status: ConnectionStatus,
  everOpen = status === 'open',
): LabStore {
  const client: LabClient = idleClient();
  const store = createLabStore(client, { schedule: fakeFrames().schedule });
  store.setState({ model, liveModel: model, status, hasConnected: everOpen });
  // Server rendering reads the store's initial state; make it the current one.
  store.getInitialState = store.getState;
  return store;
}

const render = (store: LabStore) =>
  renderToStaticMarkup(createElement(LabProvider, { store, children: createElement(App) }));

const accepted = (messageId: string, subscriptionId: string, ttlSeconds = 60): LabEventBody => ({
  kind: 'message.accepted',
  serviceId: 's1',
  subscriptionId,
  messageId,
  ttlSeconds,
  ttlRequestedSeconds: ttlSeconds,
  urgency: 'high',
  topic: messageId === 'm2' ? 'news' : null,
  bytes: 100,
  receiptRequested: false,
  senderId: null,
});

const lab = modelAfter(
  stamp(1, [
    { kind: 'service.started', serviceId: 's1', url: 'https://127.0.0.1:4430', profile: 'rfc8030' },
    { kind: 'agent.started', agentId: 'ua1', role: 'user-agent', label: 'Phone' },
    {
      kind: 'subscription.created',
      serviceId: 's1',
      subscriptionId: 'sub1',
      agentId: 'ua1',
      pushPath: '/p/1',
    },
    {
      kind: 'subscription.created',
      serviceId: 's1',
      subscriptionId: 'sub2',
      agentId: null,
      pushPath: '/p/2',
    },
    accepted('m1', 'sub1'),
    accepted('m2', 'sub1'),
    accepted('m3', 'sub1'),
    accepted('x1', 'sub2'),
    {
      kind: 'message.pushed',
      subscriptionId: 'sub1',
      messageId: 'm1',
      attempt: 1,
      urgencyMin: 'very-low',
    },
    { kind: 'message.acked', subscriptionId: 'sub1', messageId: 'm1' },
    {
      kind: 'message.pushed',
      subscriptionId: 'sub1',
      messageId: 'm2',
      attempt: 1,
      urgencyMin: 'very-low',
    },
  ]),
);

describe('App (server-rendered)', () => {
  it('renders the header, subscriptions and the first subscription’s queue, newest first', () => {
    const html = render(storeWith(lab, 'open'));
    expect(html).toContain('Push Lab');
    expect(html).toContain('data-testid="connection-status" data-status="open"');
    expect(html).toContain('https://127.0.0.1:4430');
    expect(html).toContain('rfc8030');
    expect(html.match(/data-testid="subscription-row"/g)).toHaveLength(2);
    expect(html).toContain('Phone');

    const rows = [
      ...html.matchAll(/data-testid="message-row" data-state="(\w+)" data-message-id="(\w+)"/g),
    ];
    expect(rows.map((r) => [r[2], r[1]])).toEqual([
      ['m3', 'queued'],
      ['m2', 'pushed'],
      ['m1', 'acked'],
    ]);
    expect(html).toContain('data-testid="send-button"');
    expect(html).not.toContain('data-testid="connection-banner"');
    // TTL label of a live message: 60 s TTL accepted at the last event's time or before.
    expect(html).toMatch(/class="ttl-label">\d+ s</);
  });

  it('shows the banner when the connection is lost', () => {
    const html = render(storeWith(lab, 'connecting', true));
    expect(html).toContain('Connection to the lab lost — reconnecting…');
    expect(html).toContain('data-status="connecting"');
  });

  it('renders an empty lab with the send button disabled', () => {
    const html = render(storeWith(modelAfter([]), 'connecting'));
    expect(html).toContain('No push service running');
    expect(html).toMatch(/<button type="submit" disabled="" data-testid="send-button"/);
    expect(html).not.toContain('data-testid="message-row"');
  });
});
