/**
 * The invariant checker's rules as data, for docs/traces.md, the UI and reports. The checker
 * (checker.ts) implements them; each violation it returns names one of these ids.
 */

export type RuleId =
  | 'lost'
  | 'pushed-after-expiry'
  | 'pushed-after-replacement'
  | 'receipt-mismatch'
  | 'urgency-ignored'
  | 'bookkeeping'
  | 'seq-order';

export interface CheckerRule {
  id: RuleId;
  /** The rule's letter in docs/traces.md. */
  letter: string;
  title: string;
  /** One or two sentences: what is checked and when it is a violation. */
  description: string;
}

export const CHECKER_RULES: readonly CheckerRule[] = [
  {
    id: 'lost',
    letter: 'a',
    title: 'Lost message',
    description:
      'An accepted message whose TTL ran out before the run ended (or before its service stopped) ' +
      'but that was never acked, expired, replaced or dropped. A TTL-0 message that was pushed ' +
      'and still awaits its ack on a live monitor is outstanding, not lost.',
  },
  {
    id: 'pushed-after-expiry',
    letter: 'b',
    title: 'Pushed after expiry',
    description:
      'message.pushed later than accepted t + ttlSeconds·1000 (plus the clock-skew tolerance): ' +
      'RFC 8030 §5.2 forbids delivery attempts once the TTL has elapsed.',
  },
  {
    id: 'pushed-after-replacement',
    letter: 'c',
    title: 'Pushed after replacement',
    description:
      'message.pushed for a topic message after message.replaced removed it (RFC 8030 §5.4).',
  },
  {
    id: 'receipt-mismatch',
    letter: 'd',
    title: 'Receipt disagrees with what happened',
    description:
      'receipt.sent 204 for a message not acked, 410 for one that was acked or is still ' +
      'outstanding, any receipt for a replaced message or one sent without receiptRequested, ' +
      'or a second receipt for one message.',
  },
  {
    id: 'urgency-ignored',
    letter: 'e',
    title: 'Urgency filter ignored',
    description:
      "message.pushed whose message urgency is below the monitor's urgencyMin " +
      '(very-low < low < normal < high, RFC 8030 §5.3).',
  },
  {
    id: 'bookkeeping',
    letter: 'f',
    title: 'Protocol bookkeeping',
    description:
      'Events that cannot follow from earlier ones: a message accepted twice, acked twice, given ' +
      'a second final event, pushed after it was acked or dropped, received before any push, or ' +
      'a message event for an id never accepted.',
  },
  {
    id: 'seq-order',
    letter: 'g',
    title: 'Sequence not gap-free',
    description:
      'Event seq numbers must start at 1 and rise by exactly 1; a gap the trace writer recorded ' +
      'itself (a gap record) is noted, not counted.',
  },
];

export const RULE_IDS: readonly RuleId[] = CHECKER_RULES.map((rule) => rule.id);

/** A rule the checker cannot judge for some services, and why (listed, never counted as a pass). */
export interface NotObservable {
  rule: RuleId;
  /** The services it was not judged for. */
  serviceIds: string[];
  /** Messages it would have judged (e.g. undelivered when their TTL ran out). */
  unjudged: number;
  sentence: string;
}

/**
 * The rules that need a push service's inside view, so are not judged for an external one
 * (`service.started` with `external`): its messages' story is what its clients observed.
 */
export const EXTERNAL_NOT_OBSERVABLE: readonly { rule: RuleId; why: string }[] = [
  {
    rule: 'lost',
    why:
      'an external service expires messages out of sight, so a message undelivered when its TTL ' +
      'ran out may have expired or been lost; only a 410 receipt shows an expiry',
  },
];
