/**
 * stepMessage copies a life field by field on a push, a reception and a device delivery
 * (issue 13: a spread cost ~2× as much). Every step equals the spread it replaced — the same
 * fields, values and order — on random streams, for whole lives and midway ones alike.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/events';
import { stepMessage, type AcceptedLife, type MessageLife } from '../../../src/shared/lifecycle';
import { randomStream, randomSteps } from '../trace/random-stream';

/** The steps as they were written with spreads (before issue 13's copies), for the three kinds. */
function spreadStep(cur: MessageLife, e: LabEvent): MessageLife | null {
  switch (e.kind) {
    case 'message.pushed':
      return {
        ...cur,
        state: cur.end === null ? 'pushed' : cur.state,
        attempts: Math.max(cur.attempts, e.attempt),
        pushes: cur.pushes + 1,
        pushedAt: cur.pushedAt ?? e.t,
      } as MessageLife;
    case 'message.received':
      if (cur.receivedAt !== null) return cur;
      return { ...cur, receivedAt: e.t, deliveredAt: cur.deliveredAt ?? e.t } as MessageLife;
    case 'device.delivered':
      if (cur.deviceDeliveredAt !== null) return cur;
      return { ...cur, deviceDeliveredAt: e.t, deliveredAt: cur.deliveredAt ?? e.t } as MessageLife;
    default:
      return null;
  }
}

describe('stepMessage copies a life as the spread did', () => {
  it('on random streams, whole and midway', () => {
    let compared = 0;
    fc.assert(
      fc.property(randomSteps(), fc.boolean(), (steps, midway) => {
        const { s } = randomStream(steps);
        const lives = new Map<string, MessageLife>();
        for (const e of s.events) {
          if (!('messageId' in e) || typeof e.messageId !== 'string') continue;
          const before = lives.get(e.messageId);
          // Without `midway` only accepted lives are ever stored, so `before` is one then.
          const after = midway
            ? stepMessage(before, e, true)
            : stepMessage(before as AcceptedLife | undefined, e);
          const expected = before ? spreadStep(before, e) : null;
          if (before && expected) {
            compared += 1;
            expect(after).toEqual(expected);
            expect(Object.keys(after!)).toEqual(Object.keys(expected));
            if (expected === before) expect(after).toBe(before);
          }
          if (after) lives.set(e.messageId, after);
        }
      }),
      { numRuns: 1000, seed: 13 },
    );
    expect(compared).toBeGreaterThan(100);
  });
});
