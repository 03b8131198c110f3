/**
 * reset_peer (Toxiproxy): bytes pass until `timeout` ms after the stage started, then both
 * ends are torn down like a TCP RST (ECONNRESET on each side); 0 resets at once.
 */
import { type z } from 'zod';
import type { Timer } from '../../clock/clock';
import { Stage, defineStage } from '../stage';
import type { Chunk } from '../types';
import { milliseconds, strict } from '../validation';

const attributes = strict({
  /** ms from the stage's start to the reset; 0 = at once. */
  timeout: milliseconds(86_400_000).default(0),
});
type Attrs = z.output<typeof attributes>;

class ResetPeerStage extends Stage<Attrs> {
  private startedAtMs = 0;
  private timer: Timer | null = null;

  override start(): void {
    this.startedAtMs = this.ctx.clock.now();
    this.arm();
  }

  override push(chunk: Chunk): void {
    this.ctx.emit(chunk.data);
  }

  override update(attrs: Attrs): void {
    this.attrs = attrs;
    this.arm();
  }

  override release(): void {
    this.timer?.cancel();
  }

  override dispose(): void {
    this.timer?.cancel();
  }

  private arm(): void {
    this.timer?.cancel();
    const waitMs = this.startedAtMs + this.attrs.timeout - this.ctx.clock.now();
    if (waitMs <= 0) this.ctx.connection.reset('reset_peer');
    else
      this.timer = this.ctx.clock.schedule(waitMs, () => this.ctx.connection.reset('reset_peer'));
  }
}

export const resetPeer = defineStage({
  type: 'reset_peer',
  defaultStream: 'downstream',
  attributes,
  create: (ctx, attrs) => new ResetPeerStage(ctx, attrs),
});
