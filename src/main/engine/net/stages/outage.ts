/**
 * outage: the link is down. While any outage fault is active the link refuses new connections
 * (see Link); this stage handles the existing ones: mode `reset` tears each down like a TCP RST
 * when the outage starts, mode `blackhole` holds every byte (bounded by back-pressure) and
 * releases it when the outage ends, as TCP would after retransmitting.
 */
import type { FaultAttribute } from '../../../../shared/workbench';
import { defineStage } from '../stage';
import { HoldingStage } from './holding';
import type { AttributesOutput } from '../validation';

const ATTRIBUTES = [
  {
    name: 'mode',
    type: 'enum',
    unit: null,
    values: ['reset', 'blackhole'],
    default: 'reset',
    description: 'What happens to connections already open when the outage starts.',
  },
] as const satisfies readonly FaultAttribute[];
type Attrs = AttributesOutput<typeof ATTRIBUTES>;

class OutageStage extends HoldingStage<Attrs> {
  override start(): void {
    this.apply();
  }

  override update(attrs: Attrs): void {
    this.attrs = attrs;
    this.apply();
  }

  private apply(): void {
    if (this.attrs.mode === 'reset') this.ctx.connection.reset('outage');
    else this.unhole ??= this.ctx.connection.blackholed('outage');
  }
}

export const outage = defineStage({
  type: 'outage',
  defaultStream: 'both',
  takesLinkDown: true,
  attributes: ATTRIBUTES,
  create: (ctx, attrs) => new OutageStage(ctx, attrs),
});
