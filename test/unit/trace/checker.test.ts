/**
 * The invariant checker: each rule caught by a minimal hand-written sequence, a clean run
 * with none, and the limits (tolerance, TTL-0 in flight, stopped services, gaps, bounds).
 */
import { describe, expect, it } from 'vitest';
import { CHECKER_RULES, RULE_IDS } from '../../../src/main/engine/trace/checker-rules';
import {
  InvariantChecker,
  checkEvents,
  type CheckResult,
} from '../../../src/main/engine/trace/checker';
import { LabStream } from './lab-stream';

/** The rules violated, one entry per violation. */
const rules = (result: CheckResult): string[] => result.violations.map((v) => v.rule);

describe('InvariantChecker', () => {
  it('passes a clean run: ack with 204, expiry with 410, replacement, drop, TTL 0 in flight', () => {
    const s = new LabStream().service(0);
    s.delivered(10, 'm1', 5, { receiptRequested: true }).receipt(15, 'm1', 204);
    s.accept(20, 'm2', { ttlSeconds: 1, receiptRequested: true })
      .expire(1020, 'm2')
      .receipt(1020, 'm2', 410);
    s.accept(30, 'm3', { topic: 'news' })
      .accept(40, 'm4', { topic: 'news' })
      .replace(40, 'm3', 'm4');
    s.push(40, 'm4').receive(45, 'm4').receive(46, 'm4', 'ua1', true).ack(46, 'm4');
    s.accept(50, 'm5').push(50, 'm5').push(900, 'm5', 2).drop(1000, 'm5');
    s.accept(1100, 'm6', { ttlSeconds: 0 }).push(1100, 'm6'); // awaits its ack: outstanding
    s.accept(1200, 'm7', { ttlSeconds: 3600 }); // TTL not over at the end: outstanding
    const result = checkEvents(s.events, { endT: 5000 });
    expect(result.violations).toEqual([]);
    expect(result.violationCount).toBe(0);
    expect(result.eventCount).toBe(s.events.length);
    expect(result.notes).toEqual([]);
  });

  it('(a) lost: TTL over before the end and no final event', () => {
    const s = new LabStream()
      .accept(1000, 'm1', { ttlSeconds: 2, subscriptionId: 'ps1.s9' })
      .push(1000, 'm1');
    const result = checkEvents(s.events, { endT: 3001 });
    expect(result.violations).toEqual([
      {
        rule: 'lost',
        messageId: 'm1',
        subscriptionId: 'ps1.s9',
        seqs: [1],
        t: 3000,
        sentence: expect.stringMatching(
          /^Message m1 was accepted at seq 1 .*TTL of 2 s .*never acked, expired, replaced or dropped\.$/,
        ),
      },
    ]);
    // Its TTL ends exactly at the end: still legitimately outstanding.
    expect(checkEvents(s.events, { endT: 3000 }).violations).toEqual([]);
  });

  it('(a) judges messages of a stopped service against the stop time', () => {
    const s = new LabStream().accept(0, 'm1', { ttlSeconds: 10 });
    s.at(5000, { kind: 'service.stopped', serviceId: 'ps1' });
    expect(rules(checkEvents(s.events, { endT: 60_000 }))).toEqual([]);
  });

  it('(b) pushed after expiry, with a configurable clock-skew tolerance', () => {
    const s = new LabStream().accept(0, 'm1', { ttlSeconds: 1 }).push(1005, 'm1').ack(1006, 'm1');
    const strict = checkEvents(s.events);
    expect(rules(strict)).toEqual(['pushed-after-expiry']);
    expect(strict.violations[0]).toMatchObject({ messageId: 'm1', seqs: [1, 2], t: 1005 });
    expect(strict.violations[0]!.sentence).toContain('5 ms after its TTL of 1 s ran out');
    expect(rules(checkEvents(s.events, { clockSkewToleranceMs: 10 }))).toEqual([]);
  });

  it('(c) a replaced topic message pushed after its replacement', () => {
    const s = new LabStream().accept(0, 'm1', { topic: 't' }).accept(10, 'm2', { topic: 't' });
    s.replace(10, 'm1', 'm2').push(20, 'm1');
    const result = checkEvents(s.events, { endT: 20 });
    expect(rules(result)).toEqual(['pushed-after-replacement']);
    expect(result.violations[0]).toMatchObject({ messageId: 'm1', seqs: [3, 4], t: 20 });
  });

  it.each([
    [
      '204 for a message not acked',
      (s: LabStream) =>
        s.accept(0, 'm', { receiptRequested: true }).expire(10, 'm').receipt(10, 'm', 204),
      /204 .*expired at seq 2/,
    ],
    [
      '410 for an acked message',
      (s: LabStream) =>
        s.accept(0, 'm', { receiptRequested: true }).push(0, 'm').ack(5, 'm').receipt(5, 'm', 410),
      /410 .*acked at seq 3/,
    ],
    [
      'a receipt for a replaced message',
      (s: LabStream) =>
        s
          .accept(0, 'm', { receiptRequested: true, topic: 't' })
          .accept(5, 'n', { topic: 't' })
          .replace(5, 'm', 'n')
          .receipt(5, 'm', 410),
      /replaced at seq 3/,
    ],
    [
      'a receipt nobody asked for',
      (s: LabStream) => s.accept(0, 'm').push(0, 'm').ack(5, 'm').receipt(5, 'm', 204),
      /did not ask for one/,
    ],
    [
      'two receipts',
      (s: LabStream) =>
        s
          .accept(0, 'm', { receiptRequested: true })
          .push(0, 'm')
          .ack(5, 'm')
          .receipt(5, 'm', 204)
          .receipt(6, 'm', 204),
      /second receipt/,
    ],
    [
      '410 while outstanding',
      (s: LabStream) => s.accept(0, 'm', { receiptRequested: true }).receipt(5, 'm', 410),
      /still outstanding/,
    ],
  ])('(d) receipt mismatch: %s', (_name, build, sentence) => {
    const s = new LabStream();
    build(s);
    const result = checkEvents(s.events, { endT: 10 });
    expect(rules(result)).toEqual(['receipt-mismatch']);
    expect(result.violations[0]!.messageId).toBe('m');
    expect(result.violations[0]!.sentence).toMatch(sentence);
  });

  it('(e) urgency filter ignored; equal urgency is fine', () => {
    const s = new LabStream().accept(0, 'm1', { urgency: 'low' }).push(1, 'm1', 1, 'normal');
    s.accept(2, 'm2', { urgency: 'normal' }).push(3, 'm2', 1, 'normal');
    const result = checkEvents(s.events, { endT: 3 });
    expect(rules(result)).toEqual(['urgency-ignored']);
    expect(result.violations[0]).toMatchObject({ messageId: 'm1', seqs: [1, 2] });
    expect(result.violations[0]!.sentence).toContain(
      'urgency low was pushed at seq 2 on a monitor that asked for normal',
    );
  });

  it('(f) bookkeeping: acked twice, final after final, pushed after ack, unknown ids', () => {
    const s = new LabStream().accept(0, 'm1').push(0, 'm1').ack(5, 'm1').ack(6, 'm1');
    s.expire(7, 'm1')
      .push(8, 'm1')
      .push(9, 'ghost')
      .at(10, { kind: 'message.acked', subscriptionId: 's', messageId: 'ghost2' });
    const result = checkEvents(s.events);
    expect(rules(result)).toEqual([
      'bookkeeping',
      'bookkeeping',
      'bookkeeping',
      'bookkeeping',
      'bookkeeping',
    ]);
    const sentences = result.violations.map((v) => v.sentence);
    expect(sentences[0]).toBe('Message m1 was acked twice (seq 3 and 4).');
    expect(sentences[1]).toBe('Message m1 was expired after it was acked (seq 3 and 5).');
    expect(sentences[2]).toBe('Message m1 was pushed at seq 6 after it was acked at seq 3.');
    expect(sentences[3]).toBe(
      'Event message.pushed at seq 7 names message ghost, which was never accepted.',
    );
    expect(result.violations[4]).toMatchObject({
      messageId: 'ghost2',
      subscriptionId: 's',
      seqs: [8],
    });
  });

  it('(f) received before any push', () => {
    const s = new LabStream().accept(0, 'm1').receive(5, 'm1');
    expect(rules(checkEvents(s.events, { endT: 5 }))).toEqual(['bookkeeping']);
  });

  it('(g) seq gaps, repeats and a wrong start', () => {
    const s = new LabStream().service(0).service(1, 'ps2');
    const events = [...s.events, { ...s.events[1]!, seq: 5 }, { ...s.events[1]!, seq: 4 }];
    const result = checkEvents(events);
    expect(rules(result)).toEqual(['seq-order', 'seq-order']);
    expect(result.violations[0]).toMatchObject({
      seqs: [2, 5],
      sentence: 'Seq jumps from 2 to 5: 2 event(s) missing.',
    });
    expect(result.violations[1]!.sentence).toBe(
      'Seq 4 (service.started) follows seq 5: seqs must rise.',
    );
    expect(rules(checkEvents(events.slice(2)))).toEqual(['seq-order', 'seq-order']);
    expect(rules(checkEvents(events.slice(2), { firstSeq: null }))).toEqual(['seq-order']);
  });

  it("a writer's gap record is noted, not a seq violation, and unknown ids after it are not judged", () => {
    const s = new LabStream().accept(0, 'm1');
    const checker = new InvariantChecker();
    checker.check(s.events[0]!);
    checker.noteGap({ fromSeq: 2, toSeq: 4 });
    checker.check({ seq: 5, t: 10, kind: 'message.acked', subscriptionId: 's', messageId: 'm0' });
    const result = checker.finish(10);
    expect(result.violations).toEqual([]);
    expect(result.notes.join(' ')).toMatch(
      /1 gap\(s\) totalling 3 event\(s\).*1 event\(s\) named messages/,
    );
  });

  it('keeps memory bounded: forgets finished messages past the cap and says so', () => {
    const s = new LabStream();
    for (let i = 0; i < 50; i++) s.delivered(i, `m${i}`, 1);
    s.push(100, 'm0'); // m0 was forgotten: not judged
    const result = checkEvents(s.events, { finishedMessagesMax: 10 });
    expect(result.violations).toEqual([]);
    expect(result.notes.join(' ')).toMatch(/40 finished message\(s\) were forgotten/);
  });

  it('counts every violation but keeps at most violationsMax', () => {
    const s = new LabStream();
    for (let i = 0; i < 20; i++) s.push(i, `ghost${i}`);
    const result = checkEvents(s.events, { violationsMax: 5 });
    expect(result.violations).toHaveLength(5);
    expect(result.violationCount).toBe(20);
    expect(result.omittedCount).toBe(15);
    expect(result.countByRule.bookkeeping).toBe(20);
  });

  it('exports one table row per rule, letters a–g', () => {
    expect(CHECKER_RULES.map((r) => r.letter).join('')).toBe('abcdefg');
    expect(new Set(RULE_IDS).size).toBe(CHECKER_RULES.length);
    for (const rule of CHECKER_RULES) expect(rule.description.length).toBeGreaterThan(20);
  });
});
