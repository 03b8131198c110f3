/**
 * reset_peer (Toxiproxy): bytes pass until `timeout` ms after the stage started, then both
 * ends are torn down like a TCP RST (ECONNRESET on each side); 0 resets at once.
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
    max: 86_400_000,
    default: 0,
    description: 'Time from the stage’s start to the reset; 0 = at once.',
  },
] as const satisfies readonly FaultAttribute[];
type Attrs = AttributesOutput<typeof ATTRIBUTES>;

class ResetPeerStage extends DeadlineStage<Attrs> {
  protected deadlineMs(): number {
    return this.startedAtMs + this.attrs.timeout;
  }

  protected act(): void {
    this.ctx.connection.reset('reset_peer');
  }
}

export const resetPeer = defineStage({
  type: 'reset_peer',
  defaultStream: 'downstream',
  attributes: ATTRIBUTES,
  create: (ctx, attrs) => new ResetPeerStage(ctx, attrs),
});
