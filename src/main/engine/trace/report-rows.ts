/**
 * One row of a report's message table (a push service, an agent class, a sender, or the
 * whole run): counters fed by the report builder and a latency digest, summarised into
 * MessageStats with rounded numbers and a fixed key order.
 */
import { naturalCompare } from '../../../shared/natural-order';
import { LatencyDigest, type HistogramBin } from './latency';

export interface LatencySummary {
  /** Delivered messages measured. */
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  /** False once the digest folded samples into 1 % buckets (percentiles within 1 %). */
  exact: boolean;
}

/** Message counts of one row; see docs/traces.md for each definition. */
export interface MessageStats {
  accepted: number;
  delivered: number;
  /** delivered / accepted; null when nothing was accepted. */
  deliveryRatio: number | null;
  /** Accepted → first delivery, ms. */
  latencyMs: LatencySummary;
  latencyHistogram: HistogramBin[];
  /** Delivered messages whose first delivery came after their TTL ran out. */
  stale: number;
  /**
   * Each accepted message has one outcome, its first final event — acked, expired, replaced,
   * dropped — or, still outstanding at the report's end, lost (the checker's 'lost' rule) or
   * still queued. So accepted = acked + expired + replaced + dropped + lost + stillQueued
   * (while the report forgot no message: see its notes).
   */
  acked: number;
  expired: number;
  replaced: number;
  dropped: number;
  /** From the invariant checker's 'lost' rule. */
  lost: number;
  /** Outstanding at the report's end with its TTL not yet run out (or awaiting its ack). */
  stillQueued: number;
  /** message.pushed with attempt > 1. */
  redeliveries: number;
  /** Deliveries after the first (message.received duplicate, or a repeated device.delivered). */
  duplicates: number;
}

/** How a row recognises a delivery. */
export type DeliveryKind = 'any' | 'received' | 'device';

export class MessageRow {
  accepted = 0;
  delivered = 0;
  stale = 0;
  acked = 0;
  expired = 0;
  replaced = 0;
  dropped = 0;
  redeliveries = 0;
  duplicates = 0;
  readonly latency: LatencyDigest;

  constructor(
    readonly delivery: DeliveryKind,
    latencySamplesMax?: number,
  ) {
    this.latency = new LatencyDigest(latencySamplesMax);
  }

  /** A first delivery of one of this row's messages. */
  deliver(latencyMs: number, stale: boolean): void {
    this.delivered += 1;
    this.latency.add(latencyMs);
    if (stale) this.stale += 1;
  }

  /** The row's figures, with what only the end can tell: outstanding messages lost or still queued. */
  stats(outstanding: { lost: number; stillQueued: number }): MessageStats {
    const ms = (v: number | null): number | null => (v === null ? null : roundTo(v, 1));
    return {
      accepted: this.accepted,
      delivered: this.delivered,
      deliveryRatio: ratio(this.delivered, this.accepted),
      latencyMs: {
        count: this.latency.count,
        p50: ms(this.latency.percentile(50)),
        p90: ms(this.latency.percentile(90)),
        p99: ms(this.latency.percentile(99)),
        max: ms(this.latency.maxMs),
        exact: this.latency.exact,
      },
      latencyHistogram: this.latency.histogram(),
      stale: this.stale,
      acked: this.acked,
      expired: this.expired,
      replaced: this.replaced,
      dropped: this.dropped,
      lost: outstanding.lost,
      stillQueued: outstanding.stillQueued,
      redeliveries: this.redeliveries,
      duplicates: this.duplicates,
    };
  }
}

/** Rounds to `digits` decimals (ms: 1, ratios: 4, joules: 6), keeping integers intact. */
export function roundTo(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** a / b to 4 decimals; null when b is 0. */
export function ratio(a: number, b: number): number | null {
  return b === 0 ? null : roundTo(a / b, 4);
}

/** Adds one to `counts[key]`. */
export function bump(counts: Map<string, number>, key: string | number, by = 1): void {
  const k = String(key);
  counts.set(k, (counts.get(k) ?? 0) + by);
}

/** A Map as a plain object with keys in the order people read them (naturalCompare), for stable JSON. */
export function sortedRecord(
  counts: ReadonlyMap<string, number>,
  digits?: number,
): Record<string, number> {
  const keys = [...counts.keys()].sort(naturalCompare);
  const out: Record<string, number> = {};
  for (const key of keys) {
    const value = counts.get(key)!;
    out[key] = digits === undefined ? value : roundTo(value, digits);
  }
  return out;
}
