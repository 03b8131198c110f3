import type { LabEvent, LabEventBody } from '../../../shared/events';
import { BoundedMap } from '../bounded-map';
import type { Clock } from '../clock/clock';
import { describeError } from '../errors';
import { RateLimiter } from '../push/rate-limit';

export type EventListener = (event: LabEvent) => void;

/** Error events (`service.error`, `lab.error`) one source may emit per second of lab time. */
export const ERROR_EVENTS_PER_SECOND = 10;
/** Characters of an error's message (and a request path) an error event keeps. */
export const ERROR_TEXT_CHARS_MAX = 500;
/** Error sources (services, the bus's listeners) whose rate is tracked at once. */
const ERROR_SOURCES_MAX = 10_000;
/** The source name of listener failures. */
export const LISTENERS_SOURCE = 'bus';

type ErrorBody = Extract<LabEventBody, { kind: 'service.error' | 'lab.error' }>;
/** An error event as its reporter builds it; the bus counts `suppressed`. */
export type ErrorReport = ErrorBody extends infer B
  ? B extends ErrorBody
    ? Omit<B, 'suppressed'>
    : never
  : never;

/**
 * The lab's event bus: stamps every state change with a gap-free `seq` and the clock's time
 * and hands it to each listener synchronously, in order. A listener that throws is reported
 * as a `lab.error` event and stays subscribed; the listeners after it still get the event,
 * so one broken consumer (the UI stream, say) never stops another (the recording).
 */
export class EventBus {
  private seq = 0;
  private readonly listeners = new Set<EventListener>();
  private readonly errorRate: RateLimiter;
  private readonly suppressed = new BoundedMap<string, number>(ERROR_SOURCES_MAX);

  constructor(private readonly clock: Clock) {
    this.errorRate = new RateLimiter(clock, ERROR_EVENTS_PER_SECOND, ERROR_SOURCES_MAX);
  }

  get lastSeq(): number {
    return this.seq;
  }

  emit(body: LabEventBody): LabEvent {
    // Every caller builds a fresh object literal, so stamping it in place saves a copy per event.
    const event = Object.assign(body, { seq: ++this.seq, t: this.clock.now() }) as LabEvent;
    let failures: unknown[] | null = null;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        (failures ??= []).push(error);
      }
    }
    if (failures !== null) for (const error of failures) this.listenerFailed(event, error);
    return event;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Emits an error event of `source` (a service id, LISTENERS_SOURCE) unless the source had
   * ERROR_EVENTS_PER_SECOND already: then it is counted into the next one's `suppressed`, and
   * the first one over says so with `limit.reached`.
   */
  reportError(source: string, report: ErrorReport): void {
    if (this.errorRate.take(source) !== null) {
      if (this.suppress(source) === 1) {
        this.emit({
          kind: 'limit.reached',
          what: 'error-events',
          subjectId: source,
          limit: ERROR_EVENTS_PER_SECOND,
        });
      }
      return;
    }
    const suppressed = this.suppressed.get(source) ?? 0;
    this.suppressed.delete(source);
    this.emit({
      ...report,
      message: report.message.slice(0, ERROR_TEXT_CHARS_MAX),
      suppressed,
    } as ErrorBody);
  }

  private listenerFailed(event: LabEvent, error: unknown): void {
    // A listener that fails on the report of a failure would report itself forever.
    if (event.kind === 'lab.error') {
      this.suppress(LISTENERS_SOURCE);
      return;
    }
    this.reportError(LISTENERS_SOURCE, {
      kind: 'lab.error',
      ...describeError(error),
      eventSeq: event.seq,
      eventKind: event.kind,
    });
  }

  /** Counts one error left out; returns how many are now. */
  private suppress(source: string): number {
    const count = (this.suppressed.get(source) ?? 0) + 1;
    this.suppressed.set(source, count);
    return count;
  }
}
