import { applyEvents, emptyModel, type LabModel } from '../../../shared/model';
import type { LabEvent } from '../../../shared/events';
import type { EventBus } from './bus';

/**
 * Keeps the shared LabModel up to date from the bus for snapshot requests. Events are
 * applied in batches (on demand, or when `batchMax` are pending): each batch makes one new
 * version of every table it touches, so fewer, larger batches allocate less.
 */
export class ModelTracker {
  private model: LabModel = emptyModel();
  private pending: LabEvent[] = [];
  private readonly unsubscribe: () => void;

  /** Follows `bus`; without one, events are given with `add`. */
  constructor(
    bus: EventBus | null,
    private readonly batchMax = 2000,
  ) {
    this.unsubscribe = bus ? bus.subscribe((event) => this.add(event)) : () => undefined;
  }

  add(event: LabEvent): void {
    this.pending.push(event);
    if (this.pending.length >= this.batchMax) this.flush();
  }

  snapshot(): LabModel {
    this.flush();
    return this.model;
  }

  close(): void {
    this.unsubscribe();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.model = applyEvents(this.model, this.pending);
    this.pending = [];
  }
}
