/**
 * A pass-through stage that acts once a deadline computed from its attributes passes
 * (reset_peer, idle_timeout): bytes flow untouched, the one timer is re-armed whenever the
 * attributes change, and cancelled when the stage goes.
 */
import type { Timer } from '../../clock/clock';
import { Stage } from '../stage';
import type { Chunk } from '../types';

export abstract class DeadlineStage<A extends { timeout: number }> extends Stage<A> {
  protected startedAtMs = 0;
  private timer: Timer | null = null;

  /** Clock ms at which to act (re-evaluated whenever the timer fires or attributes change). */
  protected abstract deadlineMs(): number;
  /** What to do once the deadline has passed. */
  protected abstract act(): void;

  override start(): void {
    this.startedAtMs = this.ctx.clock.now();
    this.arm();
  }

  override push(chunk: Chunk): void {
    this.ctx.emit(chunk.data);
  }

  override update(attrs: A): void {
    this.attrs = attrs;
    this.arm();
  }

  override release(): void {
    this.timer?.cancel();
  }

  override dispose(): void {
    this.timer?.cancel();
  }

  /** Acts now if the deadline passed, else waits for it and looks again (it may have moved). */
  private arm(): void {
    this.timer?.cancel();
    const waitMs = this.deadlineMs() - this.ctx.clock.now();
    if (waitMs <= 0) this.act();
    else this.timer = this.ctx.clock.schedule(waitMs, () => this.arm());
  }
}
