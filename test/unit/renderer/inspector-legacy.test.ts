/**
 * The inspector names the legacy forms a message was sent with (aesgcm, the WebPush VAPID
 * scheme), from the model's message and from its story; a message sent the RFC way says none.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { App } from '../../../src/renderer/src/App';
import { createLabStore, LabProvider } from '../../../src/renderer/src/store';
import type { LabEventBody, LegacyForm } from '../../../src/shared/events';
import { fakeFrames, idleClient, modelAfter, stamp } from './fixtures';

const accepted = (messageId: string, legacy?: LegacyForm[]): LabEventBody => ({
  kind: 'message.accepted',
  serviceId: 'ps1',
  subscriptionId: 'sub1',
  messageId,
  ttlSeconds: 60,
  ttlRequestedSeconds: 60,
  urgency: 'normal',
  topic: null,
  bytes: 120,
  receiptRequested: false,
  senderId: null,
  ...(legacy ? { legacy } : {}),
});

const events = stamp(1, [
  { kind: 'service.started', serviceId: 'ps1', url: 'http://127.0.0.1:1', profile: 'rfc8030' },
  {
    kind: 'subscription.created',
    serviceId: 'ps1',
    subscriptionId: 'sub1',
    agentId: null,
    pushPath: '/push/1',
  },
  accepted('old', ['aesgcm', 'vapid-webpush']),
  accepted('rfc'),
]);

/** The App server-rendered with `messageId` selected over a model and story of `events`. */
function inspect(messageId: string): string {
  const store = createLabStore(idleClient(), { schedule: fakeFrames().schedule });
  const model = modelAfter(events);
  store.setState({
    model,
    liveModel: model,
    recentEvents: events,
    status: 'open',
    hasConnected: true,
    selectedMessageId: messageId,
  });
  store.getInitialState = store.getState;
  return renderToStaticMarkup(createElement(LabProvider, { store, children: createElement(App) }));
}

describe('inspector: legacy forms', () => {
  it('shows "legacy aesgcm" and the WebPush VAPID scheme in the summary and the accepted step', () => {
    const html = inspect('old');
    expect(html).toMatch(
      /data-testid="inspector-legacy"[^>]*>legacy aesgcm, legacy WebPush VAPID<\/dd>/,
    );
    expect(html).toContain('<dt>Sent with</dt><dd>legacy aesgcm, legacy WebPush VAPID</dd>');
  });

  it('says nothing of the kind for an RFC 8291/8292 message', () => {
    const html = inspect('rfc');
    expect(html).toContain('data-testid="inspector"');
    expect(html).not.toContain('inspector-legacy');
    expect(html).not.toContain('legacy');
  });
});
