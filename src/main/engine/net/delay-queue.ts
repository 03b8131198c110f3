/**
 * A FIFO of chunks, each passed on no earlier than its due time and never before the chunk
 * ahead of it (a TCP stream keeps its order). One timer at a time on the injected clock.
 *
 *   add ──► [ due 130 | due 120 | due 300 | END ] ──► emit
 *             head waits until 130; the next goes at max(120, 130).
 */
import type { Timer } from '../clock/clock';
import type { StageContext } from './stage';
import type { Chunk } from './types';

interface Item {
  chunk: Chunk;
  dueAtMs: number;
  /** A number the owning stage keeps with the chunk (latency: its jitter draw). */
  tag: number;
}

export class DelayQueue {
  private items: Item[] = [];
  private timer: Timer | null = null;
  private ended = false;
  private closed = false;
  /** True inside pump: an emit can call back into add (a resumed sender); the loop handles it. */
  private pumping = false;

  constructor(private readonly ctx: StageContext) {}

  /** Number of chunks held. */
  get length(): number {
    return this.items.length;
  }

  add(chunk: Chunk, dueAtMs: number, tag = 0): void {
    this.items.push({ chunk, dueAtMs, tag });
    if (this.timer === null) this.pump();
  }

  /** Adds several chunks before passing any on, so a re-entrant add cannot land between them. */
  addAll(entries: readonly { chunk: Chunk; dueAtMs: number }[]): void {
    for (const { chunk, dueAtMs } of entries) this.items.push({ chunk, dueAtMs, tag: 0 });
    if (this.timer === null) this.pump();
  }

  /** The stream ended: pass the end on after the last chunk. */
  end(): void {
    this.ended = true;
    if (this.timer === null) this.pump();
  }

  /** New due times for every held chunk (a changed fault); order is kept. */
  retime(dueOf: (chunk: Chunk, tag: number) => number): void {
    for (const item of this.items) item.dueAtMs = dueOf(item.chunk, item.tag);
    this.stopTimer();
    this.pump();
  }

  /** Passes everything on now, in order (the stage is being removed). */
  flush(): void {
    this.stopTimer();
    const items = this.items;
    this.items = [];
    for (const item of items) this.ctx.emit(item.chunk.data);
    if (this.ended) this.ctx.end();
    this.closed = true;
  }

  /** Cancels the timer; held chunks are dropped with the connection. */
  dispose(): void {
    this.stopTimer();
    this.items = [];
    this.closed = true;
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.drain();
    } finally {
      this.pumping = false;
    }
  }

  private drain(): void {
    while (!this.closed) {
      const head = this.items[0];
      if (head === undefined) {
        if (this.ended) {
          this.closed = true;
          this.ctx.end();
        }
        return;
      }
      const waitMs = head.dueAtMs - this.ctx.clock.now();
      if (waitMs > 0) {
        this.timer = this.ctx.clock.schedule(waitMs, () => {
          this.timer = null;
          this.pump();
        });
        return;
      }
      this.items.shift();
      this.ctx.emit(head.chunk.data);
    }
  }

  private stopTimer(): void {
    this.timer?.cancel();
    this.timer = null;
  }
}
