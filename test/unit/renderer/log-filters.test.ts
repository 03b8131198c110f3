import { describe, expect, it } from 'vitest';
import {
  countNewer,
  eventIds,
  eventRest,
  filterEvents,
  formatOffset,
  KIND_GROUPS,
  kindGroup,
  messageIdOf,
  type LogFilter,
} from '../../../src/renderer/src/features/log/filters';
import type { LabEventBody } from '../../../src/shared/events';
import { LAB_EVENT_KINDS } from '../../../src/main/engine/trace/format';
import { stamp } from './fixtures';

const bodies: LabEventBody[] = [
  { kind: 'service.started', serviceId: 's1', url: 'https://127.0.0.1:4430', profile: 'rfc8030' },
  { kind: 'agent.started', agentId: 'ua1', role: 'user-agent', label: 'Phone' },
  {
    kind: 'subscription.created',
    serviceId: 's1',
    subscriptionId: 'sub1',
    agentId: 'ua1',
    pushPath: '/p/abc',
  },
  {
    kind: 'message.accepted',
    serviceId: 's1',
    subscriptionId: 'sub1',
    messageId: 'm1',
    ttlSeconds: 60,
    ttlRequestedSeconds: 60,
    urgency: 'normal',
    topic: null,
    bytes: 120,
    receiptRequested: false,
    senderId: null,
  },
  {
    kind: 'message.pushed',
    subscriptionId: 'sub1',
    messageId: 'm1',
    attempt: 1,
    urgencyMin: 'very-low',
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
  { kind: 'link.changed', linkId: 'ua1-link', state: 'impaired', faults: ['loss', 'latency'] },
];
const events = stamp(1, bodies);
const filter = (f: Partial<LogFilter>): LogFilter => ({
  groups: new Set(),
  actor: '',
  text: '',
  ...f,
});

describe('log filters', () => {
  it('returns the same array when nothing is filtered', () => {
    expect(filterEvents(events, filter({}))).toBe(events);
    expect(filterEvents(events, filter({ actor: '  ' }))).toBe(events);
  });

  it('filters by kind prefix (several at once)', () => {
    expect(
      filterEvents(events, filter({ groups: new Set(['message']) })).map((e) => e.kind),
    ).toEqual(['message.accepted', 'message.pushed', 'message.received']);
    const two = filterEvents(events, filter({ groups: new Set(['agent', 'link']) }));
    expect(two.map((e) => e.kind)).toEqual(['agent.started', 'link.changed']);
    expect(kindGroup('subscription.created')).toBe('subscription');
  });

  it('filters by actor id substring, case-insensitively', () => {
    expect(filterEvents(events, filter({ actor: 'UA1' })).map((e) => e.seq)).toEqual([2, 3, 6, 7]);
    expect(filterEvents(events, filter({ actor: 'm1' })).map((e) => e.seq)).toEqual([4, 5, 6]);
  });

  it('filters by free text in the event JSON, combined with the other filters', () => {
    expect(filterEvents(events, filter({ text: 'hello from' })).map((e) => e.seq)).toEqual([6]);
    expect(filterEvents(events, filter({ text: '"urgency":"normal"' })).map((e) => e.seq)).toEqual([
      4,
    ]);
    expect(
      filterEvents(events, filter({ text: 'sub1', groups: new Set(['subscription']) })).map(
        (e) => e.seq,
      ),
    ).toEqual([3]);
  });

  it('shows the ids and a compact rest', () => {
    const received = events[5]!;
    expect(eventIds(received)).toEqual([
      ['agentId', 'ua1'],
      ['subscriptionId', 'sub1'],
      ['messageId', 'm1'],
    ]);
    expect(eventRest(received)).toBe(
      'bytes=19 duplicate=false decryption=ok preview="Hello from Push Lab"',
    );
    expect(eventRest(events[6]!)).toBe('state=impaired faults=[loss,latency]');
    expect(messageIdOf(received)).toBe('m1');
    expect(messageIdOf(events[0]!)).toBeNull();
  });

  it('formats lab time as mm:ss.mmm', () => {
    expect(formatOffset(0)).toBe('00:00.000');
    expect(formatOffset(61_234)).toBe('01:01.234');
    expect(formatOffset(3_600_000 + 5)).toBe('1:00:00.005');
    expect(formatOffset(-5)).toBe('00:00.000');
  });

  it('counts what arrived since the pause', () => {
    expect(countNewer(10, 25)).toBe(15);
    expect(countNewer(10, 10)).toBe(0);
    expect(countNewer(10, 3)).toBe(0);
  });
});

describe('the log filter chips', () => {
  it('offer a chip for every kind of event the trace format knows (lab.error and store.failed included)', () => {
    const groups = new Set<string>(KIND_GROUPS);
    const missing = [...LAB_EVENT_KINDS].filter(
      (kind) => !groups.has(kindGroup(kind as LabEventBody['kind'])),
    );
    expect(missing).toEqual([]);
  });
});
