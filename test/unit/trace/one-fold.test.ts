/**
 * One step a message event while a Timeline indexes (issue 13): its fold steps each message's
 * life once with the shared lifecycle, and its checker judges from the step the fold made
 * (ModelFold's stepBefore/stepAfter) instead of stepping the same life again. The verdicts
 * and the model stay those of a checker and a fold fed on their own — on random streams with
 * gaps, repeated seqs and checker bounds small enough that it forgets (the lives then part and
 * the checker steps its own) — and stepMessage runs once per event the fold moves.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LabEvent } from '../../../src/shared/events';
import * as lifecycle from '../../../src/shared/lifecycle';
import { applyEvents, emptyModel, modelToWire } from '../../../src/shared/model';
import { InvariantChecker, type CheckerOptions } from '../../../src/main/engine/trace/checker';
import { Timeline } from '../../../src/main/engine/trace/timeline';
import { labEvents } from '../../../bench/replay-fixture';
import { LabStream } from './lab-stream';
import { randomStream, randomSteps } from './random-stream';

vi.mock('../../../src/shared/lifecycle', async (original) => {
  const actual = await original<typeof lifecycle>();
  return { ...actual, stepMessage: vi.fn(actual.stepMessage) };
});

const stepMessage = vi.mocked(lifecycle.stepMessage);

afterEach(() => stepMessage.mockClear());

/** The timeline's verdict and model, and those of a checker and a fold fed on their own. */
function both(
  events: readonly LabEvent[],
  checker: Omit<CheckerOptions, 'onViolation'>,
  endT: number,
) {
  const timeline = new Timeline({ checker });
  for (const e of events) timeline.append(e);
  const alone = new InvariantChecker(checker);
  for (const e of events) alone.check(e);
  const kept: LabEvent[] = [];
  for (const e of events) if (kept.length === 0 || e.seq > kept.at(-1)!.seq) kept.push(e);
  return {
    verdict: timeline.verdict(endT),
    expected: alone.finish(endT),
    lost: [...timeline.verdicts.lostMessageIds(endT)],
    expectedLost: [...alone.lostMessageIds(endT)],
    model: modelToWire(timeline.model()),
    expectedModel: modelToWire(applyEvents(emptyModel(), kept)),
  };
}

/** `events` with some left out (gaps) and some given again (seqs that do not rise). */
function damage(events: readonly LabEvent[], holes: readonly number[]): LabEvent[] {
  const out: LabEvent[] = [];
  events.forEach((e, i) => {
    const hole = holes[i % holes.length] ?? 0;
    if (hole === 1) return;
    out.push(e);
    if (hole === 2 && out.length > 1) out.push(out[out.length - 2]!);
  });
  return out;
}

describe('the timeline folds each message step once (issue 13)', () => {
  it('gives the verdict and model of a checker and a fold fed on their own, on random streams', () => {
    fc.assert(
      fc.property(
        randomSteps(),
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 20 }),
        fc.constantFrom(
          {},
          { firstSeq: null },
          { activeMessagesMax: 3, finishedMessagesMax: 2 },
          { activeMessagesMax: 1, finishedMessagesMax: 1, clockSkewToleranceMs: 500 },
        ),
        (steps, holes, checker) => {
          const { s, endT } = randomStream(steps);
          const r = both(damage(s.events, holes), checker, endT);
          expect(r.verdict).toEqual(r.expected);
          expect(r.lost).toEqual(r.expectedLost);
          expect(r.model).toEqual(r.expectedModel);
        },
      ),
      { numRuns: 300, seed: 13 },
    );
  });

  it('agrees on the benchmark lab and steps each moved life once', () => {
    const events = [...labEvents(60_000)];
    const moved = events.filter(
      (e) => lifecycle.isLifecycleEvent(e) && e.kind !== 'message.accepted',
    ).length;
    const accepted = events.filter((e) => e.kind === 'message.accepted').length;
    stepMessage.mockClear();
    const timeline = new Timeline();
    for (const e of events) timeline.append(e);
    // The fold steps every lifecycle event once (acceptances included); the checker none.
    expect(stepMessage.mock.calls.length).toBe(moved + accepted);
    const alone = new InvariantChecker();
    for (const e of events) alone.check(e);
    const endT = events.at(-1)!.t;
    expect(timeline.verdict(endT)).toEqual(alone.finish(endT));
    expect(timeline.verdict(endT).eventCount).toBe(events.length);
  });

  it('steps a life itself when the fold holds another (a message the checker re-tracked)', () => {
    // The checker tracks one outstanding message: m1 is forgotten when m2 comes, so m1's second
    // acceptance gives the checker a life of its own (the fold keeps its first) and the push
    // after it is stepped by both.
    const s = new LabStream().service(0).agent(0, 'ua1', 'user-agent');
    s.subscribe(0, 'ps1.s1', 'ua1');
    s.accept(10, 'm1').accept(20, 'm2').accept(30, 'm1');
    s.at(40, {
      kind: 'message.pushed',
      subscriptionId: 'ps1.s1',
      messageId: 'm1',
      attempt: 1,
      urgencyMin: 'very-low',
    });
    const checker = { activeMessagesMax: 1 };
    stepMessage.mockClear();
    const timeline = new Timeline({ checker });
    for (const e of s.events) timeline.append(e);
    // The fold: 4 lifecycle events; the checker: m1's second acceptance and its push.
    expect(stepMessage.mock.calls.length).toBe(6);
    const alone = new InvariantChecker(checker);
    for (const e of s.events) alone.check(e);
    expect(timeline.verdict(1_000_000)).toEqual(alone.finish(1_000_000));
    expect([...timeline.verdicts.lostMessageIds(1_000_000)]).toEqual(['m1']);
  });
});
