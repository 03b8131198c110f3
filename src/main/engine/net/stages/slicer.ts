/**
 * slicer (Toxiproxy): cuts the stream into slices of `average_size` ± `size_variation` bytes
 * (uniform; the last slice of a chunk may be shorter) and waits `delay` µs after each one.
 * Chunks are cut only when their turn comes, so a change applies to every byte still held.
 */
import type { FaultAttribute } from '../../../../shared/workbench';
import type { Timer } from '../../clock/clock';
import { Stage, defineStage } from '../stage';
import type { Chunk } from '../types';
import { problem, type AttributeSchema, type AttributesOutput } from '../validation';

const ATTRIBUTES = [
  {
    name: 'average_size',
    type: 'integer',
    unit: 'bytes',
    min: 1,
    max: 1_048_576,
    description: 'Mean slice size.',
  },
  {
    name: 'size_variation',
    type: 'integer',
    unit: 'bytes',
    min: 0,
    max: 1_048_575,
    default: 0,
    description: 'Largest deviation from average_size (less than average_size).',
  },
  {
    name: 'delay',
    type: 'duration',
    unit: 'µs',
    min: 0,
    max: 10_000_000,
    default: 0,
    description: 'Pause after each slice.',
  },
] as const satisfies readonly FaultAttribute[];
type Attrs = AttributesOutput<typeof ATTRIBUTES>;

/** size_variation < average_size: a check across two fields, which a table cannot say. */
const variationBelowAverage = (schema: AttributeSchema<typeof ATTRIBUTES>) =>
  schema.superRefine((a, ctx) => {
    if (a.size_variation >= a.average_size) {
      problem(
        ctx,
        ['size_variation'],
        a.size_variation,
        'must be less than average_size',
        `0 to ${a.average_size - 1}`,
      );
    }
  });

class SlicerStage extends Stage<Attrs> {
  private readonly held: Chunk[] = [];
  private timer: Timer | null = null;
  private ended = false;
  private stopped = false;
  /** True inside sendSlices: an emit can call back into push; the loop handles it. */
  private sending = false;

  override push(chunk: Chunk): void {
    this.held.push(chunk);
    if (this.timer === null && !this.sending) this.sendSlices();
  }

  override end(): void {
    this.ended = true;
    if (this.timer === null && !this.sending) this.sendSlices();
  }

  override release(): void {
    this.dispose();
    for (const chunk of this.held.splice(0)) this.ctx.emit(chunk.data);
    if (this.ended) this.ctx.end();
  }

  override dispose(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  private sendSlices(): void {
    this.sending = true;
    try {
      this.sendLoop();
    } finally {
      this.sending = false;
    }
  }

  private sendLoop(): void {
    while (!this.stopped) {
      const head = this.held[0];
      if (head === undefined) {
        if (this.ended) {
          this.stopped = true;
          this.ctx.end();
        }
        return;
      }
      const { average_size: average, size_variation: variation } = this.attrs;
      const size = average - variation + this.ctx.rng.int(2 * variation + 1);
      const slice = head.data.subarray(0, size);
      head.data = head.data.subarray(slice.length);
      if (head.data.length === 0) this.held.shift();
      this.ctx.emit(slice);
      const delayMs = this.attrs.delay / 1000;
      if (delayMs > 0) {
        this.timer = this.ctx.clock.schedule(delayMs, () => {
          this.timer = null;
          this.sendSlices();
        });
        return;
      }
    }
  }
}

export const slicer = defineStage({
  type: 'slicer',
  defaultStream: 'downstream',
  attributes: ATTRIBUTES,
  refine: variationBelowAverage,
  create: (ctx, attrs) => new SlicerStage(ctx, attrs),
});
