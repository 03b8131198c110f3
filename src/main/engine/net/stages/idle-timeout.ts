/**
 * idle_timeout: a NAT (or stateful firewall) that forgets a connection idle for longer than
 * `timeout` ms. Idleness counts bytes in both directions, from the later of the last byte and
 * the stage's start. Once forgotten, every byte both ways vanishes silently and no close is
 * passed on, for good (removing the fault does not bring the mapping back): the push
 * connection that looks alive but isn't. `stream` only picks where the stage sits.
 */
import type { FaultAttribute } from '../../../../shared/workbench';
import { defineStage } from '../stage';
import { DeadlineStage } from './deadline';
import type { AttributesOutput } from '../validation';

const ATTRIBUTES = [
  {
    name: 'timeout',
    type: 'duration',
    unit: 'ms',
    min: 0,
    minExclusive: true,
    max: 86_400_000,
    description: 'Idle time after which the connection is forgotten.',
  },
] as const satisfies readonly FaultAttribute[];
type Attrs = AttributesOutput<typeof ATTRIBUTES>;

class IdleTimeoutStage extends DeadlineStage<Attrs> {
  /** `timeout` after the last activity (or the stage's start, if later). */
  protected deadlineMs(): number {
    return Math.max(this.ctx.connection.lastActivityAtMs, this.startedAtMs) + this.attrs.timeout;
  }

  protected act(): void {
    this.ctx.connection.forget('idle_timeout');
  }
}

export const idleTimeout = defineStage({
  type: 'idle_timeout',
  defaultStream: 'upstream',
  attributes: ATTRIBUTES,
  create: (ctx, attrs) => new IdleTimeoutStage(ctx, attrs),
});
