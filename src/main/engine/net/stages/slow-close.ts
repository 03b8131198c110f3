/**
 * slow_close (Toxiproxy): bytes pass untouched; the end of the stream (the FIN) is held for
 * `delay` ms. A change re-times a held end from when it arrived.
 */
import type { FaultAttribute } from '../../../../shared/workbench';
import type { Timer } from '../../clock/clock';
import { Stage, defineStage } from '../stage';
import type { Chunk } from '../types';
import type { AttributesOutput } from '../validation';

const ATTRIBUTES = [
  {
    name: 'delay',
    type: 'duration',
    unit: 'ms',
    min: 0,
    max: 3_600_000,
    description: 'How long the end of the stream is held.',
  },
] as const satisfies readonly FaultAttribute[];
type Attrs = AttributesOutput<typeof ATTRIBUTES>;

class SlowCloseStage extends Stage<Attrs> {
  private endAtMs: number | null = null;
  private timer: Timer | null = null;

  override push(chunk: Chunk): void {
    this.ctx.emit(chunk.data);
  }

  override end(): void {
    this.endAtMs = this.ctx.clock.now();
    this.arm();
  }

  override update(attrs: Attrs): void {
    this.attrs = attrs;
    if (this.timer) this.arm();
  }

  override release(): void {
    this.timer?.cancel();
    if (this.endAtMs !== null) this.ctx.end();
  }

  override dispose(): void {
    this.timer?.cancel();
  }

  private arm(): void {
    this.timer?.cancel();
    const waitMs = (this.endAtMs ?? 0) + this.attrs.delay - this.ctx.clock.now();
    this.timer = this.ctx.clock.schedule(waitMs, () => this.ctx.end());
  }
}

export const slowClose = defineStage({
  type: 'slow_close',
  defaultStream: 'downstream',
  attributes: ATTRIBUTES,
  create: (ctx, attrs) => new SlowCloseStage(ctx, attrs),
});
