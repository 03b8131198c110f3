import type { Clock, Timer } from './clock';

/**
 * A scheduled callback; it is its own Timer handle, so scheduling allocates one object and no
 * closure (a fleet day schedules millions).
 */
class Pending implements Timer {
  cancelled = false;

  constructor(
    readonly atMs: number,
    readonly id: number,
    readonly fn: () => void,
  ) {}

  cancel(): void {
    this.cancelled = true;
  }
}

/**
 * A discrete-event clock for exact tests and virtual-time runs: time moves only through
 * `advance`/`runUntil`, and timers fire in (time, creation order), so runs are reproducible.
 * A binary heap keeps scheduling O(log n) for fleets with many timers.
 */
export class VirtualClock implements Clock {
  readonly kind = 'virtual' as const;
  readonly speed = 1;
  private nowMs: number;
  private nextId = 0;
  private readonly heap: Pending[] = [];

  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  schedule(delayMs: number, fn: () => void): Timer {
    const entry = new Pending(this.nowMs + Math.max(0, delayMs), this.nextId++, fn);
    this.push(entry);
    return entry;
  }

  /** Number of timers still waiting (cancelled ones excluded). */
  pendingCount(): number {
    return this.heap.filter((e) => !e.cancelled).length;
  }

  /** Time of the next live timer, or null. */
  nextAt(): number | null {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap.length > 0 ? this.heap[0]!.atMs : null;
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  advance(ms: number): void {
    this.runUntil(this.nowMs + ms);
  }

  /** Fires every timer due at or before `targetMs`, then sets the time to `targetMs`. */
  runUntil(targetMs: number): void {
    for (;;) {
      const at = this.nextAt();
      if (at === null || at > targetMs) break;
      const entry = this.pop()!;
      this.nowMs = entry.atMs;
      entry.fn();
    }
    if (targetMs > this.nowMs) this.nowMs = targetMs;
  }

  private push(entry: Pending): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Pending | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Pending, b: Pending): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.id < b.id);
}
