/**
 * The push core's bounds on a virtual clock: sets created only past the subscription cap and
 * dropped when empty, idle subscriptions and receipt subscriptions expiring, the receipt
 * subscription cap and the stored-bytes cap. Each is an attack today's service let through.
 */
import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/events';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { PushCore } from '../../../src/main/engine/push/core';
import {
  DEFAULT_SERVICE_LIMITS,
  type Monitor,
  type ServiceLimits,
  type StoredMessage,
} from '../../../src/main/engine/push/types';
import { buildReport } from '../../../src/main/engine/trace/report';
import { EventBus } from '../../../src/main/engine/trace/bus';

function setup(limits: Partial<ServiceLimits> = {}) {
  const clock = new VirtualClock(1_000_000);
  const bus = new EventBus(clock);
  const events: LabEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const core = new PushCore('ps1', clock, bus, { ...DEFAULT_SERVICE_LIMITS, ...limits });
  const limitsHit = () =>
    events.flatMap((e) => (e.kind === 'limit.reached' ? [`${e.what}:${e.limit}`] : []));
  return { clock, events, core, limitsHit };
}

const monitor = (): Monitor & { delivered: StoredMessage[]; ended: number | null } => ({
  urgencyMin: 'very-low',
  delivered: [],
  ended: null,
  deliver(m) {
    this.delivered.push(m);
    return true;
  },
  end(status) {
    this.ended = status;
  },
});

function send(
  core: PushCore,
  sub: NonNullable<ReturnType<PushCore['subscribe']>>,
  options: { bytes?: number; receipt?: string; ttlSeconds?: number } = {},
) {
  return core.send(sub, {
    body: Buffer.alloc(options.bytes ?? 10),
    contentHeaders: { 'content-encoding': 'aes128gcm' },
    ttlSeconds: options.ttlSeconds ?? 3600,
    urgency: 'normal',
    topic: null,
    receiptSubscriptionId: options.receipt ?? null,
    senderId: null,
  });
}

const SECOND = 1000;

describe('subscription sets', () => {
  it('2,000 refused subscribes leave no set behind', () => {
    const { core, limitsHit } = setup({ subscriptionCountMax: 1 });
    expect(core.subscribe('ua1', null, 'new')).not.toBeNull();
    for (let i = 0; i < 2000; i++) expect(core.subscribe('ua1', null, 'new')).toBeNull();
    expect(core.stats()).toMatchObject({ subscriptions: 1, sets: 1 });
    expect(limitsHit()).toHaveLength(2000);
    expect(new Set(limitsHit())).toEqual(new Set(['subscriptions:1']));
  });

  it('a set is forgotten once its last member and its last monitor are gone', () => {
    const { core } = setup();
    const a = core.subscribe('ua1', null, 'new')!;
    const b = core.subscribe('ua1', null, a.set)!;
    const held = monitor();
    core.attachSetMonitor(a.set!, held);
    core.deleteSubscription(a, 'unsubscribed');
    core.deleteSubscription(b, 'unsubscribed');
    expect(core.stats().sets).toBe(1); // still monitored: a new member may come
    core.detachSetMonitor(a.set!, held);
    expect(core.stats().sets).toBe(0);
    expect(core.setByToken(a.set!.token)).toBeUndefined();
  });
});

describe('idle subscriptions expire (subscriptionIdleSecondsMax)', () => {
  it('expires one nobody monitored for that long, with reason expired, and its set with it', () => {
    const { clock, core, events } = setup({ subscriptionIdleSecondsMax: 100 });
    const sub = core.subscribe('ua1', null, 'new')!;
    send(core, sub);
    clock.advance(99 * SECOND);
    expect(core.byId(sub.id)).toBe(sub);
    clock.advance(1 * SECOND);
    expect(core.byId(sub.id)).toBeUndefined();
    expect(events).toContainEqual(
      expect.objectContaining({
        kind: 'subscription.deleted',
        subscriptionId: sub.id,
        reason: 'expired',
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ kind: 'message.dropped', reason: 'subscription-deleted' }),
    );
    expect(core.stats()).toMatchObject({ subscriptions: 0, sets: 0, storedBytes: 0 });
    // Nothing idle: no sweep left scheduled. The TTL timer of the dropped message is left to
    // fire once, with nothing due (push/expiry.ts), and then nothing is scheduled at all.
    expect(clock.pendingCount()).toBeLessThanOrEqual(1);
    clock.advance(3600 * SECOND);
    expect(events.filter((e) => e.kind === 'message.expired')).toEqual([]);
    expect(clock.pendingCount()).toBe(0);
  });

  it('a monitor keeps it; the idle time starts over when the monitor leaves or a message is acked', () => {
    const { clock, core } = setup({ subscriptionIdleSecondsMax: 100 });
    const sub = core.subscribe('ua1')!;
    const held = monitor();
    core.attachMonitor(sub, held);
    clock.advance(1000 * SECOND);
    expect(core.byId(sub.id)).toBe(sub);
    const outcome = send(core, sub);
    core.detachMonitor(sub, held);
    clock.advance(60 * SECOND);
    // An acknowledgement after the monitor went (DELETE on the message) is activity too.
    expect(outcome.kind === 'accepted' && core.ack(outcome.messageToken)).toBe('acked');
    clock.advance(99 * SECOND);
    expect(core.byId(sub.id)).toBe(sub);
    clock.advance(1 * SECOND);
    expect(core.byId(sub.id)).toBeUndefined();
  });

  it('0 turns it off: nothing is scheduled', () => {
    const { clock, core } = setup({
      subscriptionIdleSecondsMax: 0,
      receiptSubscriptionIdleSecondsMax: 0,
    });
    const sub = core.subscribe('ua1')!;
    core.createReceiptSubscription();
    expect(clock.pendingCount()).toBe(0);
    clock.advance(10 * 365 * 86_400 * SECOND);
    expect(core.byId(sub.id)).toBe(sub);
  });
});

describe('receipt subscriptions', () => {
  it('are capped: past receiptSubscriptionCountMax none is made, an event says so', () => {
    const { core, limitsHit } = setup({ receiptSubscriptionCountMax: 3 });
    for (let i = 0; i < 3; i++) expect(core.createReceiptSubscription()).not.toBeNull();
    expect(core.createReceiptSubscription()).toBeNull();
    expect(core.stats().receiptSubscriptions).toBe(3);
    expect(limitsHit()).toEqual(['receipt-subscriptions:3']);
  });

  it('expire when idle: no monitor and no outstanding message for receiptSubscriptionIdleSecondsMax', () => {
    const { clock, core, limitsHit } = setup({ receiptSubscriptionIdleSecondsMax: 50 });
    const sub = core.subscribe('ua1')!;
    const receipt = core.createReceiptSubscription()!;
    const outcome = send(core, sub, { receipt: receipt.id });
    // An outstanding message that will report here keeps it, however long.
    clock.advance(500 * SECOND);
    expect(core.receiptSubscriptionByToken(receipt.token)).toBe(receipt);
    const held = { deliverReceipt: () => true, end: () => {} };
    core.attachReceiptMonitor(receipt, held);
    expect(outcome.kind === 'accepted' && core.ack(outcome.messageToken)).toBe('acked');
    clock.advance(500 * SECOND); // monitored: kept
    expect(core.receiptSubscriptionByToken(receipt.token)).toBe(receipt);
    core.detachReceiptMonitor(receipt, held);
    clock.advance(49 * SECOND);
    expect(core.receiptSubscriptionByToken(receipt.token)).toBe(receipt);
    clock.advance(1 * SECOND);
    expect(core.receiptSubscriptionByToken(receipt.token)).toBeUndefined();
    expect(core.receiptSubscriptionById(receipt.id)).toBeUndefined();
    expect(limitsHit()).toEqual(['receipt-subscription-idle:50']);
  });

  it('one made per respond-async send and never used again does not pile up', () => {
    const { clock, core } = setup({ receiptSubscriptionIdleSecondsMax: 60 });
    const sub = core.subscribe('ua1')!;
    for (let i = 0; i < 1000; i++) {
      const receipt = core.createReceiptSubscription()!;
      const outcome = send(core, sub, { receipt: receipt.id, ttlSeconds: 30 });
      expect(outcome.kind).toBe('accepted');
    }
    expect(core.stats().receiptSubscriptions).toBe(1000);
    clock.advance(91 * SECOND); // 30 s TTL, then 60 s idle
    expect(core.stats()).toMatchObject({ receiptSubscriptions: 0, storedBytes: 0 });
  });
});

describe('stored bytes (storedBytesMax)', () => {
  it('refuses a message that would pass the cap, counts headers, and frees on ack and expiry', () => {
    // 10-byte bodies + 'content-encoding' (16) + 'aes128gcm' (9) = 35 bytes a message.
    const { clock, core, limitsHit } = setup({ storedBytesMax: 100 });
    const sub = core.subscribe('ua1')!;
    const first = send(core, sub, { ttlSeconds: 10 });
    expect(send(core, sub).kind).toBe('accepted');
    expect(core.stats().storedBytes).toBe(70);
    expect(send(core, sub)).toEqual({ kind: 'store-full', limit: 100 });
    expect(limitsHit()).toEqual(['stored-bytes:100']);
    expect(first.kind === 'accepted' && core.ack(first.messageToken)).toBe('acked');
    expect(send(core, sub).kind).toBe('accepted');
    clock.advance(3600 * SECOND);
    expect(core.stats().storedBytes).toBe(0);
  });
});

describe('the report lists every limit reached', () => {
  it('names the new limits in its note', () => {
    const clock = new VirtualClock(0);
    const bus = new EventBus(clock);
    const seen: LabEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    const other = new PushCore('ps2', clock, bus, {
      ...DEFAULT_SERVICE_LIMITS,
      storedBytesMax: 1,
      receiptSubscriptionCountMax: 0,
    });
    send(other, other.subscribe('ua1')!);
    other.createReceiptSubscription();
    const report = buildReport(seen);
    expect(report.notes.join(' ')).toContain('stored-bytes 1×');
    expect(report.notes.join(' ')).toContain('receipt-subscriptions 1×');
  });
});
