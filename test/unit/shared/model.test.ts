import { describe, expect, it } from 'vitest';
import type { LabEvent, LabEventBody } from '../../../src/shared/events';
import { applyEvents, emptyModel, FINISHED_MESSAGES_MAX } from '../../../src/shared/model';

let seq = 0;
const ev = (body: LabEventBody, t = seq * 10): LabEvent => ({ ...body, seq: ++seq, t }) as LabEvent;
const accepted = (messageId: string, ttlSeconds = 60) =>
  ev({
    kind: 'message.accepted',
    serviceId: 'ps1',
    subscriptionId: 's1',
    messageId,
    ttlSeconds,
    ttlRequestedSeconds: ttlSeconds,
    urgency: 'normal',
    topic: null,
    bytes: 5,
    receiptRequested: false,
    senderId: null,
  });

describe('the shared LabModel reducer', () => {
  const sub = () =>
    ev({
      kind: 'subscription.created',
      serviceId: 'ps1',
      subscriptionId: 's1',
      agentId: 'ua1',
      pushPath: '/push/x',
    });

  it('follows a message queued → pushed → acked and keeps the outstanding count', () => {
    seq = 0;
    let m = applyEvents(emptyModel(), [sub(), accepted('m1')]);
    expect(m.messages.get('m1')!.state).toBe('queued');
    expect(m.subscriptions.get('s1')!.outstanding).toBe(1);
    m = applyEvents(m, [
      ev({
        kind: 'message.pushed',
        subscriptionId: 's1',
        messageId: 'm1',
        attempt: 1,
        urgencyMin: 'very-low',
      }),
    ]);
    expect(m.messages.get('m1')!.state).toBe('pushed');
    m = applyEvents(m, [ev({ kind: 'message.acked', subscriptionId: 's1', messageId: 'm1' })]);
    expect(m.messages.get('m1')!.state).toBe('acked');
    expect(m.subscriptions.get('s1')!.outstanding).toBe(0);
    expect(m.counters).toMatchObject({ accepted: 1, pushed: 1, acked: 1 });
  });

  it('computes the expiry time from the event time and TTL', () => {
    seq = 0;
    const m = applyEvents(emptyModel(), [sub(), accepted('m1', 30)]);
    expect(m.messages.get('m1')!.expiresAt).toBe(m.messages.get('m1')!.acceptedAt + 30_000);
  });

  it('skips events it has already applied (snapshot then overlapping batch)', () => {
    seq = 0;
    const events = [sub(), accepted('m1')];
    const once = applyEvents(emptyModel(), events);
    const twice = applyEvents(once, events);
    expect(twice).toEqual(once);
    expect(twice.counters.accepted).toBe(1);
  });

  it('replaces only the tables a batch touched', () => {
    seq = 0;
    const before = applyEvents(emptyModel(), [sub(), accepted('m1')]);
    const after = applyEvents(before, [
      ev({ kind: 'agent.started', agentId: 'ua2', role: 'user-agent', label: 'ua2' }),
    ]);
    expect(after.messages).toBe(before.messages);
    expect(after.subscriptions).toBe(before.subscriptions);
    expect(after.agents).not.toBe(before.agents);
  });

  it('forgets the oldest finished messages beyond its bound', () => {
    seq = 0;
    const events: LabEvent[] = [sub()];
    for (let i = 0; i < FINISHED_MESSAGES_MAX + 5; i++) {
      events.push(
        accepted(`m${i}`),
        ev({ kind: 'message.expired', subscriptionId: 's1', messageId: `m${i}` }),
      );
    }
    const m = applyEvents(emptyModel(), events);
    expect(m.messages.size).toBe(FINISHED_MESSAGES_MAX);
    expect(m.messages.get('m0')).toBeUndefined();
    expect(m.counters.expired).toBe(FINISHED_MESSAGES_MAX + 5);
  });
});
