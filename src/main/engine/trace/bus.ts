import type { LabEvent, LabEventBody } from '../../../shared/events';
import type { Clock } from '../clock/clock';

export type EventListener = (event: LabEvent) => void;

/**
 * The lab's event bus: stamps every state change with a gap-free `seq` and the clock's time
 * and hands it to each listener synchronously, in order. A listener that throws is removed
 * (and reported to `onListenerError`) so one broken consumer cannot stop the lab.
 */
export class EventBus {
  private seq = 0;
  private readonly listeners = new Set<EventListener>();

  constructor(
    private readonly clock: Clock,
    private readonly onListenerError: (error: unknown) => void = () => {},
  ) {}

  get lastSeq(): number {
    return this.seq;
  }

  emit(body: LabEventBody): LabEvent {
    // Every caller builds a fresh object literal, so stamping it in place saves a copy per event.
    const event = Object.assign(body, { seq: ++this.seq, t: this.clock.now() }) as LabEvent;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.listeners.delete(listener);
        this.onListenerError(error);
      }
    }
    return event;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
