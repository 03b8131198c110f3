/**
 * A stage that lets nothing through while it is in force (outage in blackhole mode,
 * timeout): it holds every chunk (bounded by the link's back-pressure) and the end of the
 * stream, and passes them on, in order, when it is removed — as a TCP peer would retransmit
 * them, so the byte stream stays intact.
 */
import { Stage } from '../stage';
import type { Chunk } from '../types';

export abstract class HoldingStage<A> extends Stage<A> {
  private readonly held: Chunk[] = [];
  private ended = false;
  /** Ends the connection's 'blackholed' state (set by subclasses that declare one). */
  protected unhole: (() => void) | null = null;

  override push(chunk: Chunk): void {
    this.held.push(chunk);
    this.ctx.stalled();
  }

  override end(): void {
    this.ended = true;
  }

  override release(): void {
    this.dispose();
    for (const chunk of this.held.splice(0)) this.ctx.emit(chunk.data);
    if (this.ended) this.ctx.end();
  }

  override dispose(): void {
    this.unhole?.();
    this.unhole = null;
  }
}
