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
import { URGENCIES, type LabEvent, type Urgency } from '../../../shared/events';
import { BoundedMap } from '../bounded-map';
import { RULE_IDS, type RuleId } from './checker-rules';

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
}

/**
 * What readers of a checker fed elsewhere may ask: its verdict and the messages it judges
 * lost. A show's Timeline owns its checker; the show's report reads it through this.
 */
export type CheckerVerdicts = Pick<InvariantChecker, 'finish' | 'lostMessageIds'>;

type FinalKind = 'acked' | 'expired' | 'replaced' | 'dropped';

/** What the checker remembers of one message. */
interface Tracked {
  messageId: string;
  subscriptionId: string;
  serviceId: string;
  acceptedSeq: number;
  acceptedT: number;
  ttlSeconds: number;
  /** acceptedT + ttlSeconds·1000. */
  expiresAtT: number;
  urgency: Urgency;
  receiptRequested: boolean;
  pushedCount: number;
  final: { kind: FinalKind; seq: number; t: number } | null;
  receipt: { status: number; seq: number } | null;
}

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

  /** Feeds one event, in stream order. */
  check(e: LabEvent): void {
    this.eventCount += 1;
    this.checkSeq(e);
    this.lastT = e.t;
    switch (e.kind) {
      case 'service.stopped':
        this.stoppedAtT.set(e.serviceId, e.t);
        break;
      case 'message.accepted':
        this.onAccepted(e);
        break;
      case 'message.pushed':
        this.onPushed(e);
        break;
      case 'message.received': {
        const m = this.known(e, e.messageId);
        if (m && m.pushedCount === 0) {
          this.flag(
            'bookkeeping',
            m,
            [m.acceptedSeq, e.seq],
            e.t,
            `Message ${m.messageId} was received by ${e.agentId} at seq ${e.seq} but never pushed.`,
          );
        }
        break;
      }
      case 'message.acked':
      case 'message.expired':
      case 'message.dropped':
        this.onFinal(e, e.kind.slice('message.'.length) as FinalKind, e.messageId);
        break;
      case 'message.replaced':
        this.onFinal(e, 'replaced', e.messageId);
        break;
      case 'receipt.sent':
        this.onReceipt(e);
        break;
      default:
        break;
    }
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
    for (const m of this.active.values()) {
      const lost = this.lostAt(m, endT);
      if (lost === null) continue;
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
    };
  }

  /** Ids of every message 'lost' at `endT` (all of them, unlike the capped violation list). */
  *lostMessageIds(endT: number = this.lastT ?? 0): Generator<string> {
    for (const m of this.active.values()) if (this.lostAt(m, endT) !== null) yield m.messageId;
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

  private onAccepted(e: Extract<LabEvent, { kind: 'message.accepted' }>): void {
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
    this.active.set(e.messageId, {
      messageId: e.messageId,
      subscriptionId: e.subscriptionId,
      serviceId: e.serviceId,
      acceptedSeq: e.seq,
      acceptedT: e.t,
      ttlSeconds: e.ttlSeconds,
      expiresAtT: e.t + e.ttlSeconds * 1000,
      urgency: e.urgency,
      receiptRequested: e.receiptRequested,
      pushedCount: 0,
      final: null,
      receipt: null,
    });
  }

  private onPushed(e: Extract<LabEvent, { kind: 'message.pushed' }>): void {
    const m = this.known(e, e.messageId);
    if (!m) return;
    m.pushedCount += 1;
    const late = e.t > m.expiresAtT + this.toleranceMs;
    if (m.final?.kind === 'replaced') {
      this.flag(
        'pushed-after-replacement',
        m,
        [m.final.seq, e.seq],
        e.t,
        `Message ${m.messageId} was pushed (attempt ${e.attempt}) at seq ${e.seq}, after it was replaced at seq ${m.final.seq}.`,
      );
    } else if (late) {
      this.flag(
        'pushed-after-expiry',
        m,
        [m.acceptedSeq, e.seq],
        e.t,
        `Message ${m.messageId} was pushed (attempt ${e.attempt}) at t=${e.t} ms, ${fmt(e.t - m.expiresAtT)} ms after its TTL of ${m.ttlSeconds} s ran out (accepted at t=${m.acceptedT} ms).`,
      );
    } else if (m.final) {
      this.flag(
        'bookkeeping',
        m,
        [m.final.seq, e.seq],
        e.t,
        `Message ${m.messageId} was pushed at seq ${e.seq} after it was ${m.final.kind} at seq ${m.final.seq}.`,
      );
    }
    if (URGENCIES.indexOf(m.urgency) < URGENCIES.indexOf(e.urgencyMin)) {
      this.flag(
        'urgency-ignored',
        m,
        [m.acceptedSeq, e.seq],
        e.t,
        `Message ${m.messageId} of urgency ${m.urgency} was pushed at seq ${e.seq} on a monitor that asked for ${e.urgencyMin} and above.`,
      );
    }
  }

  private onFinal(e: LabEvent, kind: FinalKind, messageId: string): void {
    const m = this.known(e, messageId);
    if (!m) return;
    if (m.final) {
      const what = m.final.kind === kind ? `${kind} twice` : `${kind} after it was ${m.final.kind}`;
      this.flag(
        'bookkeeping',
        m,
        [m.final.seq, e.seq],
        e.t,
        `Message ${m.messageId} was ${what} (seq ${m.final.seq} and ${e.seq}).`,
      );
      return;
    }
    m.final = { kind, seq: e.seq, t: e.t };
    this.active.delete(m.messageId);
    this.finished.set(m.messageId, m);
    if (m.receipt && (kind === 'replaced' || (kind === 'acked') !== (m.receipt.status === 204))) {
      this.flag(
        'receipt-mismatch',
        m,
        [m.receipt.seq, e.seq],
        e.t,
        `Message ${m.messageId} got receipt ${m.receipt.status} at seq ${m.receipt.seq} before it was ${kind} at seq ${e.seq}.`,
      );
    }
  }

  private onReceipt(e: Extract<LabEvent, { kind: 'receipt.sent' }>): void {
    const m = this.known(e, e.messageId);
    if (!m) return;
    const id = m.messageId;
    const final = m.final;
    let problem: string | null = null;
    if (!m.receiptRequested)
      problem = `Receipt ${e.status} was sent at seq ${e.seq} for message ${id}, which did not ask for one`;
    else if (m.receipt)
      problem = `A second receipt (${e.status}) was sent at seq ${e.seq} for message ${id}; the first (${m.receipt.status}) was at seq ${m.receipt.seq}`;
    else if (final?.kind === 'replaced')
      problem = `Receipt ${e.status} was sent at seq ${e.seq} for message ${id}, which was replaced at seq ${final.seq}`;
    else if (e.status === 204 && final?.kind !== 'acked')
      problem = `Receipt 204 (delivered) was sent at seq ${e.seq} for message ${id}, which was ${final ? `${final.kind} at seq ${final.seq}` : 'not acked'}`;
    else if (e.status === 410 && final === null)
      problem = `Receipt 410 (gave up) was sent at seq ${e.seq} for message ${id} while it was still outstanding`;
    else if (e.status === 410 && final?.kind === 'acked')
      problem = `Receipt 410 (not delivered) was sent at seq ${e.seq} for message ${id}, which was acked at seq ${final.seq}`;
    if (problem)
      this.flag(
        'receipt-mismatch',
        m,
        final ? [final.seq, e.seq] : [m.acceptedSeq, e.seq],
        e.t,
        `${problem}.`,
      );
    m.receipt ??= { status: e.status, seq: e.seq };
  }

  /** A 'lost' violation if `m`'s TTL ended before the run (or its service) did. */
  private lostAt(m: Tracked, endT: number): Violation | null {
    if (m.final) return null;
    // TTL 0, pushed: it waits for its ack while the monitor lives (see push/core.ts).
    if (m.ttlSeconds === 0 && m.pushedCount > 0) return null;
    const stoppedT = this.stoppedAtT.get(m.serviceId);
    const runEndT = stoppedT !== undefined && stoppedT < endT ? stoppedT : endT;
    if (m.expiresAtT + this.toleranceMs >= runEndT) return null;
    const end =
      runEndT === endT
        ? `the run ended at t=${endT} ms`
        : `service ${m.serviceId} stopped at t=${runEndT} ms`;
    return {
      rule: 'lost',
      messageId: m.messageId,
      subscriptionId: m.subscriptionId,
      seqs: [m.acceptedSeq],
      t: m.expiresAtT,
      sentence: `Message ${m.messageId} was accepted at seq ${m.acceptedSeq} (t=${m.acceptedT} ms) with a TTL of ${m.ttlSeconds} s that ran out at t=${m.expiresAtT} ms, before ${end}, yet it was never acked, expired, replaced or dropped.`,
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
      messageId: m?.messageId ?? null,
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

/** Milliseconds for a sentence: integers as is, fractions to 0.1 ms. */
function fmt(ms: number): string {
  return Number.isInteger(ms) ? String(ms) : ms.toFixed(1);
}
