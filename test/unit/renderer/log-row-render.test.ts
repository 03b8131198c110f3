/**
 * A Log row on one line shortens its ids and cuts its details; expanded, it names every id in
 * full and says so to assistive technology (aria-expanded), so → / ← and the disclosure mark
 * have something to show.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { LogRow } from '../../../src/renderer/src/features/log/LogRow';
import { stamp } from './fixtures';

const [accepted] = stamp(7, [
  {
    kind: 'message.accepted',
    serviceId: 'ps1',
    subscriptionId: 'ps1.subscription-with-a-long-id',
    messageId: 'ps1.message-with-a-long-id',
    senderId: 'as',
    ttlSeconds: 3600,
    ttlRequestedSeconds: 3600,
    urgency: 'normal',
    topic: null,
    bytes: 113,
    receiptRequested: false,
  } as never,
]);

const render = (expanded: boolean) =>
  renderToStaticMarkup(
    createElement(LogRow, {
      event: accepted!,
      startT: 0,
      height: 24,
      selected: false,
      expanded,
      onSelectMessage: () => {},
      onExpand: () => {},
    }),
  );

describe('log row', () => {
  it('shows ids shortened on one line and whole when expanded', () => {
    const line = render(false);
    expect(line).toContain('aria-expanded="false"');
    expect(line).toContain('height:24px');
    expect(line).not.toContain('>ps1.message-with-a-long-id<');
    const full = render(true);
    expect(full).toContain('aria-expanded="true"');
    expect(full).toContain('log-row-expanded');
    expect(full).toContain('min-height:24px');
    expect(full).toContain('>ps1.message-with-a-long-id<');
    expect(full).toContain('>ps1.subscription-with-a-long-id<');
  });
});
