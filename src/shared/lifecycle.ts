/**
 * The message lifecycle, derived once: the states a message goes through and the one step
 * function that moves it from event to event. The shared model folds its messages with it;
 * the checker, the report, the flow graph, the inspector's story and the metrics buckets
 * read the same lives (the model's, or their own fold with this same function), so two
 * views can no longer disagree about how a message ended.
 *
 * The rules a stream may break (a second acceptance, a second end, a push after the end)
 * are the checker's to report; here they are simply ignored: the first acceptance, the
 * first end and the first receipt stand. `stepMessage` returns the very life it was given
 * when an event changes nothing, so a reader can tell a transition from an ignored event
 * by reference.
 */
import type { EventOf, LabEvent, LegacyForm, Urgency } from './events';

export type MessageState = 'queued' | 'pushed' | 'acked' | 'expired' | 'replaced' | 'dropped';

/** How a message ended: its first final event. */
export type MessageEnd = 'acked' | 'expired' | 'replaced' | 'dropped';

/** What the acceptance told about a message. */
export interface Acceptance {
  acceptedSeq: number;
  acceptedAt: number;
  serviceId: string;
  /** The application-server agent that sent it; null when not a lab agent. */
  senderId: string | null;
  ttlSeconds: number;
  /** Lab time at which the TTL runs out. */
  expiresAt: number;
  urgency: Urgency;
  topic: string | null;
  bytes: number;
  receiptRequested: boolean;
  /** The legacy forms it was sent with (aesgcm, the WebPush VAPID scheme); empty when none. */
  legacy: readonly LegacyForm[];
}

/** What happened to a message since. */
export interface Progress {
  id: string;
  subscriptionId: string;
  state: MessageState;
  /** The highest delivery attempt pushed (0 before any push). */
  attempts: number;
  /** message.pushed events seen for it. */
  pushes: number;
  /** Lab time of the first push; null before. */
  pushedAt: number | null;
  /** Lab time of the first message.received; null before. */
  receivedAt: number | null;
  /** Lab time of the first device.delivered; null before. */
  deviceDeliveredAt: number | null;
  /** Lab time of the first delivery of either kind; null before. */
  deliveredAt: number | null;
  /** The first receipt sent for it. */
  receipt: 204 | 410 | null;
  receiptSeq: number | null;
  /** How it ended (its first final event); null while outstanding. */
  end: MessageEnd | null;
  endSeq: number | null;
  /** Lab time of the end; null while outstanding. */
  finishedAt: number | null;
  /** The message that replaced it (topic replacement); null otherwise. */
  replacedBy: string | null;
}

/** A message whose acceptance the reader saw: every reader that sees whole streams. */
export type AcceptedLife = Progress & Acceptance;

/**
 * A message picked up midway: the reader's events (a ring, a window) begin after its
 * acceptance, so what the acceptance said is unknown.
 */
export type MidwayLife = Progress & Unknown<Acceptance>;

/** Every field of T unknown. */
type Unknown<T> = { [K in keyof T]: null };
export type MessageLife = AcceptedLife | MidwayLife;

/** The events that move a message. */
export type LifecycleEvent = EventOf<
  | 'message.accepted'
  | 'message.pushed'
  | 'message.received'
  | 'device.delivered'
  | 'message.acked'
  | 'message.expired'
  | 'message.replaced'
  | 'message.dropped'
  | 'receipt.sent'
>;

const LIFECYCLE_KINDS: ReadonlySet<LabEvent['kind']> = new Set<LifecycleEvent['kind']>([
  'message.accepted',
  'message.pushed',
  'message.received',
  'device.delivered',
  'message.acked',
  'message.expired',
  'message.replaced',
  'message.dropped',
  'receipt.sent',
]);

export function isLifecycleEvent(e: LabEvent): e is LifecycleEvent {
  return LIFECYCLE_KINDS.has(e.kind);
}

/** The events that end a message (the first one does; later ones are ignored). */
export function isEndEvent(
  e: LabEvent,
): e is EventOf<'message.acked' | 'message.expired' | 'message.replaced' | 'message.dropped'> {
  return (
    e.kind === 'message.acked' ||
    e.kind === 'message.expired' ||
    e.kind === 'message.replaced' ||
    e.kind === 'message.dropped'
  );
}

/**
 * One step of a message's life. `life` is what the reader knows of `e`'s message (undefined:
 * nothing). Without `midway`, events about a message never accepted are ignored (undefined
 * stays undefined); with it, such a message is picked up as a MidwayLife.
 */
export function stepMessage(life: AcceptedLife | undefined, e: LabEvent): AcceptedLife | undefined;
export function stepMessage(
  life: MessageLife | undefined,
  e: LabEvent,
  midway: true,
): MessageLife | undefined;
export function stepMessage(
  life: MessageLife | undefined,
  e: LabEvent,
  midway = false,
): MessageLife | undefined {
  if (!isLifecycleEvent(e)) return life;
  if (e.kind === 'message.accepted') return life ?? accepted(e);
  const cur = life ?? (midway ? pickUp(e) : undefined);
  if (!cur) return undefined;
  switch (e.kind) {
    case 'message.pushed':
      return withProgress(
        cur,
        // A push after the end is the checker's to flag; the end stands.
        cur.end === null ? 'pushed' : cur.state,
        Math.max(cur.attempts, e.attempt),
        cur.pushes + 1,
        cur.pushedAt ?? e.t,
      );
    case 'message.received':
      if (cur.receivedAt !== null) return cur;
      return withDelivery(cur, e.t, cur.deviceDeliveredAt, cur.deliveredAt ?? e.t);
    case 'device.delivered':
      if (cur.deviceDeliveredAt !== null) return cur;
      return withDelivery(cur, cur.receivedAt, e.t, cur.deliveredAt ?? e.t);
    case 'receipt.sent':
      if (cur.receipt !== null) return cur;
      return { ...cur, receipt: e.status, receiptSeq: e.seq };
    case 'message.acked':
    case 'message.expired':
    case 'message.dropped':
    case 'message.replaced': {
      if (cur.end !== null) return cur;
      const end = e.kind.slice('message.'.length) as MessageEnd;
      return {
        ...cur,
        state: end,
        end,
        endSeq: e.seq,
        finishedAt: e.t,
        replacedBy: e.kind === 'message.replaced' ? e.byMessageId : null,
      };
    }
  }
}

/**
 * `life` pushed once more, as one literal in newLife's field order: a push and a reception are
 * most steps, and a spread of the 26 fields with the changed ones over it cost ~2× as much a
 * copy in a micro-benchmark (issue 13).
 */
function withProgress<L extends MessageLife>(
  life: L,
  state: MessageState,
  attempts: number,
  pushes: number,
  pushedAt: number | null,
): L {
  return copyLife(
    life,
    state,
    attempts,
    pushes,
    pushedAt,
    life.receivedAt,
    life.deviceDeliveredAt,
    life.deliveredAt,
  );
}

/** `life` delivered (received by its user agent, or by a device through a gateway). */
function withDelivery<L extends MessageLife>(
  life: L,
  receivedAt: number | null,
  deviceDeliveredAt: number | null,
  deliveredAt: number | null,
): L {
  return copyLife(
    life,
    life.state,
    life.attempts,
    life.pushes,
    life.pushedAt,
    receivedAt,
    deviceDeliveredAt,
    deliveredAt,
  );
}

function copyLife<L extends MessageLife>(
  c: L,
  state: MessageState,
  attempts: number,
  pushes: number,
  pushedAt: number | null,
  receivedAt: number | null,
  deviceDeliveredAt: number | null,
  deliveredAt: number | null,
): L {
  // Typed field by field (not asserted), so a field added to Progress or Acceptance and not
  // copied here fails to compile.
  const life: LooseLife = {
    id: c.id,
    subscriptionId: c.subscriptionId,
    state,
    attempts,
    pushes,
    pushedAt,
    receivedAt,
    deviceDeliveredAt,
    deliveredAt,
    receipt: c.receipt,
    receiptSeq: c.receiptSeq,
    end: c.end,
    endSeq: c.endSeq,
    finishedAt: c.finishedAt,
    replacedBy: c.replacedBy,
    acceptedSeq: c.acceptedSeq,
    acceptedAt: c.acceptedAt,
    serviceId: c.serviceId,
    senderId: c.senderId,
    ttlSeconds: c.ttlSeconds,
    expiresAt: c.expiresAt,
    urgency: c.urgency,
    topic: c.topic,
    bytes: c.bytes,
    receiptRequested: c.receiptRequested,
    legacy: c.legacy,
  };
  return life as unknown as L;
}

/** Any life's fields: the acceptance's known or not. */
type LooseLife = Progress & { [K in keyof Acceptance]: Acceptance[K] | null };

function accepted(e: EventOf<'message.accepted'>): AcceptedLife {
  return newLife(e.messageId, e.subscriptionId, {
    acceptedSeq: e.seq,
    acceptedAt: e.t,
    serviceId: e.serviceId,
    senderId: e.senderId,
    ttlSeconds: e.ttlSeconds,
    expiresAt: e.t + e.ttlSeconds * 1000,
    urgency: e.urgency,
    topic: e.topic,
    bytes: e.bytes,
    receiptRequested: e.receiptRequested,
    legacy: e.legacy ?? NO_LEGACY,
  }) as AcceptedLife;
}

/** One shared empty list: most messages use no legacy form. */
const NO_LEGACY: readonly LegacyForm[] = Object.freeze([]);

const NOT_SEEN: Unknown<Acceptance> = {
  acceptedSeq: null,
  acceptedAt: null,
  serviceId: null,
  senderId: null,
  ttlSeconds: null,
  expiresAt: null,
  urgency: null,
  topic: null,
  bytes: null,
  receiptRequested: null,
  legacy: null,
};

function pickUp(e: Exclude<LifecycleEvent, EventOf<'message.accepted'>>): MidwayLife {
  // receipt.sent and device.delivered do not name the subscription; an empty id says "unknown".
  const subscriptionId = 'subscriptionId' in e ? e.subscriptionId : '';
  return newLife(e.messageId, subscriptionId, NOT_SEEN) as MidwayLife;
}

/**
 * A new life as one literal, every field in one order: built by spreading a progress object
 * and adding the acceptance, a life got a slower object shape (about 8× the cost per step in
 * a micro-benchmark), and every step copies it.
 */
function newLife(
  id: string,
  subscriptionId: string,
  a: Acceptance | Unknown<Acceptance>,
): MessageLife {
  return {
    id,
    subscriptionId,
    state: 'queued',
    attempts: 0,
    pushes: 0,
    pushedAt: null,
    receivedAt: null,
    deviceDeliveredAt: null,
    deliveredAt: null,
    receipt: null,
    receiptSeq: null,
    end: null,
    endSeq: null,
    finishedAt: null,
    replacedBy: null,
    acceptedSeq: a.acceptedSeq,
    acceptedAt: a.acceptedAt,
    serviceId: a.serviceId,
    senderId: a.senderId,
    ttlSeconds: a.ttlSeconds,
    expiresAt: a.expiresAt,
    urgency: a.urgency,
    topic: a.topic,
    bytes: a.bytes,
    receiptRequested: a.receiptRequested,
    legacy: a.legacy,
  } as MessageLife;
}

/**
 * Whether an outstanding message is lost at `runEndT` (the run's end, or its service's stop
 * if earlier): its TTL ran out (plus `toleranceMs`) before then and nothing ended it. A TTL-0
 * message that was pushed waits for its ack while the monitor lives (see push/core.ts), so it
 * is outstanding, not lost.
 */
export function isLostAt(life: AcceptedLife, runEndT: number, toleranceMs = 0): boolean {
  if (life.end !== null) return false;
  if (life.ttlSeconds === 0 && life.pushes > 0) return false;
  return life.expiresAt + toleranceMs < runEndT;
}

/** Whether one step (`before` → `after`) ended the message. */
export function endedBy(before: Progress | undefined, after: Progress | undefined): boolean {
  return after !== undefined && after.end !== null && before?.end !== after.end;
}
