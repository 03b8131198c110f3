/**
 * reset_peer (Toxiproxy): bytes pass until `timeout` ms after the stage started, then both
 * ends are torn down like a TCP RST (ECONNRESET on each side); 0 resets at once.
 */
import { type z } from 'zod';
import { defineStage } from '../stage';
import { DeadlineStage } from './deadline';
import { milliseconds, strict } from '../validation';

const attributes = strict({
  /** ms from the stage's start to the reset; 0 = at once. */
  timeout: milliseconds(86_400_000).default(0),
});
type Attrs = z.output<typeof attributes>;

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
  attributes,
  create: (ctx, attrs) => new ResetPeerStage(ctx, attrs),
});
