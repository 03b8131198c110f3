import { describe, expect, it } from 'vitest';
import { buildStory } from '../../../src/renderer/src/features/inspector/story';
import type { LabEventBody } from '../../../src/shared/events';
import { stamp } from './fixtures';

const events = stamp(1, [
  {
    kind: 'message.accepted',
    serviceId: 's1',
    subscriptionId: 'sub1',
    messageId: 'm1',
    ttlSeconds: 3600,
    ttlRequestedSeconds: 86_400,
    urgency: 'high',
    topic: 'news',
    bytes: 2048,
    receiptRequested: true,
    senderId: 'as1',
  },
  {
    kind: 'message.pushed',
    subscriptionId: 'sub1',
    messageId: 'm1',
    attempt: 1,
    urgencyMin: 'low',
  },
  { kind: 'agent.started', agentId: 'other', role: 'user-agent', label: 'x' },
  {
    kind: 'message.pushed',
    subscriptionId: 'sub1',
    messageId: 'm1',
    attempt: 2,
    urgencyMin: 'normal',
  },
  {
    kind: 'message.received',
    agentId: 'ua1',
    subscriptionId: 'sub1',
    messageId: 'm1',
    bytes: 19,
    duplicate: false,
    decryption: 'ok',
    preview: 'Hello from Push Lab',
  },
  {
    kind: 'message.received',
    agentId: 'ua1',
    subscriptionId: 'sub1',
    messageId: 'm1',
    bytes: 19,
    duplicate: true,
    decryption: 'ok',
    preview: 'Hello from Push Lab',
  },
  { kind: 'message.acked', subscriptionId: 'sub1', messageId: 'm1' },
  { kind: 'receipt.sent', messageId: 'm1', status: 204 },
  { kind: 'receipt.received', agentId: 'as1', messageId: 'm1', status: 204 },
  { kind: 'message.replaced', subscriptionId: 'sub1', messageId: 'm0', byMessageId: 'm1' },
] satisfies LabEventBody[]);

describe('inspector story', () => {
  it('tells the whole story in order, with the details that matter', () => {
    const story = buildStory('m1', events);
    expect(story.complete).toBe(true);
    expect(story.preview).toBe('Hello from Push Lab');
    expect(story.steps.map((s) => s.title)).toEqual([
      'Accepted by s1',
      'Pushed (attempt 1)',
      'Redelivered (attempt 2)',
      'Received by ua1',
      'Received by ua1 (duplicate)',
      'Acknowledged (DELETE)',
      'Receipt sent: 204',
      'Receipt received by as1: 204',
      'Replaced earlier message m0',
    ]);
    const accepted = Object.fromEntries(story.steps[0]!.details);
    expect(accepted).toMatchObject({
      TTL: '1 h (3,600 s) kept, asked 24 h (86,400 s)',
      Urgency: 'high',
      Topic: 'news',
      Size: '2 KiB',
      'Receipt requested': 'yes',
      Sender: 'as1',
    });
    expect(Object.fromEntries(story.steps[2]!.details)).toEqual({
      'Monitor urgency filter': '≥ normal',
    });
    expect(Object.fromEntries(story.steps[3]!.details)).toMatchObject({
      Duplicate: 'no',
      Decryption: 'ok',
      Preview: 'Hello from Push Lab',
    });
    expect(story.steps[4]!.tone).toBe('warn');
  });

  it('tells the replaced message how it ended, and notes a story that starts late', () => {
    const old = buildStory('m0', events);
    expect(old.complete).toBe(false);
    expect(old.preview).toBeNull();
    expect(old.steps.map((s) => s.title)).toEqual(['Replaced by m1']);
  });

  it('hides the preview of a message that failed to decrypt', () => {
    const failed = buildStory(
      'm5',
      stamp(1, [
        {
          kind: 'message.received',
          agentId: 'ua1',
          subscriptionId: 'sub1',
          messageId: 'm5',
          bytes: 10,
          duplicate: false,
          decryption: 'failed',
          preview: '',
        },
        { kind: 'message.expired', subscriptionId: 'sub1', messageId: 'm5' },
      ]),
    );
    expect(failed.preview).toBeNull();
    expect(failed.steps.map((s) => [s.title, s.tone])).toEqual([
      ['Received by ua1', 'bad'],
      ['Expired (TTL ran out)', 'bad'],
    ]);
  });

  it('tells how the lifecycle ended the message, and an end after the end as ignored', () => {
    const twice = stamp(1, [
      events[0]!,
      { kind: 'message.expired', subscriptionId: 'sub1', messageId: 'm1' },
      { kind: 'message.acked', subscriptionId: 'sub1', messageId: 'm1' },
    ] as LabEventBody[]);
    const story = buildStory('m1', twice);
    expect(story.life).toMatchObject({ end: 'expired', state: 'expired' });
    expect(story.steps.slice(1).map((s) => [s.title, s.tone])).toEqual([
      ['Expired (TTL ran out)', 'bad'],
      ['Acknowledged (DELETE) — ignored, it was already expired', 'warn'],
    ]);
  });
});
