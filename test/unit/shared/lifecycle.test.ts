/**
 * The message lifecycle's step function: each transition, repeated and out-of-order events,
 * and how a message stands at a run's end.
 */
import { describe, expect, it } from 'vitest';
import type { LabEvent, LabEventBody } from '../../../src/shared/events';
import {
  endedBy,
  isLostAt,
  stepMessage,
  type AcceptedLife,
  type MessageLife,
} from '../../../src/shared/lifecycle';

let seq = 0;
const ev = (t: number, body: LabEventBody): LabEvent => ({ ...body, seq: ++seq, t }) as LabEvent;
const accept = (t: number, ttlSeconds = 60, id = 'm1'): LabEvent =>
  ev(t, {
    kind: 'message.accepted',
    serviceId: 'ps1',
    subscriptionId: 's1',
    messageId: id,
    ttlSeconds,
    ttlRequestedSeconds: ttlSeconds,
    urgency: 'normal',
    topic: 'news',
    bytes: 42,
    receiptRequested: true,
    senderId: 'as1',
  });
const push = (t: number, attempt = 1): LabEvent =>
  ev(t, {
    kind: 'message.pushed',
    subscriptionId: 's1',
    messageId: 'm1',
    attempt,
    urgencyMin: 'very-low',
  });
const receive = (t: number, duplicate = false): LabEvent =>
  ev(t, {
    kind: 'message.received',
    agentId: 'ua1',
    subscriptionId: 's1',
    messageId: 'm1',
    bytes: 42,
    duplicate,
    decryption: 'ok',
    preview: 'hi',
  });
const end = (t: number, kind: 'acked' | 'expired' | 'dropped'): LabEvent =>
  kind === 'dropped'
    ? ev(t, {
        kind: 'message.dropped',
        subscriptionId: 's1',
        messageId: 'm1',
        reason: 'subscription-deleted',
      })
    : ev(t, { kind: `message.${kind}`, subscriptionId: 's1', messageId: 'm1' });
const replace = (t: number): LabEvent =>
  ev(t, { kind: 'message.replaced', subscriptionId: 's1', messageId: 'm1', byMessageId: 'm2' });
const receipt = (t: number, status: 204 | 410): LabEvent =>
  ev(t, { kind: 'receipt.sent', messageId: 'm1', status });
const device = (t: number): LabEvent =>
  ev(t, {
    kind: 'device.delivered',
    gatewayId: 'gw1',
    deviceId: 'd1',
    messageId: 'm1',
    confirmed: true,
  });

function fold(events: readonly LabEvent[]): AcceptedLife | undefined {
  let life: AcceptedLife | undefined;
  for (const e of events) life = stepMessage(life, e);
  return life;
}

describe('the message lifecycle', () => {
  it('follows a message from acceptance through push, reception and ack to its receipt', () => {
    const a = accept(1000, 30);
    const life0 = stepMessage(undefined, a)!;
    expect(life0).toMatchObject({
      id: 'm1',
      subscriptionId: 's1',
      serviceId: 'ps1',
      senderId: 'as1',
      state: 'queued',
      acceptedSeq: a.seq,
      acceptedAt: 1000,
      expiresAt: 31_000,
      attempts: 0,
      end: null,
    });
    const life1 = stepMessage(life0, push(1100))!;
    expect(life1).toMatchObject({ state: 'pushed', attempts: 1, pushes: 1, pushedAt: 1100 });
    const life2 = stepMessage(life1, receive(1150))!;
    expect(life2).toMatchObject({ receivedAt: 1150, deliveredAt: 1150 });
    const ack = end(1200, 'acked');
    const life3 = stepMessage(life2, ack)!;
    expect(life3).toMatchObject({
      state: 'acked',
      end: 'acked',
      endSeq: ack.seq,
      finishedAt: 1200,
    });
    expect(endedBy(life2, life3)).toBe(true);
    const r = receipt(1250, 204);
    expect(stepMessage(life3, r)).toMatchObject({ receipt: 204, receiptSeq: r.seq });
  });

  it('keeps the first acceptance, end, reception and receipt; later ones change nothing', () => {
    const life = fold([accept(0), push(10), receive(20), end(30, 'expired'), receipt(31, 410)])!;
    for (const e of [
      accept(40),
      end(50, 'acked'),
      end(51, 'expired'),
      replace(52),
      receive(60, true),
      receipt(70, 204),
    ]) {
      expect(stepMessage(life, e), e.kind).toBe(life);
    }
    expect(endedBy(life, life)).toBe(false);
  });

  it('keeps an end when the message is pushed after it (the checker flags the push)', () => {
    const expired = fold([accept(0, 1), push(10), end(1000, 'expired')])!;
    const late = stepMessage(expired, push(1500, 2))!;
    expect(late).toMatchObject({ state: 'expired', end: 'expired', attempts: 2, pushes: 2 });
  });

  it('ends a replaced message and names its replacement; an ack after that is ignored', () => {
    const replaced = fold([accept(0), push(5), replace(10)])!;
    expect(replaced).toMatchObject({ state: 'replaced', end: 'replaced', replacedBy: 'm2' });
    expect(stepMessage(replaced, end(20, 'acked'))).toBe(replaced);
  });

  it('drops, and counts a device delivery as a delivery', () => {
    const life = fold([accept(0), device(7), end(9, 'dropped')])!;
    expect(life).toMatchObject({
      deviceDeliveredAt: 7,
      deliveredAt: 7,
      receivedAt: null,
      state: 'dropped',
    });
  });

  it('takes the highest attempt whatever order the pushes come in', () => {
    expect(fold([accept(0), push(5, 3), push(6, 2)])).toMatchObject({ attempts: 3, pushes: 2 });
  });

  it('ignores events about a message never accepted, unless asked to pick it up midway', () => {
    expect(stepMessage(undefined, push(5))).toBeUndefined();
    expect(stepMessage(undefined, end(5, 'acked'))).toBeUndefined();
    const midway: MessageLife = stepMessage(undefined, end(5, 'expired'), true)!;
    expect(midway).toMatchObject({ acceptedSeq: null, acceptedAt: null, end: 'expired' });
    expect(endedBy(undefined, midway)).toBe(true);
    // An acceptance after the pickup does not reopen it.
    expect(stepMessage(midway, accept(6), true)).toBe(midway);
  });

  it('judges an outstanding message lost once its TTL ran out before the run ended', () => {
    const queued = fold([accept(0, 10)])!;
    expect(isLostAt(queued, 10_000)).toBe(false);
    expect(isLostAt(queued, 10_001)).toBe(true);
    expect(isLostAt(queued, 10_500, 1000)).toBe(false);
    const acked = stepMessage(queued, end(20_000, 'acked'))!;
    expect(isLostAt(acked, 99_000)).toBe(false);
  });

  it('keeps a pushed TTL-0 message outstanding while it awaits its ack', () => {
    const pushed = fold([accept(0, 0), push(1)])!;
    expect(isLostAt(pushed, 60_000)).toBe(false);
    expect(isLostAt(fold([accept(0, 0)])!, 60_000)).toBe(true);
  });
});

describe('legacy forms', () => {
  it('an acceptance naming legacy forms keeps them; one without (older traces too) has none; midway unknown', () => {
    const plain = stepMessage(undefined, accept(0)) as AcceptedLife;
    expect(plain.legacy).toEqual([]);
    const legacy = stepMessage(undefined, {
      ...accept(0),
      legacy: ['aesgcm', 'vapid-webpush'],
    } as LabEvent) as AcceptedLife;
    expect(legacy.legacy).toEqual(['aesgcm', 'vapid-webpush']);
    // Later steps carry it on; a midway life cannot know it.
    expect((stepMessage(legacy, push(10)) as AcceptedLife).legacy).toEqual([
      'aesgcm',
      'vapid-webpush',
    ]);
    expect(stepMessage(undefined, push(10), true)?.legacy).toBeNull();
  });
});
