/**
 * Live metrics from the raw event ring, one bucket per second of lab time. Pure, so the
 * charts are a function of the ring (recomputed at most once a frame) and easy to test.
 */
import type { LabEvent } from '../../../../shared/events';
import {
  endedBy,
  isLifecycleEvent,
  stepMessage,
  type MessageLife,
} from '../../../../shared/lifecycle';

export const BUCKETS_MAX = 300;
export const BUCKET_MS = 1000;

export interface MetricSeries {
  /** Bucket start, in seconds since the lab started. */
  t: number[];
  /** First receptions (the lifecycle's receivedAt) per bucket. */
  deliveries: number[];
  /** Delivery latency (accepted → received) percentiles of the bucket, ms; null: none. */
  p50: (number | null)[];
  p99: (number | null)[];
  /** Messages accepted and not yet finished, at the bucket's end. */
  outstanding: number[];
  expired: number[];
  dropped: number[];
  /** Connected agents at the bucket's end. */
  connections: number[];
}

export interface BucketOptions {
  maxBuckets?: number;
  /**
   * The values at the ring's end as the model knows them (the ring may start mid-stream):
   * cumulative series are shifted so their last point equals these.
   */
  outstandingNow?: number;
  connectionsNow?: number;
  /**
   * When a message was accepted, for one whose `message.accepted` the ring no longer holds (a
   * burst of 5,000 pushes ten times as many events: the ring keeps the receipts, not the
   * accepts): the model's `acceptedAt`.
   */
  acceptedAt?: (messageId: string) => number | undefined;
}

/** Nearest-rank percentile of ascending `sorted` (p in 0..100); null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function emptySeries(): MetricSeries {
  return {
    t: [],
    deliveries: [],
    p50: [],
    p99: [],
    outstanding: [],
    expired: [],
    dropped: [],
    connections: [],
  };
}

export function bucketEvents(
  events: readonly LabEvent[],
  startT: number,
  options: BucketOptions = {},
): MetricSeries {
  const series = emptySeries();
  const first = events[0];
  const last = events[events.length - 1];
  if (!first || !last) return series;
  const max = Math.max(1, options.maxBuckets ?? BUCKETS_MAX);
  const bucketOf = (t: number) => Math.floor((t - startT) / BUCKET_MS);
  const lastBucket = bucketOf(last.t);
  const firstBucket = Math.max(bucketOf(first.t), lastBucket - max + 1);
  const n = lastBucket - firstBucket + 1;

  const deliveries = new Array<number>(n).fill(0);
  const expired = new Array<number>(n).fill(0);
  const dropped = new Array<number>(n).fill(0);
  const outstandingDelta = new Array<number>(n).fill(0);
  const connectionsDelta = new Array<number>(n).fill(0);
  const latencies: number[][] = Array.from({ length: n }, () => []);
  let outstandingBefore = 0;
  let connectionsBefore = 0;

  // Each message's life from the shared lifecycle; a ring starts mid-stream, so messages
  // accepted before it are picked up midway (and finish without having been counted in:
  // the anchor below corrects that).
  const lives = new Map<string, MessageLife>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const b = Math.floor((e.t - startT) / BUCKET_MS) - firstBucket;
    let out = 0;
    let conn = 0;
    if (e.kind === 'agent.connected') conn = 1;
    else if (e.kind === 'agent.disconnected') conn = -1;
    else if (isLifecycleEvent(e)) {
      const before = lives.get(e.messageId);
      const after = stepMessage(before, e, true);
      if (after !== undefined && after !== before) {
        lives.set(e.messageId, after);
        if (!before && after.acceptedSeq !== null) out = 1;
        // A step on message.received is always the first reception.
        if (b >= 0 && e.kind === 'message.received') {
          deliveries[b]!++;
          // After a burst the ring may hold the receptions but not their acceptances: the
          // model still knows when each message it keeps was accepted.
          const at = after.acceptedAt ?? options.acceptedAt?.(e.messageId);
          if (at != null) latencies[b]!.push(e.t - at);
        }
        if (endedBy(before, after)) {
          out = -1;
          if (b >= 0 && after.end === 'expired') expired[b]!++;
          if (b >= 0 && after.end === 'dropped') dropped[b]!++;
        }
      }
    }
    if (out !== 0) {
      if (b >= 0) outstandingDelta[b]! += out;
      else outstandingBefore += out;
    }
    if (conn !== 0) {
      if (b >= 0) connectionsDelta[b]! += conn;
      else connectionsBefore += conn;
    }
  }

  let outstanding = outstandingBefore;
  let connections = connectionsBefore;
  for (let i = 0; i < n; i++) {
    outstanding += outstandingDelta[i]!;
    connections += connectionsDelta[i]!;
    const sorted = latencies[i]!.sort((a, b) => a - b);
    series.t.push(((firstBucket + i) * BUCKET_MS) / 1000);
    series.deliveries.push(deliveries[i]!);
    series.p50.push(percentile(sorted, 50));
    series.p99.push(percentile(sorted, 99));
    series.outstanding.push(outstanding);
    series.connections.push(connections);
    series.expired.push(expired[i]!);
    series.dropped.push(dropped[i]!);
  }
  if (options.outstandingNow !== undefined) shift(series.outstanding, options.outstandingNow);
  if (options.connectionsNow !== undefined) shift(series.connections, options.connectionsNow);
  return series;
}

/** Shifts `values` so the last equals `now`, never below zero. */
function shift(values: number[], now: number): void {
  const lastValue = values[values.length - 1];
  if (lastValue === undefined || lastValue === now) return;
  const delta = now - lastValue;
  for (let i = 0; i < values.length; i++) values[i] = Math.max(0, values[i]! + delta);
}

/**
 * `series` carried on to `untilSecond` (a bucket start, seconds since the lab started) with
 * empty buckets, so the charts keep moving while the lab is quiet; at most `maxBuckets`.
 */
export function extendTo(
  series: MetricSeries,
  untilSecond: number,
  maxBuckets = BUCKETS_MAX,
): MetricSeries {
  const lastT = series.t[series.t.length - 1];
  if (lastT === undefined || untilSecond <= lastT) return series;
  const add = Math.min(untilSecond - lastT, maxBuckets);
  const out = emptySeries();
  const keep = Math.max(0, series.t.length + add - maxBuckets);
  for (const key of Object.keys(out) as (keyof MetricSeries)[]) {
    (out[key] as unknown[]) = series[key].slice(keep);
  }
  const outstanding = series.outstanding[series.outstanding.length - 1] ?? 0;
  const connections = series.connections[series.connections.length - 1] ?? 0;
  for (let i = add - 1; i >= 0; i--) {
    out.t.push(untilSecond - i);
    out.deliveries.push(0);
    out.p50.push(null);
    out.p99.push(null);
    out.outstanding.push(outstanding);
    out.connections.push(connections);
    out.expired.push(0);
    out.dropped.push(0);
  }
  return out;
}
