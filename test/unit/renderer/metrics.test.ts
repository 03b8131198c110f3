import { describe, expect, it } from 'vitest';
import {
  bucketEvents,
  extendTo,
  percentile,
} from '../../../src/renderer/src/features/metrics/bucket';
import type { LabEvent, LabEventBody } from '../../../src/shared/events';

let seq = 0;
const at = (t: number, body: LabEventBody): LabEvent => ({ ...body, seq: ++seq, t }) as LabEvent;
const accepted = (t: number, messageId: string) =>
  at(t, {
    kind: 'message.accepted',
    serviceId: 's1',
    subscriptionId: 'sub1',
    messageId,
    ttlSeconds: 60,
    ttlRequestedSeconds: 60,
    urgency: 'normal',
    topic: null,
    bytes: 10,
    receiptRequested: false,
    senderId: null,
  });
const received = (t: number, messageId: string, duplicate = false) =>
  at(t, {
    kind: 'message.received',
    agentId: 'ua1',
    subscriptionId: 'sub1',
    messageId,
    bytes: 10,
    duplicate,
    decryption: 'ok',
    preview: '',
  });
const acked = (t: number, messageId: string) =>
  at(t, { kind: 'message.acked', subscriptionId: 'sub1', messageId });

describe('percentile', () => {
  it('uses the nearest rank', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 99)).toBe(7);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 99)).toBe(4);
  });
});

describe('metrics buckets', () => {
  it('counts deliveries, latency, queue depth, losses and connections per second', () => {
    const events = [
      at(1000, { kind: 'agent.connected', agentId: 'ua1', serviceId: 's1' }),
      accepted(1100, 'm1'),
      accepted(1200, 'm2'),
      received(1150, 'm1'), // 50 ms
      received(1500, 'm2'), // 300 ms
      received(1600, 'm2', true), // duplicate: not counted
      acked(1700, 'm1'),
      accepted(2100, 'm3'),
      at(2200, { kind: 'message.expired', subscriptionId: 'sub1', messageId: 'm2' }),
      at(2300, { kind: 'message.expired', subscriptionId: 'sub1', messageId: 'm2' }), // once
      // (no events at 3 s: an empty bucket)
      at(4100, {
        kind: 'message.dropped',
        subscriptionId: 'sub1',
        messageId: 'm3',
        reason: 'subscription-deleted',
      }),
      at(4200, { kind: 'agent.disconnected', agentId: 'ua1', serviceId: 's1', reason: 'x' }),
    ];
    const s = bucketEvents(events, 0);
    expect(s.t).toEqual([1, 2, 3, 4]);
    expect(s.deliveries).toEqual([2, 0, 0, 0]);
    expect(s.p50).toEqual([50, null, null, null]);
    expect(s.p99).toEqual([300, null, null, null]);
    expect(s.outstanding).toEqual([1, 1, 1, 0]);
    expect(s.expired).toEqual([0, 1, 0, 0]);
    expect(s.dropped).toEqual([0, 0, 0, 1]);
    expect(s.connections).toEqual([1, 1, 1, 0]);
  });

  it('keeps at most the last maxBuckets buckets, carrying cumulative values in', () => {
    const events = [
      accepted(0, 'a'),
      accepted(500, 'b'),
      ...Array.from({ length: 10 }, (_, i) => received(1000 * (i + 1), `x${i}`)),
    ];
    const s = bucketEvents(events, 0, { maxBuckets: 4 });
    expect(s.t).toEqual([7, 8, 9, 10]);
    expect(s.outstanding).toEqual([2, 2, 2, 2]);
    expect(s.deliveries).toEqual([1, 1, 1, 1]);
    expect(bucketEvents(events, 0).t).toHaveLength(11);
  });

  it('bounds a long run to 300 buckets', () => {
    const events = Array.from({ length: 2000 }, (_, i) => received(i * 1000, `m${i}`));
    const s = bucketEvents(events, 0);
    expect(s.t).toHaveLength(300);
    expect(s.t[0]).toBe(1700);
  });

  it('anchors cumulative series to the model when the ring starts mid-stream', () => {
    // m0 was accepted before the ring began; its ack would otherwise go negative.
    const events = [acked(1000, 'm0'), accepted(2000, 'm1')];
    const s = bucketEvents(events, 0, { outstandingNow: 1, connectionsNow: 3 });
    expect(s.outstanding).toEqual([0, 1]);
    expect(s.connections).toEqual([3, 3]);
  });

  it('finds the latency of receipts whose accept left the ring, through the model (flash crowd)', () => {
    // After a burst the 20,000-event ring holds the receipts and acks, not the accepts.
    const ring = [received(2_400, 'm1'), received(2_600, 'm2'), acked(2_700, 'm1')];
    const acceptedAt = new Map([
      ['m1', 2_300],
      ['m2', 2_350],
    ]);
    const series = bucketEvents(ring, 0, { acceptedAt: (id) => acceptedAt.get(id) });
    expect(series.deliveries).toEqual([2]);
    expect(series.p50).toEqual([100]);
    expect(series.p99).toEqual([250]);
  });

  it('is empty without events', () => {
    expect(bucketEvents([], 0).t).toEqual([]);
  });

  it('extends to now with empty buckets, carrying cumulative values, still bounded', () => {
    const s = bucketEvents([accepted(1000, 'q1'), received(1100, 'q1')], 0, { connectionsNow: 1 });
    const e = extendTo(s, 4);
    expect(e.t).toEqual([1, 2, 3, 4]);
    expect(e.deliveries).toEqual([1, 0, 0, 0]);
    expect(e.p50).toEqual([100, null, null, null]);
    expect(e.outstanding).toEqual([1, 1, 1, 1]);
    expect(e.connections).toEqual([1, 1, 1, 1]);
    expect(extendTo(s, 1)).toBe(s);
    const far = extendTo(s, 1000, 300);
    expect(far.t).toHaveLength(300);
    expect(far.t[299]).toBe(1000);
    expect(far.deliveries.every((d) => d === 0)).toBe(true);
  });

  it('counts a message once however often the ring repeats its acceptance or its end', () => {
    const events = [
      accepted(0, 'a'),
      accepted(100, 'a'),
      at(200, { kind: 'message.expired', subscriptionId: 'sub1', messageId: 'a' }),
      acked(300, 'a'),
      at(400, { kind: 'message.expired', subscriptionId: 'sub1', messageId: 'a' }),
    ];
    const s = bucketEvents(events, 0);
    // The old fold counted the second acceptance as a second outstanding message.
    expect(s.outstanding).toEqual([0]);
    expect(s.expired).toEqual([1]);
  });
});
