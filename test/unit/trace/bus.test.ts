import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/events';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { NetError } from '../../../src/main/engine/net/errors';
import { ERROR_EVENTS_PER_SECOND, EventBus } from '../../../src/main/engine/trace/bus';

const started = { kind: 'agent.sleep', agentId: 'ua1' } as const;

function busWith(failing: (e: LabEvent) => void) {
  const clock = new VirtualClock(0);
  const bus = new EventBus(clock);
  const before: LabEvent[] = [];
  const after: LabEvent[] = [];
  bus.subscribe((e) => before.push(e));
  bus.subscribe(failing);
  bus.subscribe((e) => after.push(e));
  return { clock, bus, before, after };
}

describe('the event bus with a failing listener', () => {
  it('still hands the event to the listeners after it, keeps it, and reports it as lab.error', () => {
    let calls = 0;
    const { bus, before, after } = busWith((e) => {
      calls += 1;
      if (e.kind === 'agent.sleep' && calls === 1) throw new TypeError('cannot read x');
    });
    bus.emit({ ...started });
    bus.emit({ kind: 'agent.wake', agentId: 'ua1' });
    expect(after.map((e) => e.kind)).toEqual(['agent.sleep', 'lab.error', 'agent.wake']);
    expect(before).toEqual(after);
    expect(after[1]).toEqual({
      kind: 'lab.error',
      code: 'ERR_INTERNAL',
      message: 'cannot read x',
      eventSeq: 1,
      eventKind: 'agent.sleep',
      suppressed: 0,
      seq: 2,
      t: 0,
    });
    // Still subscribed: it saw the report and the next event.
    expect(calls).toBe(3);
  });

  it("reports a LabError's own code", () => {
    const { bus, after } = busWith((e) => {
      if (e.kind === 'agent.sleep') throw new NetError('ERR_NET_LINK_CLOSED', 'link l1 is closed');
    });
    bus.emit({ ...started });
    expect(after[1]).toMatchObject({ kind: 'lab.error', code: 'ERR_NET_LINK_CLOSED' });
  });

  it('cannot flood: a listener failing on every event gives at most the rate, then a count', () => {
    const { clock, bus, after } = busWith(() => {
      throw new Error('always');
    });
    for (let i = 0; i < 1_000; i++) bus.emit({ ...started });
    const errors = after.filter((e) => e.kind === 'lab.error');
    expect(errors).toHaveLength(ERROR_EVENTS_PER_SECOND);
    const limits = after.filter((e) => e.kind === 'limit.reached');
    expect(limits).toEqual([
      expect.objectContaining({
        what: 'error-events',
        subjectId: 'bus',
        limit: ERROR_EVENTS_PER_SECOND,
      }),
    ]);
    // A second later the next report carries how many were left out: the 990 over the rate,
    // its failure on the limit.reached, and on the last report (never reported in turn).
    clock.advance(1_000);
    bus.emit({ ...started });
    const next = after.filter((e) => e.kind === 'lab.error').at(-1)!;
    expect(next).toMatchObject({ suppressed: 1_000 - ERROR_EVENTS_PER_SECOND + 1 + 1 });
    // Every event still reached the healthy listener: 1,001 emitted, the reports and one limit.
    expect(after.filter((e) => e.kind === 'agent.sleep')).toHaveLength(1_001);
  });

  it('keeps the seq gap-free and the healthy listeners in order while reporting', () => {
    const { bus, after } = busWith((e) => {
      if (e.seq % 2 === 1) throw new Error('odd');
    });
    for (let i = 0; i < 5; i++) bus.emit({ ...started });
    expect(after.map((e) => e.seq)).toEqual(after.map((_, i) => i + 1));
  });
});
