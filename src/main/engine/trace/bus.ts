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
  /** Per source: errors left out since its last report, and whether limit.reached said so. */
  private readonly leftOut = new BoundedMap<string, { count: number; limitSaid: boolean }>(
    ERROR_SOURCES_MAX,
  );

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
    const left = this.leftOut.get(source);
    if (this.errorRate.take(source) !== null) {
      this.leftOut.set(source, { count: (left?.count ?? 0) + 1, limitSaid: true });
      if (left?.limitSaid) return;
      this.emit({
        kind: 'limit.reached',
        what: 'error-events',
        subjectId: source,
        limit: ERROR_EVENTS_PER_SECOND,
      });
      return;
    }
    this.leftOut.delete(source);
    this.emit({
      ...report,
      message: report.message.slice(0, ERROR_TEXT_CHARS_MAX),
      suppressed: left?.count ?? 0,
    } as ErrorBody);
  }

  private listenerFailed(event: LabEvent, error: unknown): void {
    // A listener that fails on the report of a failure would report itself forever: counted.
    if (event.kind === 'lab.error') {
      const left = this.leftOut.get(LISTENERS_SOURCE);
      this.leftOut.set(LISTENERS_SOURCE, {
        count: (left?.count ?? 0) + 1,
        limitSaid: left?.limitSaid ?? false,
      });
      return;
    }
    this.reportError(LISTENERS_SOURCE, {
      kind: 'lab.error',
      ...describeError(error),
      eventSeq: event.seq,
      eventKind: event.kind,
    });
  }
}
