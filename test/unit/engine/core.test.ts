import { describe, expect, it } from 'vitest';
import type { LabEvent, Urgency } from '../../../src/shared/events';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { PushCore } from '../../../src/main/engine/push/core';
import {
  DEFAULT_SERVICE_LIMITS,
  type Monitor,
  type StoredMessage,
} from '../../../src/main/engine/push/types';
import { EventBus } from '../../../src/main/engine/trace/bus';

function setup(limits = {}) {
  const clock = new VirtualClock(1_000_000);
  const bus = new EventBus(clock);
  const events: LabEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const core = new PushCore('ps1', clock, bus, { ...DEFAULT_SERVICE_LIMITS, ...limits });
  const sub = core.subscribe('ua1')!;
  const kinds = () => events.map((e) => e.kind);
  return { clock, bus, events, core, sub, kinds };
}

function send(
  core: PushCore,
  sub: ReturnType<PushCore['subscribe']>,
  ttlSeconds: number,
  extra: { urgency?: Urgency; topic?: string; receipt?: string } = {},
) {
  return core.send(sub!, {
    body: Buffer.from('x'),
    contentHeaders: {},
    ttlSeconds,
    urgency: extra.urgency ?? 'normal',
    topic: extra.topic ?? null,
    receiptSubscriptionId: extra.receipt ?? null,
    senderId: null,
  });
}

class FakeMonitor implements Monitor {
  delivered: StoredMessage[] = [];
  ended: number | null = null;
  constructor(
    readonly urgencyMin: Urgency = 'very-low',
    private accepting = true,
  ) {}
  deliver(message: StoredMessage): boolean {
    if (!this.accepting) return false;
    this.delivered.push(message);
    return true;
  }
  end(status: number): void {
    this.ended = status;
  }
}

describe('PushCore TTL', () => {
  it('expires a stored message exactly at its deadline, not a millisecond before', () => {
    const { clock, core, sub, kinds } = setup();
    send(core, sub, 30);
    clock.advance(29_999);
    expect(kinds()).not.toContain('message.expired');
    clock.advance(1);
    expect(kinds()).toContain('message.expired');
    expect(sub.queue.size).toBe(0);
  });

  it('lowers a TTL above the service maximum and reports what it kept', () => {
    const { core, sub } = setup({ ttlSecondsMax: 60 });
    const outcome = send(core, sub, 3600);
    expect(outcome).toMatchObject({ kind: 'accepted', ttlSeconds: 60 });
  });

  it('clamps TTLs past 2^31 before applying the service maximum', () => {
    const { core } = setup({ ttlSecondsMax: 2 ** 40 });
    expect(core.effectiveTtl(2 ** 35)).toBe(2 ** 31);
  });

  it('expires a TTL-0 message at once when no user agent is connected', () => {
    const { core, sub, kinds } = setup();
    send(core, sub, 0);
    expect(kinds()).toEqual(['message.accepted', 'message.expired']);
  });

  it('delivers a TTL-0 message to a connected user agent', () => {
    const { core, sub, kinds } = setup();
    const m = new FakeMonitor();
    core.attachMonitor(sub, m);
    send(core, sub, 0);
    expect(m.delivered).toHaveLength(1);
    expect(kinds()).toEqual(['message.accepted', 'message.pushed']);
  });
});

describe('PushCore delivery and acknowledgement', () => {
  it('queues while the user agent is away and delivers in order when it monitors', () => {
    const { clock, core, sub } = setup();
    send(core, sub, 60);
    clock.advance(1000);
    send(core, sub, 60);
    const m = new FakeMonitor();
    expect(core.attachMonitor(sub, m)).toBe(2);
    expect(m.delivered.map((d) => d.id)).toEqual(['ps1.m1', 'ps1.m2']);
  });

  it('removes an acknowledged message and cancels its expiry', () => {
    const { clock, core, sub, kinds } = setup();
    const m = new FakeMonitor();
    core.attachMonitor(sub, m);
    const out = send(core, sub, 10);
    if (out.kind !== 'accepted') throw new Error('not accepted');
    expect(core.ack(out.messageToken)).toBe('acked');
    clock.advance(20_000);
    expect(kinds()).toEqual(['message.accepted', 'message.pushed', 'message.acked']);
    expect(core.ack(out.messageToken)).toBe('not-found');
  });

  it('redelivers an unacknowledged message on the next monitoring request', () => {
    const { core, sub, events } = setup();
    const first = new FakeMonitor();
    core.attachMonitor(sub, first);
    send(core, sub, 60);
    core.detachMonitor(sub, first);
    const second = new FakeMonitor();
    core.attachMonitor(sub, second);
    expect(second.delivered).toHaveLength(1);
    const pushes = events.filter((e) => e.kind === 'message.pushed');
    expect(pushes.map((p) => (p.kind === 'message.pushed' ? p.attempt : 0))).toEqual([1, 2]);
  });

  it('holds back messages below the monitor urgency and delivers them to a later wider monitor', () => {
    const { core, sub } = setup();
    const picky = new FakeMonitor('high');
    core.attachMonitor(sub, picky);
    send(core, sub, 60, { urgency: 'low' });
    send(core, sub, 60, { urgency: 'high' });
    expect(picky.delivered.map((m) => m.urgency)).toEqual(['high']);
    core.detachMonitor(sub, picky);
    const all = new FakeMonitor('very-low');
    core.attachMonitor(sub, all);
    expect(all.delivered.map((m) => m.urgency)).toEqual(['low', 'high']);
  });

  it('refuses a send beyond the queue bound with an event, keeping what it had', () => {
    const { core, sub, kinds } = setup({ queueCountMax: 2 });
    send(core, sub, 60);
    send(core, sub, 60);
    expect(send(core, sub, 60)).toEqual({ kind: 'queue-full', limit: 2 });
    expect(kinds()).toContain('limit.reached');
    expect(sub.queue.size).toBe(2);
  });

  it('replaces an outstanding message with the same topic', () => {
    const { core, sub, events } = setup();
    send(core, sub, 60, { topic: 'weather' });
    const out = send(core, sub, 60, { topic: 'weather' });
    expect(out).toMatchObject({ kind: 'accepted', replaced: 'ps1.m1' });
    expect(sub.queue.size).toBe(1);
    expect(events.find((e) => e.kind === 'message.replaced')).toMatchObject({
      messageId: 'ps1.m1',
      byMessageId: 'ps1.m2',
    });
  });

  it('ends monitors with 404 and drops messages when the subscription is deleted', () => {
    const { core, sub, kinds } = setup();
    send(core, sub, 60);
    const m = new FakeMonitor('very-low', false);
    core.attachMonitor(sub, m);
    core.deleteSubscription(sub, 'unsubscribed');
    expect(m.ended).toBe(404);
    expect(kinds()).toEqual(['message.accepted', 'message.dropped', 'subscription.deleted']);
    expect(send(core, sub, 60)).toEqual({ kind: 'not-found' });
  });
});

describe('PushCore receipts', () => {
  it('reports 204 on ack and 410 on expiry to the receipt subscription', () => {
    const { clock, core, sub } = setup();
    const receipt = core.createReceiptSubscription()!;
    const got: [string, number][] = [];
    core.attachReceiptMonitor(receipt, {
      deliverReceipt: (token, status) => (got.push([token, status]), true),
      end: () => {},
    });
    const m = new FakeMonitor();
    core.attachMonitor(sub, m);
    const acked = send(core, sub, 60, { receipt: receipt.id });
    core.detachMonitor(sub, m);
    const expired = send(core, sub, 5, { receipt: receipt.id });
    if (acked.kind !== 'accepted' || expired.kind !== 'accepted') throw new Error('not accepted');
    core.ack(acked.messageToken);
    clock.advance(5000);
    expect(got).toEqual([
      [acked.messageToken, 204],
      [expired.messageToken, 410],
    ]);
  });

  it('keeps receipts until the application server monitors again', () => {
    const { clock, core, sub } = setup();
    const receipt = core.createReceiptSubscription()!;
    send(core, sub, 1, { receipt: receipt.id });
    clock.advance(1000);
    const got: number[] = [];
    core.attachReceiptMonitor(receipt, {
      deliverReceipt: (_t, s) => (got.push(s), true),
      end: () => {},
    });
    expect(got).toEqual([410]);
  });
});

describe('PushCore legacy labels', () => {
  const sendWith = (
    core: PushCore,
    sub: ReturnType<PushCore['subscribe']>,
    contentHeaders: Record<string, string>,
    legacyVapid?: boolean,
  ) =>
    core.send(sub!, {
      body: Buffer.from('x'),
      contentHeaders,
      ttlSeconds: 60,
      urgency: 'normal',
      topic: null,
      receiptSubscriptionId: null,
      senderId: null,
      ...(legacyVapid === undefined ? {} : { legacyVapid }),
    });
  const acceptedOf = (events: LabEvent[]) =>
    events.filter((e) => e.kind === 'message.accepted').map((e) => e.legacy);

  it('labels an aesgcm body and a WebPush-signed send in message.accepted, and nothing else', () => {
    const { core, sub, events } = setup();
    sendWith(core, sub, { 'content-encoding': 'AESGCM', encryption: 'salt=x' });
    sendWith(core, sub, { 'content-encoding': 'aes128gcm' }, true);
    sendWith(core, sub, { 'content-encoding': 'aesgcm' }, true);
    sendWith(core, sub, { 'content-encoding': 'aes128gcm' }, false);
    sendWith(core, sub, {});
    expect(acceptedOf(events)).toEqual([
      ['aesgcm'],
      ['vapid-webpush'],
      ['aesgcm', 'vapid-webpush'],
      undefined,
      undefined,
    ]);
    // Absent, not empty: an RFC 8291/8292 send's event is what it was before the field existed.
    const modern = events.filter((e) => e.kind === 'message.accepted').at(-1)!;
    expect(Object.keys(modern)).not.toContain('legacy');
  });
});
