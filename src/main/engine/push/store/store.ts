/**
 * What a push service keeps across a restart, and the interface the core journals it
 * through. The embedded implementation is a write-ahead log (wal.ts); a Redis one can
 * satisfy the same interface later (`--store redis://…`, issue 15): every call is one
 * keyed upsert or delete, and `durable()` is the moment the writes so far are safe.
 */
import { LabError } from '../../errors';
import type { ReceiptSubscription, Subscription, SubscriptionSet } from '../core';
import type { StoredMessage } from '../types';

/** A subscription as the core keeps it, less its live state (queue, topics, monitors). */
export type SubscriptionRecord = Pick<
  Subscription,
  'id' | 'token' | 'pushToken' | 'agentId' | 'createdAtMs' | 'vapidKey'
> & {
  /** The subscription set it belongs to (RFC 8030 §4.1), if any. */
  readonly setId: string | null;
};

export type SetRecord = Pick<SubscriptionSet, 'id' | 'token'>;

export type ReceiptSubscriptionRecord = Pick<ReceiptSubscription, 'id' | 'token'>;

/**
 * A stored message as the core keeps it, less the monitor it is in flight on: in flight
 * never survives a restart. Restored messages keep their expiry instant (service clock, ms).
 */
export type MessageRecord = Omit<StoredMessage, 'inFlightOn'>;

/**
 * A message's stored fields, all but its body: the one list both stores write (the log's
 * JSON, a Redis value, a stream entry). Typed as the whole record, so a field the core adds
 * to a message does not compile until it is stored here too.
 */
export function messageFields(m: MessageRecord): Omit<MessageRecord, 'body'> {
  return {
    id: m.id,
    token: m.token,
    subscriptionId: m.subscriptionId,
    contentHeaders: m.contentHeaders,
    ttlSeconds: m.ttlSeconds,
    ttlRequestedSeconds: m.ttlRequestedSeconds,
    acceptedAtMs: m.acceptedAtMs,
    expiresAtMs: m.expiresAtMs,
    urgency: m.urgency,
    topic: m.topic,
    receiptSubscriptionId: m.receiptSubscriptionId,
    senderId: m.senderId,
    legacyVapid: m.legacyVapid,
    attempts: m.attempts,
  };
}

/**
 * A message record read back from either store. Records written before the sender's labels
 * were stored (s22) have no `senderId`, `legacyVapid` or `ttlRequestedSeconds`: they restore
 * as they did then — from no lab agent, without the draft VAPID label, asking for the TTL
 * kept — so an older store stays readable.
 */
export function readMessageRecord(
  fields: Omit<MessageRecord, 'body'>,
  body: Buffer,
): MessageRecord {
  const read = fields as Partial<MessageRecord>;
  return {
    ...fields,
    ttlRequestedSeconds:
      typeof read.ttlRequestedSeconds === 'number' ? read.ttlRequestedSeconds : fields.ttlSeconds,
    senderId: typeof read.senderId === 'string' ? read.senderId : null,
    legacyVapid: read.legacyVapid === true,
    body,
  };
}

/** The highest id number ever written of each kind, live or finished (ids are never reused). */
export interface HighestIds {
  sets: number;
  receiptSubscriptions: number;
  subscriptions: number;
  messages: number;
}

/** Everything live in a store, in the order it was first written. */
export interface StoredState {
  readonly sets: Iterable<SetRecord>;
  readonly receiptSubscriptions: Iterable<ReceiptSubscriptionRecord>;
  readonly subscriptions: Iterable<SubscriptionRecord>;
  readonly messages: Iterable<MessageRecord>;
  readonly highestIds: Readonly<HighestIds>;
  /**
   * Receipts held for a receipt subscription no monitor took them for (`holdReceipt`, not
   * yet released), oldest first. Absent from a reload (each instance keeps its own copies).
   */
  readonly heldReceipts?: Iterable<ReceiptRecord>;
}

/** The number an id ends with (`ps1.m42` → 42): what the id counters continue from. */
export function idNumber(id: string): number {
  const digits = /(\d+)$/.exec(id);
  return digits ? Number(digits[1]) : 0;
}

/**
 * A change another instance sharing the store made (several `serve` processes on one Redis):
 * what the core applies to its own state, without journaling it again.
 */
export type RemoteChange =
  | { kind: 'subscription'; record: SubscriptionRecord }
  | { kind: 'subscription-deleted'; id: string }
  | { kind: 'set'; record: SetRecord }
  | { kind: 'set-deleted'; id: string }
  | { kind: 'receipt-subscription'; record: ReceiptSubscriptionRecord }
  | { kind: 'receipt-subscription-deleted'; id: string }
  | { kind: 'message'; record: MessageRecord }
  | { kind: 'message-finished'; id: string; subscriptionId: string }
  /** A receipt the instance that finished the message could not hand to a monitor of its own. */
  | { kind: 'receipt'; receipt: ReceiptRecord }
  /** A receipt another instance handed to a monitor: nobody else holds it any more. */
  | { kind: 'receipt-delivered'; receiptSubscriptionId: string; messageToken: string }
  /**
   * This instance missed changes (the stream was trimmed past its position): the whole state
   * as of now, which replaces everything the core holds of it.
   */
  | { kind: 'reload'; state: StoredState; keptMax: number };

/** What idles: a subscription, a subscription set, a receipt subscription. */
export type IdleKind = 'subscription' | 'set' | 'receipt-subscription';

/** The key a held receipt is stored under: one per receipt subscription and message. */
export function heldReceiptKey(receiptSubscriptionId: string, messageToken: string): string {
  return `${receiptSubscriptionId} ${messageToken}`;
}

/**
 * A receipt as either store reads it back; null for one that is not (a damaged or foreign
 * record is skipped, as a record a later version wrote).
 */
export function readReceiptRecord(json: Record<string, unknown>): ReceiptRecord | null {
  const { receiptSubscriptionId, messageId, messageToken, status } = json;
  if (typeof receiptSubscriptionId !== 'string' || typeof messageToken !== 'string') return null;
  if (typeof messageId !== 'string' || (status !== 204 && status !== 410)) return null;
  return { receiptSubscriptionId, messageId, messageToken, status };
}

/** A receipt on its way to the instance that holds its receipt subscription's monitor. */
export interface ReceiptRecord {
  readonly receiptSubscriptionId: string;
  readonly messageId: string;
  readonly messageToken: string;
  readonly status: 204 | 410;
}

/**
 * The core calls these at each state change (synchronously, in order); an implementation
 * queues the writes and makes them durable together. Upserts and deletes are idempotent,
 * keyed by id, so a log may replay a suffix twice without changing the outcome.
 */
export interface PushStore {
  /**
   * True when several instances write this store (and the optional members below that
   * serve them are in use); absent or false for one writer.
   */
  readonly shared?: boolean;
  /** The state found when the store was opened (what the core restores). */
  state(): StoredState;
  putSet(set: SetRecord): void;
  deleteSet(id: string): void;
  putReceiptSubscription(receipt: ReceiptSubscriptionRecord): void;
  deleteReceiptSubscription(id: string): void;
  putSubscription(sub: SubscriptionRecord): void;
  deleteSubscription(id: string): void;
  putMessage(message: MessageRecord): void;
  /** A delivery attempt: the message's attempt count is now `attempts`. */
  setAttempts(id: string, attempts: number): void;
  /** The message is finished (acked, expired, replaced, dropped): it must not come back. */
  finishMessage(id: string): void;
  /**
   * A receipt waits for a monitor of its receipt subscription (the application server is
   * away, RFC 8030 §5.1): kept until released, so a restart still delivers it.
   */
  holdReceipt(receipt: ReceiptRecord): void;
  /** A held receipt was handed to a monitor, or dropped (its bound): it must not come back. */
  releaseReceipt(receiptSubscriptionId: string, messageToken: string): void;
  /**
   * Resolves once every call so far is durable; rejects (with a one-sentence Error) if it
   * cannot be, and from then on for every later call.
   */
  durable(): Promise<void>;
  /**
   * A message's TTL ran out here: finish it, and resolve true only if this instance's delete
   * is the one that removed it (it alone reports the expiry and its 410 receipt). Only a
   * store shared by several instances has it; without it `finishMessage` is called.
   */
  expireMessage?(id: string): Promise<boolean>;
  /** A receipt no monitor here took: announced to the other instances (shared stores only). */
  announceReceipt?(receipt: ReceiptRecord): void;
  /** A receipt handed to a monitor here: the other instances drop their pending copy. */
  receiptDelivered?(receiptSubscriptionId: string, messageToken: string): void;
  /**
   * A subscription, set or receipt subscription (by id) was used here now: a monitor held,
   * an ack, a push. Recorded in the store at most once a second per id, in the next batch,
   * so the other instances' idle expiry sees it (shared stores only).
   */
  touch?(id: string): void;
  /**
   * An idle deadline passed here (shared stores only): `active` if any instance used the id
   * within `idleMs` of `nowMs` (it is idle again from now); else its record is deleted in
   * Redis at once, and `claimed` answers the one instance whose delete removed it (it
   * deletes and reports), `gone` every other (the claimer's change is on its way).
   */
  claimIdle?(
    kind: IdleKind,
    id: string,
    idleMs: number,
    nowMs: number,
  ): Promise<'active' | 'claimed' | 'gone'>;
  /**
   * Null when every change is already here (one writer); else resolves once every change
   * other instances wrote before the call has been handed to `onRemoteChange` (or after a
   * bound, if the stream cannot be read): what a lookup that missed waits for.
   */
  catchUp?(): Promise<void> | null;
  /**
   * Changes other instances make, after the state `state()` returned (only a store shared by
   * several instances has them; the write-ahead log has one writer).
   */
  onRemoteChange?(listener: (change: RemoteChange) => void): void;
  /** Called once when the store fails (a write or sync failed); it is unusable after. */
  onFailure(listener: (error: Error) => void): void;
  /** Writes what is queued, then releases the store (its lock). */
  close(): Promise<void>;
}

/** A store that cannot be opened or used; `message` is one sentence naming the path. */
export class StoreError extends LabError {
  override readonly name = 'StoreError';
  declare readonly code: StoreErrorCode;

  constructor(message: string, code: StoreErrorCode) {
    super(code, message);
  }
}

export type StoreErrorCode =
  /** Another process holds the store's lock. */
  | 'ERR_STORE_LOCKED'
  /** A read, write or sync of the store failed (the message names the path and errno). */
  | 'ERR_STORE_IO'
  /** The store's files are not in a format this Push Lab reads. */
  | 'ERR_STORE_FORMAT';
