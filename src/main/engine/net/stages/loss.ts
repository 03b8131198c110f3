/**
 * loss: packet loss by the Gilbert-Elliott model, decided per segment of `segment_size` bytes.
 * A byte stream cannot lose bytes, so a lost segment shows as TCP does it: a retransmission
 * stall. The segment (and, to keep order, everything behind it) waits `rto` ms, doubling for
 * each further loss of the same segment (capped at 120 s); after 15 retransmissions the
 * connection is reset, like Linux's tcp_retries2. A change applies to segments that enter
 * after it; a stall already under way runs its course.
 */
import type { z } from 'zod';
import type { FaultAttribute } from '../../../../shared/workbench';
import { DelayQueue } from '../delay-queue';
import { GilbertElliott } from '../gilbert-elliott';
import { Stage, defineStage } from '../stage';
import type { Chunk } from '../types';
import type { AttributeSchema } from '../validation';

/** Linux's TCP_RTO_MAX. */
export const RTO_MS_MAX = 120_000;
/** Linux's default tcp_retries2. */
export const RETRANSMISSIONS_MAX = 15;

const ATTRIBUTES = [
  {
    name: 'p',
    type: 'probability',
    unit: null,
    min: 0,
    max: 1,
    description: 'P(good → bad) per segment.',
  },
  {
    name: 'r',
    type: 'probability',
    unit: null,
    min: 0,
    max: 1,
    defaultFrom: '1 − p',
    description: 'P(bad → good) per segment (netem’s default 1 − p).',
  },
  {
    name: 'h',
    type: 'probability',
    unit: null,
    min: 0,
    max: 1,
    default: 0,
    description: 'P(delivered) in the bad state (netem’s default: all lost).',
  },
  {
    name: 'k',
    type: 'probability',
    unit: null,
    min: 0,
    max: 1,
    default: 1,
    description: 'P(delivered) in the good state (netem’s default: none lost).',
  },
  {
    name: 'segment_size',
    type: 'integer',
    unit: 'bytes',
    min: 1,
    max: 65_535,
    default: 1460,
    description: 'Segment size (a TCP MSS).',
  },
  {
    name: 'rto',
    type: 'duration',
    unit: 'ms',
    min: 1,
    max: 60_000,
    default: 200,
    description: 'First retransmission timeout (Linux’s minimum RTO is 200).',
  },
] as const satisfies readonly FaultAttribute[];

/** r's default follows p, which a table cannot say. */
const withR = (schema: AttributeSchema<typeof ATTRIBUTES>) =>
  schema.transform((a) => ({ ...a, r: a.r ?? 1 - a.p }));
type Attrs = z.output<ReturnType<typeof withR>>;

class LossStage extends Stage<Attrs> {
  private readonly queue = new DelayQueue(this.ctx);
  private readonly model = new GilbertElliott(this.attrs);
  private disposed = false;

  override push(chunk: Chunk): void {
    const { data, atMs } = chunk;
    const size = this.attrs.segment_size;
    // Consecutive segments with the same stall travel together.
    const runs: { chunk: Chunk; dueAtMs: number }[] = [];
    let runStart = 0;
    let runStallMs = 0;
    const close = (end: number): void => {
      if (runStallMs > 0) this.ctx.stalled();
      runs.push({
        chunk: { data: data.subarray(runStart, end), atMs },
        dueAtMs: atMs + runStallMs,
      });
      runStart = end;
    };
    for (let offset = 0; offset < data.length; offset += size) {
      const stallMs = this.stallFor();
      if (stallMs < 0 || this.disposed) return; // the connection was reset
      if (stallMs !== runStallMs && offset > runStart) close(offset);
      runStallMs = stallMs;
    }
    close(data.length);
    this.queue.addAll(runs);
  }

  override end(): void {
    this.queue.end();
  }

  override update(attrs: Attrs): void {
    this.attrs = attrs;
    this.model.params = attrs;
  }

  override release(): void {
    this.queue.flush();
  }

  override dispose(): void {
    this.disposed = true;
    this.queue.dispose();
  }

  /** Total stall of one segment in ms (0 = delivered first time), or −1 if TCP gave up. */
  private stallFor(): number {
    let stallMs = 0;
    let rtoMs = this.attrs.rto;
    for (let attempt = 0; this.model.lose(this.ctx.rng); attempt++) {
      if (attempt === RETRANSMISSIONS_MAX) {
        this.ctx.connection.reset('loss');
        return -1;
      }
      stallMs += rtoMs;
      rtoMs = Math.min(rtoMs * 2, RTO_MS_MAX);
    }
    return stallMs;
  }
}

export const loss = defineStage({
  type: 'loss',
  defaultStream: 'both',
  attributes: ATTRIBUTES,
  refine: withR,
  create: (ctx, attrs) => new LossStage(ctx, attrs),
});
