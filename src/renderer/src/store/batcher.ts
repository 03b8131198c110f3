/**
 * Applies the lab's event stream to a model at most once per animation frame.
 *
 * Events are queued as they arrive and applied together with the shared reducer on the next
 * frame, so a burst of thousands of events costs one `applyEvents` and one store update.
 * A snapshot replaces the model at once and drops queued events it already contains.
 * A gap in seq (an event after `model.seq + 1` with the ones between missing) stops
 * application at the gap and asks for a resync; the held events wait for the snapshot.
 *
 * Independent of React and of the transport: the store wires it to a LabClient.
 */
import type { LabEvent } from '../../../shared/events';
import { applyEvents, type LabModel } from '../../../shared/model';

/** Runs `callback` once, later; returns a function that cancels it. */
export type FrameScheduler = (callback: () => void) => () => void;

/** While the queue is held by a gap, ask again for a snapshot after this long. */
export const RESYNC_RETRY_MS = 3_000;
/** A queue this long is applied at once (a hidden window gets no frames) or, if held, dropped. */
export const MAX_QUEUED_EVENTS = 50_000;
/** Fallback delay when there is no requestAnimationFrame, and the backstop when frames stall. */
export const FRAME_FALLBACK_MS = 16;
const HIDDEN_BACKSTOP_MS = 250;

/**
 * requestAnimationFrame when there is one (with a timer backstop, because hidden windows get
 * no frames), else setTimeout(16 ms), e.g. in tests and workers.
 */
export function animationFrameScheduler(): FrameScheduler {
  const raf = globalThis.requestAnimationFrame as typeof requestAnimationFrame | undefined;
  if (typeof raf !== 'function') {
    return (callback) => {
      const handle = setTimeout(callback, FRAME_FALLBACK_MS);
      return () => clearTimeout(handle);
    };
  }
  return (callback) => {
    let done = false;
    const run = (): void => {
      if (done) return;
      done = true;
      cancelAnimationFrame(frame);
      clearTimeout(backstop);
      callback();
    };
    const frame = raf(run);
    const backstop = setTimeout(run, HIDDEN_BACKSTOP_MS);
    return () => {
      done = true;
      cancelAnimationFrame(frame);
      clearTimeout(backstop);
    };
  };
}

export interface EventBatcherOptions {
  getModel(): LabModel;
  /** The new model, with the events just applied (new ones only, in seq order; none for a snapshot). */
  setModel(model: LabModel, applied: readonly LabEvent[]): void;
  /** Asks the host for a fresh snapshot. */
  requestResync(): void;
  schedule?: FrameScheduler;
  /** Milliseconds, for the resync retry; defaults to performance.now / Date.now. */
  now?: () => number;
  resyncRetryMs?: number;
  maxQueued?: number;
}

export class EventBatcher {
  private queue: LabEvent[] = [];
  /** The snapshot last applied: where a new show starts (see startShow). */
  private snapshot: LabModel | null = null;
  private cancelFrame: (() => void) | null = null;
  /** When a snapshot was last asked for and has not arrived yet; null when none is awaited. */
  private resyncSince: number | null;
  private readonly schedule: FrameScheduler;
  private readonly now: () => number;
  private readonly resyncRetryMs: number;
  private readonly maxQueued: number;

  constructor(private readonly options: EventBatcherOptions) {
    this.schedule = options.schedule ?? animationFrameScheduler();
    this.now = options.now ?? defaultNow;
    this.resyncRetryMs = options.resyncRetryMs ?? RESYNC_RETRY_MS;
    this.maxQueued = options.maxQueued ?? MAX_QUEUED_EVENTS;
    // Every transport starts each connection with a snapshot, so one is on its way.
    this.resyncSince = this.now();
  }

  /** Events waiting for the next frame (or held behind a gap). */
  get queued(): number {
    return this.queue.length;
  }

  /** True while a snapshot has been asked for and not received. */
  get awaitingSnapshot(): boolean {
    return this.resyncSince !== null;
  }

  /** Queues a batch; it is applied on the next frame. */
  pushEvents(events: readonly LabEvent[]): void {
    if (events.length === 0) return;
    for (const event of events) this.queue.push(event);
    if (this.queue.length >= this.maxQueued) {
      this.flush();
      if (this.queue.length >= this.maxQueued) {
        // Held behind a gap and still growing: the snapshot we are waiting for covers them.
        this.queue = [];
        this.onGap(true);
      }
      return;
    }
    this.requestFrame();
  }

  /** Replaces the model now; queued events the snapshot already contains are dropped. */
  applySnapshot(model: LabModel): void {
    this.resyncSince = null;
    this.snapshot = model;
    this.queue = this.queue.filter((event) => event.seq > model.seq);
    this.options.setModel(model, []);
    if (this.queue.length > 0) this.requestFrame();
    else this.cancelPendingFrame();
  }

  /**
   * Tells the batcher a snapshot is on its way (the transport reconnected), so a gap before
   * it arrives is expected and does not trigger another resync.
   */
  expectSnapshot(): void {
    this.resyncSince ??= this.now();
  }

  /** Applies what can be applied now; called by the scheduled frame. */
  flush(): void {
    this.cancelPendingFrame();
    if (this.queue.length === 0) return;
    const events = isSorted(this.queue)
      ? this.queue
      : [...this.queue].sort((a, b) => a.seq - b.seq);
    this.queue = [];
    const model = this.options.getModel();
    let next = model.seq + 1;
    let cut = events.length;
    for (let i = 0; i < events.length; i++) {
      const seq = (events[i] as LabEvent).seq;
      if (seq < next) continue; // Already applied, or a duplicate.
      if (seq === next) {
        next++;
        continue;
      }
      cut = i;
      break;
    }
    if (next > model.seq + 1) {
      const applying = cut === events.length ? events : events.slice(0, cut);
      let last = model.seq;
      const fresh = applying.filter((e) => (e.seq > last ? ((last = e.seq), true) : false));
      this.options.setModel(applyEvents(model, applying), fresh);
    }
    if (cut < events.length) {
      this.queue = events.slice(cut);
      this.onGap(false);
    }
  }

  /**
   * A new show began (its epoch changed). The host sends a new show's snapshot just before
   * its first status, so everything queued now, or applied on top of that snapshot since,
   * came from the old show: it is dropped, and the snapshot is returned for the store to
   * start the show from (null: no snapshot yet — nothing of the old show to drop but the queue).
   */
  startShow(): LabModel | null {
    this.cancelPendingFrame();
    this.queue = [];
    return this.snapshot;
  }

  dispose(): void {
    this.cancelPendingFrame();
    this.queue = [];
  }

  private onGap(force: boolean): void {
    const now = this.now();
    if (!force && this.resyncSince !== null && now - this.resyncSince < this.resyncRetryMs) return;
    this.resyncSince = now;
    this.options.requestResync();
  }

  private requestFrame(): void {
    if (this.cancelFrame) return;
    this.cancelFrame = this.schedule(() => {
      this.cancelFrame = null;
      this.flush();
    });
  }

  private cancelPendingFrame(): void {
    const cancel = this.cancelFrame;
    this.cancelFrame = null;
    cancel?.();
  }
}

function isSorted(events: readonly LabEvent[]): boolean {
  for (let i = 1; i < events.length; i++) {
    if ((events[i] as LabEvent).seq < (events[i - 1] as LabEvent).seq) return false;
  }
  return true;
}

function defaultNow(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
