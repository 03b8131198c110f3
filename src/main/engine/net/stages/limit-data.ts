/**
 * limit_data (Toxiproxy): passes exactly `bytes` bytes in this direction, then ends the stream
 * and closes the connection once that end has been delivered; later bytes are dropped.
 */
import type { FaultAttribute } from '../../../../shared/workbench';
import { Stage, defineStage } from '../stage';
import type { Chunk } from '../types';
import type { AttributesOutput } from '../validation';

const ATTRIBUTES = [
  {
    name: 'bytes',
    type: 'integer',
    unit: 'bytes',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    description: 'Bytes let through before the connection is closed.',
  },
] as const satisfies readonly FaultAttribute[];
type Attrs = AttributesOutput<typeof ATTRIBUTES>;

class LimitDataStage extends Stage<Attrs> {
  private passedBytes = 0;
  private done = false;

  override start(): void {
    this.checkLimit();
  }

  override push(chunk: Chunk): void {
    if (this.done) {
      this.ctx.drop(chunk.data.length);
      return;
    }
    const room = this.attrs.bytes - this.passedBytes;
    const data = chunk.data.subarray(0, room);
    this.passedBytes += data.length;
    if (data.length < chunk.data.length) this.ctx.drop(chunk.data.length - data.length);
    this.ctx.emit(data);
    this.checkLimit();
  }

  override end(): void {
    if (!this.done) this.ctx.end();
  }

  override update(attrs: Attrs): void {
    this.attrs = attrs;
    this.checkLimit();
  }

  private checkLimit(): void {
    if (this.done || this.passedBytes < this.attrs.bytes) return;
    this.done = true;
    this.ctx.finish('limit_data');
  }
}

export const limitData = defineStage({
  type: 'limit_data',
  defaultStream: 'downstream',
  attributes: ATTRIBUTES,
  create: (ctx, attrs) => new LimitDataStage(ctx, attrs),
});
