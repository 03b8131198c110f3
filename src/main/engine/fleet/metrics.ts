/**
 * The metrics a fleet VU reports, named once: the Artillery engine hands them to Artillery's
 * own counters and histograms, so its reports, `--count` and its cloud runners carry them.
 */
export const FLEET_METRICS = {
  /** Subscriptions made. */
  subscribed: 'push.subscribed',
  /** Sends the service accepted (2xx), after retries. */
  accepted: 'push.accepted',
  /** Accepted messages the target VU received and decrypted while the sender waited. */
  delivered: 'push.delivered',
  /** Accepted messages not received within the sender's wait (late, expired or dropped). */
  lost: 'push.lost',
  /** Send attempts repeated after a 429, a 5xx or a network failure. */
  retries: 'push.retries',
  /** Messages received again (a redelivery after a lost acknowledgement). */
  duplicates: 'push.duplicates',
  /** `receive` steps that ended on their timeout. */
  receiveTimeouts: 'push.receive.timeouts',
  /** Milliseconds from the start of a send to its decrypted receipt (histogram). */
  latency: 'push.latency',
} as const;

/** `push.errors.<code>`: a status (`429`), `network`, `subscribe`, `decrypt`, `no_target`, `pending_max`. */
export function errorMetric(code: string | number): string {
  return `push.errors.${code}`;
}

/** Where a VU's figures go (Artillery's event emitter, or a test's tally). */
export interface MetricsSink {
  counter(name: string, value: number): void;
  histogram(name: string, value: number): void;
}
