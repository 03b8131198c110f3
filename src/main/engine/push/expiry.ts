/**
 * TTL deadlines of one service's messages on the injected clock with one timer (issue 13):
 * a timer per message cost each stored message a clock Timer, a node Timeout and a handful
 * of closures, kept for its whole TTL, for the garbage collector to trace again and again.
 * Here a message costs one Set entry in the bucket of its deadline (exact to the
 * millisecond, so expiries happen when they always did), and a min-heap of the buckets'
 * deadlines says which comes next.
 *
 * Items of one deadline expire in the order they were added (a Set keeps insertion order),
 * as their own timers fired before. A bucket that empties leaves its deadline in the heap
 * until it reaches the top or the heap is rebuilt, which happens once the stale deadlines
 * outnumber the live ones: the heap stays O(live buckets) and every operation amortised
 * O(log n).
 */
import type { Clock, Timer } from '../clock/clock';

/** Stale deadlines tolerated beyond the live buckets before the heap is rebuilt. */
const STALE_SLACK = 1024;

export class ExpiryIndex<T> {
  /** deadline (ms) → the items due then, in the order they were added. */
  private readonly buckets = new Map<number, Set<T>>();
  /** Deadlines, a binary min-heap; may hold deadlines whose bucket has emptied. */
  private heap: number[] = [];
  private timer: Timer | null = null;
  /** The deadline `timer` fires for (Infinity when none is armed). */
  private armedMs = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly expire: (item: T) => void,
  ) {}

  /** Items waiting for their deadline. */
  get size(): number {
    let count = 0;
    for (const bucket of this.buckets.values()) count += bucket.size;
    return count;
  }

  /** `item` expires at `deadlineMs` (clock time) unless removed first. */
  add(item: T, deadlineMs: number): void {
    let bucket = this.buckets.get(deadlineMs);
    if (!bucket) {
      bucket = new Set();
      this.buckets.set(deadlineMs, bucket);
      this.pushDeadline(deadlineMs);
    }
    bucket.add(item);
    if (deadlineMs < this.armedMs) this.arm(deadlineMs);
  }

  /** `item` no longer expires (acknowledged, replaced, dropped); `deadlineMs` as added. */
  remove(item: T, deadlineMs: number): void {
    const bucket = this.buckets.get(deadlineMs);
    if (!bucket?.delete(item) || bucket.size > 0) return;
    this.buckets.delete(deadlineMs);
    if (this.buckets.size === 0) {
      // The timer stays armed: it fires once, finds nothing due and arms for what was added
      // since. Cancelled here, a service whose messages are acknowledged as they come (one
      // in flight at a time) scheduled and cancelled a clock timer for every message.
      this.heap = [];
      return;
    }
    if (this.heap.length > 2 * this.buckets.size + STALE_SLACK) this.rebuild();
  }

  /** Cancels the timer and forgets every item. */
  close(): void {
    this.timer?.cancel();
    this.timer = null;
    this.armedMs = Infinity;
    this.buckets.clear();
    this.heap = [];
  }

  private arm(deadlineMs: number): void {
    this.timer?.cancel();
    this.armedMs = deadlineMs;
    this.timer = this.clock.schedule(deadlineMs - this.clock.now(), () => this.fire());
  }

  private fire(): void {
    // The deadline the timer was set for is due even if a real clock reads a hair earlier.
    const dueMs = Math.max(this.clock.now(), this.armedMs);
    this.timer = null;
    this.armedMs = Infinity;
    while (this.heap.length > 0 && this.heap[0]! <= dueMs) {
      const deadlineMs = this.popDeadline();
      const bucket = this.buckets.get(deadlineMs);
      if (!bucket) continue; // emptied earlier
      this.buckets.delete(deadlineMs);
      for (const item of bucket) this.expire(item);
    }
    // An expire callback may have added items (or closed the index): arm for what is next.
    if (this.timer === null && this.heap.length > 0) {
      while (this.heap.length > 0 && !this.buckets.has(this.heap[0]!)) this.popDeadline();
      if (this.heap.length > 0) this.arm(this.heap[0]!);
    }
  }

  private rebuild(): void {
    this.heap = [...this.buckets.keys()].sort((a, b) => a - b);
  }

  private pushDeadline(deadlineMs: number): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(deadlineMs);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! <= deadlineMs) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = deadlineMs;
  }

  private popDeadline(): number {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]! < heap[left]! ? right : left;
      if (heap[child]! >= last) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
