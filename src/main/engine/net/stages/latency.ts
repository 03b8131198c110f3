/**
 * latency (Toxiproxy): every chunk waits `latency` ms ± up to `jitter` ms (uniform), counted
 * from when it reached this stage, so a chunk that already waited behind another waits only
 * `delay − elapsed`. Order is kept. A change re-times the chunks still held.
 */
import type { FaultAttribute } from '../../../../shared/workbench';
import { DelayQueue } from '../delay-queue';
import { Stage, defineStage } from '../stage';
import type { Chunk } from '../types';
import type { AttributesOutput } from '../validation';

/** One hour: the longest latency or jitter accepted. */
export const LATENCY_MS_MAX = 3_600_000;

const ATTRIBUTES = [
  {
    name: 'latency',
    type: 'duration',
    unit: 'ms',
    min: 0,
    max: LATENCY_MS_MAX,
    description: 'Delay added to every chunk.',
  },
  {
    name: 'jitter',
    type: 'duration',
    unit: 'ms',
    min: 0,
    max: LATENCY_MS_MAX,
    default: 0,
    description: 'Half-width of the uniform spread around latency.',
  },
] as const satisfies readonly FaultAttribute[];
type Attrs = AttributesOutput<typeof ATTRIBUTES>;

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
  attributes: ATTRIBUTES,
  create: (ctx, attrs) => new LatencyStage(ctx, attrs),
});
