import type { Urgency } from '../../../shared/events';

/** Limits and policies of one push service; defaults in `DEFAULT_SERVICE_LIMITS`. */
export interface ServiceLimits {
  /** Largest TTL the service keeps a message for; larger requests are lowered and echoed. */
  ttlSecondsMax: number;
  /** Largest accepted request body; RFC 8030 forbids refusing bodies of 4096 bytes or less. */
  bodyBytesMax: number;
  /** Outstanding (unacknowledged, unexpired) messages per subscription. */
  queueCountMax: number;
  /** Subscriptions one service holds. */
  subscriptionCountMax: number;
  /** Messages a second one subscription accepts before answering 429 (0 = no limit). */
  sendsPerSecondPerSubscription: number;
  /** Messages a second one sender (its VAPID key, else its address) may send (0 = no limit). */
  sendsPerSecondPerSender: number;
}

export const DEFAULT_SERVICE_LIMITS: ServiceLimits = {
  // 28 days, as FCM and web-push's default (anchors.md).
  ttlSecondsMax: 2_419_200,
  bodyBytesMax: 4096,
  queueCountMax: 1000,
  subscriptionCountMax: 100_000,
  sendsPerSecondPerSubscription: 0,
  sendsPerSecondPerSender: 0,
};

/** RFC 8030 §5.2: TTL values past 2^31 are treated as 2^31. */
export const TTL_SECONDS_CLAMP = 2 ** 31;

/** What an application server asked for, already parsed from the wire by a profile. */
export interface SendRequest {
  body: Buffer;
  /** Headers kept with the message and sent on with it (content-type, content-encoding). */
  contentHeaders: Readonly<Record<string, string>>;
  ttlSeconds: number;
  urgency: Urgency;
  topic: string | null;
  /** Receipt subscription to report to, if the sender asked for a receipt. */
  receiptSubscriptionId: string | null;
  /** The lab agent that sent it, when known (labels events only). */
  senderId: string | null;
}

export type SendOutcome =
  | {
      kind: 'accepted';
      messageId: string;
      messageToken: string;
      /** The TTL actually applied (≤ requested). */
      ttlSeconds: number;
      replaced: string | null;
    }
  | { kind: 'not-found' }
  | { kind: 'queue-full'; limit: number };

/** A stored message as the core keeps it. */
export interface StoredMessage {
  readonly id: string;
  readonly token: string;
  readonly subscriptionId: string;
  readonly body: Buffer;
  readonly contentHeaders: Readonly<Record<string, string>>;
  readonly ttlSeconds: number;
  readonly acceptedAtMs: number;
  readonly expiresAtMs: number;
  readonly urgency: Urgency;
  readonly topic: string | null;
  readonly receiptSubscriptionId: string | null;
  /** Delivery attempts so far. */
  attempts: number;
  /** The monitor it is currently pushed on and not yet acknowledged through, if any. */
  inFlightOn: Monitor | null;
}

/**
 * Something holding a monitoring request open for a subscription (or, for receipts, a
 * receipt subscription): the HTTP/2 front implements it with a held GET stream.
 */
export interface Monitor {
  /** Lowest urgency the requester wants now (RFC 8030 §5.3); 'very-low' = everything. */
  readonly urgencyMin: Urgency;
  /** Pushes the message; returns false if the monitor cannot take it (stream gone). */
  deliver(message: StoredMessage): boolean;
  /** Ends the request because its subscription is gone (RFC 8030: 404). */
  end(status: number): void;
}

/** Something holding a receipt subscription's GET open. */
export interface ReceiptMonitor {
  deliverReceipt(messageToken: string, status: 204 | 410): boolean;
  end(status: number): void;
}
