import { describe, expect, it } from 'vitest';
import {
  FLOW_GEOMETRY,
  FlowIndex,
  layoutFlow,
  selectFlowEvents,
  type FlowArrow,
  type FlowContext,
  type FlowLayout,
} from '../../../src/renderer/src/features/flows/layout';
import type { LabEvent, LabEventBody } from '../../../src/shared/events';
import { modelAfter, stamp } from './fixtures';

const accepted = (messageId: string, extra: Partial<LabEventBody> = {}): LabEventBody =>
  ({
    kind: 'message.accepted',
    serviceId: 's1',
    subscriptionId: 'sub1',
    messageId,
    ttlSeconds: 60,
    ttlRequestedSeconds: 60,
    urgency: 'normal',
    topic: null,
    bytes: 100,
    receiptRequested: true,
    senderId: null,
    ...extra,
  }) as LabEventBody;

const story: LabEventBody[] = [
  { kind: 'service.started', serviceId: 's1', url: 'https://x', profile: 'rfc8030' },
  { kind: 'agent.started', agentId: 'ua1', role: 'user-agent', label: 'Phone' },
  { kind: 'agent.started', agentId: 'as1', role: 'app-server', label: 'Shop' },
  {
    kind: 'subscription.created',
    serviceId: 's1',
    subscriptionId: 'sub1',
    agentId: 'ua1',
    pushPath: '/p/1',
  },
  accepted('m1'),
  {
    kind: 'send.attempted',
    agentId: 'as1',
    subscriptionId: 'sub1',
    status: 201,
    messageId: 'm1',
    attempt: 1,
    retryInMs: null,
  },
  {
    kind: 'message.pushed',
    subscriptionId: 'sub1',
    messageId: 'm1',
    attempt: 1,
    urgencyMin: 'low',
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
  { kind: 'message.acked', subscriptionId: 'sub1', messageId: 'm1' },
  { kind: 'receipt.sent', messageId: 'm1', status: 204 },
  { kind: 'receipt.received', agentId: 'as1', messageId: 'm1', status: 204 },
  accepted('m2'),
  { kind: 'message.expired', subscriptionId: 'sub1', messageId: 'm2' },
];

function lay(events: LabEvent[], mode: Parameters<typeof selectFlowEvents>[1], max?: number) {
  const model = modelAfter(events);
  const ctx: FlowContext = model;
  return layoutFlow(selectFlowEvents(events, mode), new FlowIndex(events, ctx), max);
}

const arrows = (l: FlowLayout) => l.items.filter((i): i is FlowArrow => i.type === 'arrow');
const laneOf = (l: FlowLayout, x: number) => l.lanes.find((lane) => lane.x === x)?.key;

describe('flow layout', () => {
  const events = stamp(1, story);

  it('draws a message from POST to DELETE and receipt, between the right lifelines', () => {
    const l = lay(events, { kind: 'message', messageId: 'm1' });
    expect(l.lanes.map((lane) => [lane.key, lane.label])).toEqual([
      ['app:as1', 'Shop'],
      ['service:s1', 's1'],
      ['agent:ua1', 'Phone'],
    ]);
    expect(l.items.map((i) => `${i.type}:${i.label}`)).toEqual([
      'arrow:POST',
      'arrow:201 Created', // from send.attempted: accepted does not draw a second answer
      'arrow:PUSH_PROMISE #1',
      'mark:received',
      'arrow:DELETE',
      'arrow:receipt 204',
      'mark:receipt 204 received',
    ]);
    const [post, created, push, , del, receipt] = l.items as FlowArrow[];
    expect([laneOf(l, post!.x1), laneOf(l, post!.x2)]).toEqual(['app:as1', 'service:s1']);
    expect([laneOf(l, created!.x1), laneOf(l, created!.x2)]).toEqual(['service:s1', 'app:as1']);
    expect([laneOf(l, push!.x1), laneOf(l, push!.x2)]).toEqual(['service:s1', 'agent:ua1']);
    expect([laneOf(l, del!.x1), laneOf(l, del!.x2)]).toEqual(['agent:ua1', 'service:s1']);
    expect([laneOf(l, receipt!.x1), laneOf(l, receipt!.x2)]).toEqual(['service:s1', 'app:as1']);
    expect(l.items.every((i) => i.messageId === 'm1')).toBe(true);
    // One row each, top to bottom in event order.
    expect(l.items.map((i) => i.y)).toEqual(
      l.items.map((_, n) => FLOW_GEOMETRY.top + FLOW_GEOMETRY.row * (n + 0.5)),
    );
    expect(l.truncated).toBe(false);
  });

  it('answers 201 itself and names an unknown sender "application server"', () => {
    const l = lay(events, { kind: 'message', messageId: 'm2' });
    expect(l.lanes.map((lane) => lane.label)).toEqual(['application server', 's1']);
    expect(l.items.map((i) => i.label)).toEqual(['POST', '201 Created', 'expired']);
    const expiry = l.items[2]!;
    expect(expiry.type === 'mark' && laneOf(l, expiry.x)).toBe('service:s1');
  });

  it('shows a rejection once, with the sender from send.attempted', () => {
    const rejected = stamp(1, [
      ...story.slice(0, 4),
      {
        kind: 'message.rejected',
        serviceId: 's1',
        subscriptionId: 'sub1',
        status: 413,
        detail: 'too big',
      },
      {
        kind: 'send.attempted',
        agentId: 'as1',
        subscriptionId: 'sub1',
        status: 413,
        messageId: null,
        attempt: 1,
        retryInMs: null,
      },
    ]);
    const l = lay(rejected, { kind: 'subscription', subscriptionId: 'sub1' });
    expect(arrows(l).map((a) => [a.from, a.to, a.label])).toEqual([
      ['app:as1', 'service:s1', 'POST'],
      ['service:s1', 'app:as1', '413 Content Too Large'],
    ]);
  });

  it('selects by subscription (including receipts) and by time window', () => {
    const sub = selectFlowEvents(events, { kind: 'subscription', subscriptionId: 'sub1' });
    expect(sub.map((e) => e.kind)).toContain('receipt.sent');
    expect(sub.map((e) => e.kind)).not.toContain('subscription.created');
    const last = events[events.length - 1]!;
    const recent = selectFlowEvents(events, { kind: 'window', seconds: 0.025, now: last.t });
    expect(recent.map((e) => e.kind)).toEqual([
      'receipt.received',
      'message.accepted',
      'message.expired',
    ]);
  });

  it('uses the model for the receiving agent when the window has no message.received', () => {
    const l = lay(events, { kind: 'window', seconds: 0.035, now: 90 });
    const push = arrows(l).find((a) => a.label.startsWith('PUSH_PROMISE'));
    expect(push?.to).toBe('agent:ua1');
  });

  it('draws gateway → device deliveries and redeliveries', () => {
    const gw = stamp(1, [
      { kind: 'agent.started', agentId: 'gw1', role: 'gateway', label: 'Gateway' },
      {
        kind: 'subscription.created',
        serviceId: 's1',
        subscriptionId: 'sub9',
        agentId: 'gw1',
        pushPath: '/p/9',
      },
      accepted('m9', { subscriptionId: 'sub9' }),
      {
        kind: 'message.pushed',
        subscriptionId: 'sub9',
        messageId: 'm9',
        attempt: 2,
        urgencyMin: 'high',
      },
      {
        kind: 'device.delivered',
        gatewayId: 'gw1',
        deviceId: 'dev1',
        messageId: 'm9',
        confirmed: true,
      },
    ]);
    const l = lay(gw, { kind: 'message', messageId: 'm9' });
    expect(l.lanes.map((lane) => lane.key)).toEqual([
      'app:',
      'service:s1',
      'agent:gw1',
      'device:dev1',
    ]);
    expect(arrows(l).map((a) => `${a.from}>${a.to} ${a.label}`)).toEqual([
      'app:>service:s1 POST',
      'service:s1>app: 201 Created',
      'service:s1>agent:gw1 PUSH_PROMISE #2',
      'agent:gw1>device:dev1 deliver ✓',
    ]);
  });

  it('keeps the newest items when there are too many, and says so', () => {
    const many = stamp(
      1,
      Array.from({ length: 30 }, (_, i) => accepted(`m${i}`)),
    );
    const l = lay(many, { kind: 'window', seconds: 3600, now: 1000 }, 25);
    expect(l.total).toBe(60);
    expect(l.items).toHaveLength(25);
    expect(l.truncated).toBe(true);
    expect(l.items[l.items.length - 1]!.messageId).toBe('m29');
    expect(l.height).toBe(FLOW_GEOMETRY.top + 25 * FLOW_GEOMETRY.row + FLOW_GEOMETRY.bottom);
  });

  it('draws an end after the end as a warning that the lifecycle ignored it', () => {
    const events = stamp(1, [
      accepted('m1'),
      { kind: 'message.expired', subscriptionId: 'sub1', messageId: 'm1' },
      { kind: 'message.acked', subscriptionId: 'sub1', messageId: 'm1' },
    ]);
    const l = lay(events, { kind: 'message', messageId: 'm1' });
    const byLabel = Object.fromEntries(l.items.map((i) => [i.label, [i.detail, i.tone]]));
    expect(byLabel['expired']).toEqual(['TTL ran out', 'bad']);
    expect(byLabel['DELETE']).toEqual(['acknowledged; ignored, already expired', 'warn']);
  });
});
