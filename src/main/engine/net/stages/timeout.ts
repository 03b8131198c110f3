/**
 * timeout (Toxiproxy): nothing gets through. With `timeout` > 0 the connection is closed that
 * many ms after the stage started; with 0 it stays a blackhole until the stage is removed.
 * Toxiproxy drops what it swallows; here bytes are held (bounded by the link's back-pressure)
 * and released on removal, as a TCP peer would retransmit them, so the stream stays intact.
 */
import type { FaultAttribute } from '../../../../shared/workbench';
import type { Timer } from '../../clock/clock';
import { defineStage } from '../stage';
import { HoldingStage } from './holding';
import type { AttributesOutput } from '../validation';

const ATTRIBUTES = [
  {
    name: 'timeout',
    type: 'duration',
    unit: 'ms',
    min: 0,
    max: 86_400_000,
    default: 0,
    description: 'Time until the connection is closed; 0 = never (blackhole until removed).',
  },
] as const satisfies readonly FaultAttribute[];
type Attrs = AttributesOutput<typeof ATTRIBUTES>;

class TimeoutStage extends HoldingStage<Attrs> {
  private startedAtMs = 0;
  private timer: Timer | null = null;

  override start(): void {
    this.startedAtMs = this.ctx.clock.now();
    this.unhole = this.ctx.connection.blackholed('timeout');
    this.arm();
  }

  override update(attrs: Attrs): void {
    this.attrs = attrs;
    this.arm();
  }

  override dispose(): void {
    this.timer?.cancel();
    super.dispose();
  }

  private arm(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.attrs.timeout === 0) return;
    const waitMs = this.startedAtMs + this.attrs.timeout - this.ctx.clock.now();
    this.timer = this.ctx.clock.schedule(waitMs, () => this.ctx.connection.close('timeout'));
  }
}

export const timeout = defineStage({
  type: 'timeout',
  defaultStream: 'downstream',
  attributes: ATTRIBUTES,
  create: (ctx, attrs) => new TimeoutStage(ctx, attrs),
});
