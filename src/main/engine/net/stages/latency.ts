/**
 * latency (Toxiproxy): every chunk waits `latency` ms ± up to `jitter` ms (uniform), counted
 * from when it reached this stage, so a chunk that already waited behind another waits only
 * `delay − elapsed`. Order is kept. A change re-times the chunks still held.
 */
import { type z } from 'zod';
import { DelayQueue } from '../delay-queue';
import { Stage, defineStage } from '../stage';
import type { Chunk } from '../types';
import { milliseconds, strict } from '../validation';

/** One hour: the longest latency or jitter accepted. */
export const LATENCY_MS_MAX = 3_600_000;

const attributes = strict({
  /** Delay added to every chunk, in ms. */
  latency: milliseconds(LATENCY_MS_MAX),
  /** Half-width of the uniform spread around `latency`, in ms. */
  jitter: milliseconds(LATENCY_MS_MAX).default(0),
});
type Attrs = z.output<typeof attributes>;

class LatencyStage extends Stage<Attrs> {
  private readonly queue = new DelayQueue(this.ctx);

  override push(chunk: Chunk): void {
    // tag ∈ [-1, 1): this chunk's jitter draw, kept so a change of `jitter` can re-time it.
    const tag = this.ctx.rng.next() * 2 - 1;
    this.queue.add(chunk, this.dueAt(chunk, tag), tag);
  }

  override end(): void {
    this.queue.end();
  }

  override update(attrs: Attrs): void {
    this.attrs = attrs;
    this.queue.retime((chunk, tag) => this.dueAt(chunk, tag));
  }

  override release(): void {
    this.queue.flush();
  }

  override dispose(): void {
    this.queue.dispose();
  }

  private dueAt(chunk: Chunk, tag: number): number {
    return chunk.atMs + Math.max(0, this.attrs.latency + tag * this.attrs.jitter);
  }
}

export const latency = defineStage({
  type: 'latency',
  defaultStream: 'downstream',
  attributes,
  create: (ctx, attrs) => new LatencyStage(ctx, attrs),
});
