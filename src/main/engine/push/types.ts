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
  /** Subscribe requests a second one client address may make, over its burst (0 = no limit; 429). */
  subscribesPerSecondPerAddress: number;
  /** Subscribe requests one client address may make at once before that rate applies. */
  subscribesPerAddressBurstCount: number;
  /**
   * RFC 8030 §7.3 lets a push service expire subscriptions: one with no monitor attached and
   * nothing delivered or acknowledged for this long is deleted (reason 'expired'; 0 = never).
   */
  subscriptionIdleSecondsMax: number;
  /** Receipt subscriptions one service holds (429 beyond). */
  receiptSubscriptionCountMax: number;
  /**
   * A receipt subscription with no monitor attached and no outstanding message asking for
   * receipts on it for this long is deleted, with any receipts still pending (0 = never).
   */
  receiptSubscriptionIdleSecondsMax: number;
  /** Bytes of stored messages (bodies and kept headers) one service holds (429 beyond). */
  storedBytesMax: number;
  /**
   * Largest request header list (RFC 7540 §6.5.2: name + value + 32 per field) answered
   * normally; larger ones up to HEADER_LIST_PROTOCOL_BYTES_MAX get 431.
   */
  headerListBytesMax: number;
  /** An HTTP/2 connection with no open request for this long is closed with GOAWAY (0 = never). */
  sessionIdleSecondsMax: number;
  /** Connections one client address may hold open at once; more are closed on arrival (0 = no limit). */
  connectionsPerAddressMax: number;
  /**
   * The connection-level receive window each HTTP/2 session gets (RFC 9113 §6.9.2: bytes a
   * peer may send before the service's WINDOW_UPDATE; 0 = HTTP/2's initial 65,535, nothing
   * sent). At 65,535 a sender with a few dozen small messages in flight runs the window dry,
   * and node 20's nghttp2 then leaves the one DATA frame it split waiting behind every newer
   * stream (bench:push measured 0.7 s stalls on every ~22nd 3 KB message).
   */
  connectionWindowBytes: number;
}

export const DEFAULT_SERVICE_LIMITS: ServiceLimits = {
  // 28 days, as FCM and web-push's default (anchors.md).
  ttlSecondsMax: 2_419_200,
  bodyBytesMax: 4096,
  queueCountMax: 1000,
  subscriptionCountMax: 100_000,
  sendsPerSecondPerSubscription: 0,
  sendsPerSecondPerSender: 0,
  // A browser subscribes a handful of times; the burst lets `serve --subscriptions 1000` and
  // a gateway start at once while a flood from one address is cut to 100 a second.
  subscribesPerSecondPerAddress: 100,
  subscribesPerAddressBurstCount: 1000,
  subscriptionIdleSecondsMax: 30 * 86_400,
  receiptSubscriptionCountMax: 100_000,
  receiptSubscriptionIdleSecondsMax: 86_400,
  storedBytesMax: 256 * 1024 * 1024,
  headerListBytesMax: 16 * 1024,
  // nginx's http2 idle timeout is 3 min, Go's 5 min in practice; a held monitor is never idle.
  sessionIdleSecondsMax: 300,
  connectionsPerAddressMax: 256,
  // Bytes in flight per connection, all streams together (each stream keeps its 64 KB
  // window); browsers open theirs wider still (Chrome 15 MB).
  connectionWindowBytes: 1024 * 1024,
};

/**
 * What a service that does not listen (a scenario's closed world) changes: its agents reach
 * it over in-memory links, all from one "address", and a virtual run must behave as it
 * always did. Expiry and per-address limits are off unless the scenario sets them.
 */
export const CLOSED_WORLD_LIMITS: Partial<ServiceLimits> = {
  subscribesPerSecondPerAddress: 0,
  subscriptionIdleSecondsMax: 0,
  receiptSubscriptionIdleSecondsMax: 0,
  sessionIdleSecondsMax: 0,
  // A virtual run's links carry exactly the frames they always did.
  connectionWindowBytes: 0,
};

/**
 * The SETTINGS_MAX_HEADER_LIST_SIZE the service advertises: header lists between
 * `headerListBytesMax` and this get a 431 problem; above it node:http2 resets the stream.
 */
export const HEADER_LIST_PROTOCOL_BYTES_MAX = 64 * 1024;

/** The largest flow-control window HTTP/2 allows (RFC 9113 §6.9.1: 2^31 - 1). */
export const HTTP2_WINDOW_BYTES_MAX = 2 ** 31 - 1;

/** RFC 8291 / draft-ietf-webpush-encryption-04 codings; a plain lab push sends none. */
export const CONTENT_ENCODINGS_ALLOWED = ['aes128gcm', 'aesgcm'] as const;

/** Longest Content-Type kept with a message. */
export const CONTENT_TYPE_CHARS_MAX = 256;

/**
 * Longest `Encryption` or `Crypto-Key` header kept with an `aesgcm` message (its salt, record
 * size, the sender's dh key and a VAPID p256ecdsa key fit in well under this).
 */
export const AESGCM_PARAMS_CHARS_MAX = 512;

/** Retry-After sent when a service-wide store (subscriptions, receipts, bytes) is full. */
export const FULL_RETRY_AFTER_SECONDS = 60;

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
  /** Signed with the draft `WebPush` VAPID scheme (labels events only; the profile judged it). */
  legacyVapid?: boolean;
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
  | { kind: 'queue-full'; limit: number }
  | { kind: 'store-full'; limit: number };

/** A stored message as the core keeps it. */
export interface StoredMessage {
  readonly id: string;
  readonly token: string;
  readonly subscriptionId: string;
  readonly body: Buffer;
  readonly contentHeaders: Readonly<Record<string, string>>;
  readonly ttlSeconds: number;
  /** The TTL the sender asked for (`ttlSeconds` is what the service kept of it). */
  readonly ttlRequestedSeconds: number;
  readonly acceptedAtMs: number;
  readonly expiresAtMs: number;
  readonly urgency: Urgency;
  readonly topic: string | null;
  readonly receiptSubscriptionId: string | null;
  /** The lab agent that sent it, when known (labels events only). */
  readonly senderId: string | null;
  /** Signed with the draft `WebPush` VAPID scheme (labels events only). */
  readonly legacyVapid: boolean;
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
