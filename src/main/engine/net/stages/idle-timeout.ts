/**
 * idle_timeout: a NAT (or stateful firewall) that forgets a connection idle for longer than
 * `timeout` ms. Idleness counts bytes in both directions, from the later of the last byte and
 * the stage's start. Once forgotten, every byte both ways vanishes silently and no close is
 * passed on, for good (removing the fault does not bring the mapping back): the push
 * connection that looks alive but isn't. `stream` only picks where the stage sits.
 */
import { z } from 'zod';
import type { Timer } from '../../clock/clock';
import { Stage, defineStage } from '../stage';
import type { Chunk } from '../types';
import { strict } from '../validation';

const attributes = strict({
  /** Idle time after which the connection is forgotten, in ms. */
  timeout: z.number().positive().max(86_400_000),
});
type Attrs = z.output<typeof attributes>;

class IdleTimeoutStage extends Stage<Attrs> {
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

  /** Waits until `timeout` after the last activity; forgets if nothing happened meanwhile. */
  private arm(): void {
    this.timer?.cancel();
    const lastMs = Math.max(this.ctx.connection.lastActivityAtMs, this.startedAtMs);
    const waitMs = lastMs + this.attrs.timeout - this.ctx.clock.now();
    if (waitMs <= 0) this.ctx.connection.forget('idle_timeout');
    else this.timer = this.ctx.clock.schedule(waitMs, () => this.arm());
  }
}

export const idleTimeout = defineStage({
  type: 'idle_timeout',
  defaultStream: 'upstream',
  attributes,
  create: (ctx, attrs) => new IdleTimeoutStage(ctx, attrs),
});
