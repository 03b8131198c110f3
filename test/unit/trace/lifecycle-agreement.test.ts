/**
 * Every reader of the message lifecycle agrees on how each message ended: the shared model,
 * the invariant checker, the report and the metrics buckets, on random event streams (any
 * order, repeated ends, pushes and receptions after the end, second acceptances). Events
 * about a message before its acceptance are left out: the metrics read a ring, where such an
 * event means "accepted before the ring began", which the model's anchor corrects (bucket.ts). On the code before the lifecycle was folded once, the
 * model reopened a message pushed after its end and counted every repeated end, so it
 * disagreed with the report (the seed below reproduces one such stream).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/events';
import { applyEvents, emptyModel, type LabModel } from '../../../src/shared/model';
import { InvariantChecker } from '../../../src/main/engine/trace/checker';
import { buildReport } from '../../../src/main/engine/trace/report';
import { bucketEvents } from '../../../src/renderer/src/features/metrics/bucket';
import { LabStream } from './lab-stream';
import { randomStream, randomSteps } from './random-stream';

const ENDS = ['acked', 'expired', 'replaced', 'dropped'] as const;

/** How many of the model's messages stand in each state. */
function modelStates(model: LabModel): Record<string, number> {
  const counts: Record<string, number> = {};
  model.messages.forEach((m) => (counts[m.state] = (counts[m.state] ?? 0) + 1));
  return counts;
}

function expectAgreement(events: readonly LabEvent[], endT: number): void {
  const model = applyEvents(emptyModel(), events);
  const report = buildReport(events, { endT, checker: { firstSeq: null } });
  const checker = new InvariantChecker({ firstSeq: null });
  for (const e of events) checker.check(e);
  const series = bucketEvents(events, model.startT ?? 0, { maxBuckets: 1_000_000 });
  const states = modelStates(model);
  const t = report.totals;
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const where = JSON.stringify({ states, counters: model.counters, totals: t });

  // Ends: the model's counters, its messages' states and the report's outcomes.
  for (const end of ENDS) {
    expect(model.counters[end], `${end} counter: ${where}`).toBe(t[end]);
    expect(states[end] ?? 0, `${end} messages: ${where}`).toBe(t[end]);
  }
  expect(model.counters.accepted, `accepted: ${where}`).toBe(t.accepted);
  // Outstanding: the model's open messages and subscriptions, the report's lost + still
  // queued, and the metrics series' last point (the whole stream, so no anchor needed).
  const open = (states.queued ?? 0) + (states.pushed ?? 0);
  let subsOutstanding = 0;
  model.subscriptions.forEach((s) => (subsOutstanding += s.outstanding));
  expect(t.lost + t.stillQueued, `outstanding: ${where}`).toBe(open);
  expect(subsOutstanding, `subscriptions' outstanding: ${where}`).toBe(open);
  if (series.outstanding.length > 0) expect(series.outstanding.at(-1)).toBe(open);
  // Metrics count expiries and drops as the others do.
  expect(sum(series.expired), `expired series: ${where}`).toBe(t.expired);
  expect(sum(series.dropped), `dropped series: ${where}`).toBe(t.dropped);
  // The checker's lost messages are open in the model.
  for (const id of checker.lostMessageIds(endT)) {
    expect(['queued', 'pushed'], `lost ${id}`).toContain(model.messages.get(id)?.state);
  }
}

/** The events, without those about a message not yet accepted. */
function afterAcceptance(events: readonly LabEvent[]): LabEvent[] {
  const accepted = new Set<string>();
  return events.filter((e) => {
    if (e.kind === 'message.accepted') accepted.add(e.messageId);
    return !('messageId' in e) || e.messageId === null || accepted.has(e.messageId);
  });
}

describe('the lifecycle readers agree', () => {
  it('on random event streams: model, checker, report and metrics buckets', () => {
    fc.assert(
      fc.property(randomSteps(), (steps) => {
        const { s, endT } = randomStream(steps);
        expectAgreement(afterAcceptance(s.events), endT);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('on a message pushed after it expired, then acked (the model used to reopen it)', () => {
    const s = new LabStream().service(0).agent(0, 'ua1', 'user-agent').subscribe(0, 's1', 'ua1');
    s.accept(10, 'm1', { subscriptionId: 's1', ttlSeconds: 1 });
    s.at(1010, { kind: 'message.expired', subscriptionId: 's1', messageId: 'm1' });
    s.at(1500, {
      kind: 'message.pushed',
      subscriptionId: 's1',
      messageId: 'm1',
      attempt: 1,
      urgencyMin: 'very-low',
    });
    s.at(1600, { kind: 'message.acked', subscriptionId: 's1', messageId: 'm1' });
    s.accept(1700, 'm1', { subscriptionId: 's1', ttlSeconds: 60 });
    expectAgreement(s.events, 2000);
    const model = applyEvents(emptyModel(), s.events);
    expect(model.messages.get('m1')).toMatchObject({ state: 'expired', end: 'expired' });
    expect(model.counters).toMatchObject({ accepted: 1, expired: 1, acked: 0 });
  });
});
