/**
 * The invariant checker: consumes LabEvents one at a time (live from the bus, or from a trace)
 * and at finish(endT) returns every violation of the rules in checker-rules.ts, each naming
 * the rule, the message and subscription, the seqs and lab time involved, and one sentence.
 *
 * Memory is bounded: outstanding messages live in one table (`activeMessagesMax`); finished
 * ones move to a smaller table (`finishedMessagesMax`) that keeps only what later rules need
 * (receipts, late pushes, second acks) and forgets the oldest. What was forgotten or missed
 * (trace gaps) is stated in `notes`, and judgements that need it are not made.
 */
import { URGENCIES, type LabEvent } from '../../../shared/events';
import {
  isLostAt,
  stepMessage,
  type AcceptedLife,
  type MessageEnd,
} from '../../../shared/lifecycle';
import type { MessageStep } from '../../../shared/model';
import { BoundedMap } from '../bounded-map';
import {
  EXTERNAL_NOT_OBSERVABLE,
  RULE_IDS,
  type NotObservable,
  type RuleId,
} from './checker-rules';

export interface CheckerOptions {
  /** How late a push may be and still count as within the TTL, ms. Default 0. */
  clockSkewToleranceMs?: number;
  /** Outstanding messages tracked; the oldest beyond it are forgotten unjudged. Default 200,000. */
  activeMessagesMax?: number;
  /** Finished messages remembered for later rules. Default 20,000. */
  finishedMessagesMax?: number;
  /** Violations kept in full (all are counted). Default 1,000. */
  violationsMax?: number;
  /** The seq the stream must start with; null accepts any start. Default 1. */
  firstSeq?: number | null;
  /** Told each violation as it is found, during check() of the offending event ('lost' is judged at finish). */
  onViolation?: (violation: Violation) => void;
}

export interface Violation {
  rule: RuleId;
  messageId: string | null;
  subscriptionId: string | null;
  /** The events involved, earliest first. */
  seqs: number[];
  /** Lab time of the violation (the offending event, or the TTL's end for 'lost'), ms. */
  t: number;
  sentence: string;
}

export interface CheckResult {
  /** The first `violationsMax` violations in stream order; 'lost' ones come last. */
  violations: Violation[];
  violationCount: number;
  countByRule: Record<RuleId, number>;
  /** Violations counted but not kept. */
  omittedCount: number;
  eventCount: number;
  /** The run's end the 'lost' rule judged against, ms. */
  endT: number;
  /** What limited the check: trace gaps, forgotten messages. Empty when it saw everything. */
  notes: string[];
  /** Rules not judged for external services (empty without one): listed, never a pass. */
  notObservable: NotObservable[];
}

/**
 * What readers of a checker fed elsewhere may ask: its verdict and the messages it judges
 * lost. A show's Timeline owns its checker; the show's report reads it through this.
 */
export type CheckerVerdicts = Pick<InvariantChecker, 'finish' | 'lostMessageIds'>;

/** What the checker remembers of one message: its life, as the shared lifecycle folds it. */
type Tracked = AcceptedLife;

export const CHECKER_ACTIVE_MESSAGES_MAX = 200_000;
export const CHECKER_FINISHED_MESSAGES_MAX = 20_000;
export const CHECKER_VIOLATIONS_MAX = 1_000;
/** Services whose stop time is remembered. */
const SERVICES_MAX = 10_000;

export class InvariantChecker {
  private readonly toleranceMs: number;
  private readonly violationsMax: number;
  private readonly firstSeq: number | null;
  private readonly onViolation: ((violation: Violation) => void) | undefined;
  private readonly active: BoundedMap<string, Tracked>;
  private readonly finished: BoundedMap<string, Tracked>;
  private readonly stoppedAtT = new BoundedMap<string, number>(SERVICES_MAX);
  /** Services observed from outside (`service.started` with `external`). */
  private readonly external = new BoundedMap<string, string>(SERVICES_MAX);
  private readonly violations: Violation[] = [];
  private readonly countByRule = Object.fromEntries(RULE_IDS.map((id) => [id, 0])) as Record<
    RuleId,
    number
  >;
  private violationCount = 0;
  private eventCount = 0;
  private lastSeq: number | null = null;
  private lastT: number | null = null;
  private gapCount = 0;
  private gapEventCount = 0;
  /** Events naming a message the checker did not know, not judged (gaps or forgetting). */
  private unjudgedUnknownCount = 0;

  constructor(options: CheckerOptions = {}) {
    this.toleranceMs = options.clockSkewToleranceMs ?? 0;
    this.violationsMax = options.violationsMax ?? CHECKER_VIOLATIONS_MAX;
    this.firstSeq = options.firstSeq === undefined ? 1 : options.firstSeq;
    this.onViolation = options.onViolation;
    this.active = new BoundedMap(options.activeMessagesMax ?? CHECKER_ACTIVE_MESSAGES_MAX);
    this.finished = new BoundedMap(options.finishedMessagesMax ?? CHECKER_FINISHED_MESSAGES_MAX);
  }

  /**
   * Feeds one event, in stream order. `step`: the step the model's fold has just made for
   * this event (ModelFold); when it moved the very life this checker holds, its result is
   * taken instead of stepping the life again — the same function on the same life gives the
   * same answer, so only the cost changes. A life the fold did not share (one the model has
   * forgotten, or a stream the fold skipped) is stepped here as before.
   */
  check(e: LabEvent, step?: MessageStep): void {
    this.eventCount += 1;
    this.checkSeq(e);
    this.lastT = e.t;
    switch (e.kind) {
      case 'service.started':
        if (e.external) this.external.set(e.serviceId, e.serviceId);
        return;
      case 'service.stopped':
        this.stoppedAtT.set(e.serviceId, e.t);
        return;
      case 'message.accepted':
        this.onAccepted(e, step);
        return;
      case 'message.pushed':
        this.onPushed(e);
        break;
      case 'message.received':
        this.onReceived(e);
        break;
      case 'message.acked':
      case 'message.expired':
      case 'message.dropped':
      case 'message.replaced':
        this.onFinal(e, e.kind.slice('message.'.length) as MessageEnd);
        break;
      case 'receipt.sent':
        this.onReceipt(e);
        break;
      case 'device.delivered':
        break;
      default:
        return;
    }
    this.step(e, e.messageId, step);
  }

  /**
   * The trace lost seqs [fromSeq, toSeq] (a writer gap record): the seq rule skips them, and
   * messages the missing events touched are not judged as unknown.
   */
  noteGap(gap: { fromSeq: number; toSeq: number }): void {
    this.gapCount += 1;
    this.gapEventCount += gap.toSeq - gap.fromSeq + 1;
    if (this.lastSeq === null || gap.toSeq > this.lastSeq) this.lastSeq = gap.toSeq;
  }

  /**
   * Every violation so far plus 'lost' judged against `endT` (default: the last event's t).
   * Does not change the checker: more events may follow and finish() be asked again.
   */
  finish(endT: number = this.lastT ?? 0): CheckResult {
    const violations = [...this.violations];
    const countByRule = { ...this.countByRule };
    let violationCount = this.violationCount;
    let lostUnjudged = 0;
    for (const m of this.active.values()) {
      const lost = this.lostAt(m, endT);
      if (lost === null) continue;
      if (this.external.has(m.serviceId)) {
        lostUnjudged += 1;
        continue;
      }
      violationCount += 1;
      countByRule.lost += 1;
      if (violations.length < this.violationsMax) violations.push(lost);
    }
    return {
      violations,
      violationCount,
      countByRule,
      omittedCount: violationCount - violations.length,
      eventCount: this.eventCount,
      endT,
      notes: this.notes(),
      notObservable: this.notObservable(lostUnjudged),
    };
  }

  /** The rules external services leave unjudged, with how many messages each left so. */
  private notObservable(lostUnjudged: number): NotObservable[] {
    if (this.external.size === 0) return [];
    const serviceIds = [...this.external.values()];
    return EXTERNAL_NOT_OBSERVABLE.map(({ rule, why }) => {
      const unjudged = rule === 'lost' ? lostUnjudged : 0;
      return {
        rule,
        serviceIds,
        unjudged,
        sentence: `Rule '${rule}' is not observable for ${serviceIds.join(', ')}: ${why} (${unjudged} message(s) not judged).`,
      };
    });
  }

  /** Ids of every message 'lost' at `endT` (all of them, unlike the capped violation list). */
  *lostMessageIds(endT: number = this.lastT ?? 0): Generator<string> {
    for (const m of this.active.values())
      if (!this.external.has(m.serviceId) && this.lostAt(m, endT) !== null) yield m.id;
  }

  // ---- rules -------------------------------------------------------------------------------

  private checkSeq(e: LabEvent): void {
    const last = this.lastSeq;
    const expected = last === null ? this.firstSeq : last + 1;
    if (expected !== null && e.seq !== expected) {
      const sentence =
        last === null
          ? `The first event has seq ${e.seq}, not ${expected}.`
          : e.seq <= last
            ? `Seq ${e.seq} (${e.kind}) follows seq ${last}: seqs must rise.`
            : `Seq jumps from ${last} to ${e.seq}: ${e.seq - last - 1} event(s) missing.`;
      this.flag('seq-order', null, last === null ? [e.seq] : [last, e.seq], e.t, sentence);
    }
    if (last === null || e.seq > last) this.lastSeq = e.seq;
  }

  private onAccepted(
    e: Extract<LabEvent, { kind: 'message.accepted' }>,
    step: MessageStep | undefined,
  ): void {
    const previous = this.find(e.messageId);
    if (previous) {
      this.flag(
        'bookkeeping',
        previous,
        [previous.acceptedSeq, e.seq],
        e.t,
        `Message ${e.messageId} was accepted twice (seq ${previous.acceptedSeq} and ${e.seq}).`,
      );
      return;
    }
    this.active.set(
      e.messageId,
      stepped(step, e.messageId, undefined) ?? stepMessage(undefined, e)!,
    );
  }

  private onPushed(e: Extract<LabEvent, { kind: 'message.pushed' }>): void {
    const m = this.known(e, e.messageId);
    if (!m) return;
    const late = e.t > m.expiresAt + this.toleranceMs;
    if (m.end === 'replaced') {
      this.flag(
        'pushed-after-replacement',
        m,
        [m.endSeq!, e.seq],
        e.t,
        `Message ${m.id} was pushed (attempt ${e.attempt}) at seq ${e.seq}, after it was replaced at seq ${m.endSeq}.`,
      );
    } else if (late) {
      this.flag(
        'pushed-after-expiry',
        m,
        [m.acceptedSeq, e.seq],
        e.t,
        `Message ${m.id} was pushed (attempt ${e.attempt}) at t=${e.t} ms, ${fmt(e.t - m.expiresAt)} ms after its TTL of ${m.ttlSeconds} s ran out (accepted at t=${m.acceptedAt} ms).`,
      );
    } else if (m.end !== null) {
      this.flag(
        'bookkeeping',
        m,
        [m.endSeq!, e.seq],
        e.t,
        `Message ${m.id} was pushed at seq ${e.seq} after it was ${m.end} at seq ${m.endSeq}.`,
      );
    }
    if (URGENCIES.indexOf(m.urgency) < URGENCIES.indexOf(e.urgencyMin)) {
      this.flag(
        'urgency-ignored',
        m,
        [m.acceptedSeq, e.seq],
        e.t,
        `Message ${m.id} of urgency ${m.urgency} was pushed at seq ${e.seq} on a monitor that asked for ${e.urgencyMin} and above.`,
      );
    }
  }

  private onReceived(e: Extract<LabEvent, { kind: 'message.received' }>): void {
    const m = this.known(e, e.messageId);
    if (m && m.pushes === 0) {
      this.flag(
        'bookkeeping',
        m,
        [m.acceptedSeq, e.seq],
        e.t,
        `Message ${m.id} was received by ${e.agentId} at seq ${e.seq} but never pushed.`,
      );
    }
  }

  private onFinal(e: LabEvent, kind: MessageEnd): void {
    const m = this.known(e, (e as { messageId: string }).messageId);
    if (!m) return;
    if (m.end !== null) {
      const what = m.end === kind ? `${kind} twice` : `${kind} after it was ${m.end}`;
      this.flag(
        'bookkeeping',
        m,
        [m.endSeq!, e.seq],
        e.t,
        `Message ${m.id} was ${what} (seq ${m.endSeq} and ${e.seq}).`,
      );
      return;
    }
    if (m.receipt !== null && (kind === 'replaced' || (kind === 'acked') !== (m.receipt === 204))) {
      this.flag(
        'receipt-mismatch',
        m,
        [m.receiptSeq!, e.seq],
        e.t,
        `Message ${m.id} got receipt ${m.receipt} at seq ${m.receiptSeq} before it was ${kind} at seq ${e.seq}.`,
      );
    }
  }

  private onReceipt(e: Extract<LabEvent, { kind: 'receipt.sent' }>): void {
    const m = this.known(e, e.messageId);
    if (!m) return;
    const id = m.id;
    const end = m.end;
    let problem: string | null = null;
    if (!m.receiptRequested)
      problem = `Receipt ${e.status} was sent at seq ${e.seq} for message ${id}, which did not ask for one`;
    else if (m.receipt !== null)
      problem = `A second receipt (${e.status}) was sent at seq ${e.seq} for message ${id}; the first (${m.receipt}) was at seq ${m.receiptSeq}`;
    else if (end === 'replaced')
      problem = `Receipt ${e.status} was sent at seq ${e.seq} for message ${id}, which was replaced at seq ${m.endSeq}`;
    else if (e.status === 204 && end !== 'acked')
      problem = `Receipt 204 (delivered) was sent at seq ${e.seq} for message ${id}, which was ${end ? `${end} at seq ${m.endSeq}` : 'not acked'}`;
    else if (e.status === 410 && end === null)
      problem = `Receipt 410 (gave up) was sent at seq ${e.seq} for message ${id} while it was still outstanding`;
    else if (e.status === 410 && end === 'acked')
      problem = `Receipt 410 (not delivered) was sent at seq ${e.seq} for message ${id}, which was acked at seq ${m.endSeq}`;
    if (problem)
      this.flag(
        'receipt-mismatch',
        m,
        end ? [m.endSeq!, e.seq] : [m.acceptedSeq, e.seq],
        e.t,
        `${problem}.`,
      );
  }

  /** The message's next life, from the shared lifecycle: ended ones move to the finished table. */
  private step(e: LabEvent, messageId: string, step: MessageStep | undefined): void {
    const before = this.find(messageId);
    if (!before) return;
    const after = stepped(step, messageId, before) ?? stepMessage(before, e);
    if (after === before || !after) return;
    if (before.end === null && after.end !== null) {
      this.active.delete(messageId);
      this.finished.set(messageId, after);
    } else if (after.end === null) this.active.set(messageId, after);
    else this.finished.set(messageId, after);
  }

  /** A 'lost' violation if `m`'s TTL ended before the run (or its service) did. */
  private lostAt(m: Tracked, endT: number): Violation | null {
    const stoppedT = this.stoppedAtT.get(m.serviceId);
    const runEndT = stoppedT !== undefined && stoppedT < endT ? stoppedT : endT;
    if (!isLostAt(m, runEndT, this.toleranceMs)) return null;
    const end =
      runEndT === endT
        ? `the run ended at t=${endT} ms`
        : `service ${m.serviceId} stopped at t=${runEndT} ms`;
    return {
      rule: 'lost',
      messageId: m.id,
      subscriptionId: m.subscriptionId,
      seqs: [m.acceptedSeq],
      t: m.expiresAt,
      sentence: `Message ${m.id} was accepted at seq ${m.acceptedSeq} (t=${m.acceptedAt} ms) with a TTL of ${m.ttlSeconds} s that ran out at t=${m.expiresAt} ms, before ${end}, yet it was never acked, expired, replaced or dropped.`,
    };
  }

  // ---- bookkeeping ---------------------------------------------------------------------------

  private find(messageId: string): Tracked | undefined {
    return this.active.get(messageId) ?? this.finished.get(messageId);
  }

  /** The message an event names; an unknown id is a bookkeeping violation when it can be judged. */
  private known(e: LabEvent, messageId: string): Tracked | undefined {
    const m = this.find(messageId);
    if (m) return m;
    if (this.gapCount > 0 || this.active.forgottenCount > 0 || this.finished.forgottenCount > 0) {
      this.unjudgedUnknownCount += 1;
      return undefined;
    }
    const subscriptionId = 'subscriptionId' in e ? e.subscriptionId : null;
    this.violation({
      rule: 'bookkeeping',
      messageId,
      subscriptionId: typeof subscriptionId === 'string' ? subscriptionId : null,
      seqs: [e.seq],
      t: e.t,
      sentence: `Event ${e.kind} at seq ${e.seq} names message ${messageId}, which was never accepted.`,
    });
    return undefined;
  }

  private flag(rule: RuleId, m: Tracked | null, seqs: number[], t: number, sentence: string): void {
    this.violation({
      rule,
      messageId: m?.id ?? null,
      subscriptionId: m?.subscriptionId ?? null,
      seqs,
      t,
      sentence,
    });
  }

  private violation(v: Violation): void {
    this.violationCount += 1;
    this.countByRule[v.rule] += 1;
    if (this.violations.length < this.violationsMax) this.violations.push(v);
    this.onViolation?.(v);
  }

  private notes(): string[] {
    const notes: string[] = [];
    if (this.gapCount > 0) {
      notes.push(
        `The trace has ${this.gapCount} gap(s) totalling ${this.gapEventCount} event(s) the writer could not keep; messages those events touched may be misjudged.`,
      );
    }
    if (this.active.forgottenCount > 0) {
      notes.push(
        `${this.active.forgottenCount} outstanding message(s) were forgotten to stay within activeMessagesMax=${this.active.countMax} and were not judged.`,
      );
    }
    if (this.finished.forgottenCount > 0) {
      notes.push(
        `${this.finished.forgottenCount} finished message(s) were forgotten (finishedMessagesMax=${this.finished.countMax}); later events for them could not be checked.`,
      );
    }
    if (this.unjudgedUnknownCount > 0) {
      notes.push(
        `${this.unjudgedUnknownCount} event(s) named messages the checker did not know and were not judged.`,
      );
    }
    return notes;
  }
}

/** Checks a whole stream; `endT` defaults to the last event's t. */
export function checkEvents(
  events: Iterable<LabEvent>,
  options: CheckerOptions & { endT?: number } = {},
): CheckResult {
  const checker = new InvariantChecker(options);
  for (const event of events) checker.check(event);
  return checker.finish(options.endT);
}

/**
 * The life after `step` when the fold stepped `messageId` from this very `before` (the same
 * object: the lives are immutable and shared), else undefined: the checker steps it itself.
 */
function stepped(
  step: MessageStep | undefined,
  messageId: string,
  before: AcceptedLife | undefined,
): AcceptedLife | undefined {
  if (step === undefined || step.stepId !== messageId || step.stepBefore !== before)
    return undefined;
  return step.stepAfter;
}

/** Milliseconds for a sentence: integers as is, fractions to 0.1 ms. */
function fmt(ms: number): string {
  return Number.isInteger(ms) ? String(ms) : ms.toFixed(1);
}
