/**
 * The inspector names the legacy forms a message was sent with (aesgcm, the WebPush VAPID
 * scheme), from the model's message and from its story; a message sent the RFC way says none.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { App } from '../../../src/renderer/src/App';
import { createLabStore, LabProvider } from '../../../src/renderer/src/store';
import { LabStream } from '../trace/lab-stream';
import { fakeFrames, idleClient, modelAfter } from './fixtures';

const events = new LabStream()
  .service(0)
  .subscribe(0, 'sub1', null)
  .accept(1, 'old', { subscriptionId: 'sub1', legacy: ['aesgcm', 'vapid-webpush'] })
  .accept(2, 'rfc', { subscriptionId: 'sub1' }).events;

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
