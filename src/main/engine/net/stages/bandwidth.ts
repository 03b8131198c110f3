/**
 * bandwidth (Toxiproxy): the stage is a wire of `rate` KB/s (1 KB = 1000 bytes). Chunks go out
 * in slices of at most 100 ms worth (as Toxiproxy does), each when its last byte would have
 * crossed the wire, so N bytes sent at once arrive spread over N / rate. A change of rate
 * applies to the bytes not yet sent, including the rest of the slice on the wire.
 */
import type { FaultAttribute } from '../../../../shared/workbench';
import type { Timer } from '../../clock/clock';
import { Stage, defineStage } from '../stage';
import type { Chunk } from '../types';
import type { AttributesOutput } from '../validation';

/** Slices carry at most this much wire time. */
export const BANDWIDTH_SLICE_MS = 100;

const ATTRIBUTES = [
  {
    name: 'rate',
    type: 'number',
    unit: 'KB/s',
    min: 0,
    minExclusive: true,
    max: 10_000_000,
    description: 'Wire speed (1 KB = 1000 bytes); use outage for a link that carries nothing.',
  },
] as const satisfies readonly FaultAttribute[];
type Attrs = AttributesOutput<typeof ATTRIBUTES>;

class BandwidthStage extends Stage<Attrs> {
  private readonly held: Chunk[] = [];
  /** The slice on the wire and the clock ms its last byte lands. */
  private onWire: { data: Buffer; doneAtMs: number } | null = null;
  /** Clock ms the wire is free again (a slice starts at max(now, this)). */
  private freeAtMs = -Infinity;
  private timer: Timer | null = null;
  private ended = false;
  private stopped = false;

  override push(chunk: Chunk): void {
    this.held.push(chunk);
    if (this.onWire === null) this.sendNext();
  }

  override end(): void {
    this.ended = true;
    if (this.onWire === null) this.sendNext();
  }

  override update(attrs: Attrs): void {
    const wire = this.onWire;
    const now = this.ctx.clock.now();
    if (wire !== null && wire.doneAtMs > now) {
      const bytesLeft = (wire.doneAtMs - now) * this.attrs.rate;
      this.attrs = attrs;
      wire.doneAtMs = now + this.msFor(bytesLeft);
      this.freeAtMs = wire.doneAtMs;
      this.arm(wire.doneAtMs - now);
    } else {
      this.attrs = attrs;
    }
  }

  override release(): void {
    this.stop();
    if (this.onWire) this.ctx.emit(this.onWire.data);
    for (const chunk of this.held.splice(0)) this.ctx.emit(chunk.data);
    if (this.ended) this.ctx.end();
  }

  override dispose(): void {
    this.stop();
  }

  private sendNext(): void {
    if (this.stopped) return;
    const head = this.held[0];
    if (head === undefined) {
      if (this.ended) {
        this.stopped = true;
        this.ctx.end();
      }
      return;
    }
    const sliceBytes = Math.max(1, Math.floor(this.attrs.rate * BANDWIDTH_SLICE_MS));
    const data = head.data.subarray(0, sliceBytes);
    head.data = head.data.subarray(data.length);
    if (head.data.length === 0) this.held.shift();
    const now = this.ctx.clock.now();
    const doneAtMs = Math.max(now, this.freeAtMs) + this.msFor(data.length);
    this.freeAtMs = doneAtMs;
    this.onWire = { data, doneAtMs };
    this.arm(doneAtMs - now);
  }

  private arm(delayMs: number): void {
    this.timer?.cancel();
    this.timer = this.ctx.clock.schedule(delayMs, () => {
      this.timer = null;
      const wire = this.onWire;
      this.onWire = null;
      if (wire) this.ctx.emit(wire.data);
      // The emit may have resumed the sender, whose push already put the next slice on the wire.
      if (this.onWire === null) this.sendNext();
    });
  }

  /** Wire time of `bytes` at the current rate (rate KB/s = rate bytes per ms). */
  private msFor(bytes: number): number {
    return bytes / this.attrs.rate;
  }

  private stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }
}

export const bandwidth = defineStage({
  type: 'bandwidth',
  defaultStream: 'downstream',
  attributes: ATTRIBUTES,
  create: (ctx, attrs) => new BandwidthStage(ctx, attrs),
});
