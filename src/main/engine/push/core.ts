/**
 * The protocol-neutral heart of a push service: subscriptions, stored messages, TTL expiry,
 * urgency filtering, topic replacement, acknowledgements, redelivery and receipts. It knows
 * nothing of HTTP: profiles translate requests into calls here, and monitors (held GETs)
 * receive what it decides to deliver. Every state change is one event on the bus.
 */
import { URGENCIES, type Urgency } from '../../../shared/events';
import type { Clock, Timer } from '../clock/clock';
import type { EventBus } from '../trace/bus';
import { VapidVerifier } from '../crypto/vapid';
import { ExpiryIndex } from './expiry';
import { IdleExpiry } from './idle';
import { RateLimiter } from './rate-limit';
import { MessageArchive, RecentTokens } from './recent';
import {
  idNumber,
  type IdleKind,
  type MessageRecord,
  type PushStore,
  type ReceiptRecord,
  type ReceiptSubscriptionRecord,
  type RemoteChange,
  type SetRecord,
  type StoredState,
  type SubscriptionRecord,
} from './store/store';
import { newCapabilityToken } from './tokens';
import type {
  Monitor,
  ReceiptMonitor,
  SendOutcome,
  SendRequest,
  ServiceLimits,
  StoredMessage,
} from './types';
import { TTL_SECONDS_CLAMP } from './types';
import type { LabEventBody, LegacyForm, LimitName } from '../../../shared/events';

/** Messages whose body and headers the inspector can still show (4 KB each at most). */
export const ARCHIVED_MESSAGES_MAX = 2_000;

export type { ArchivedMessage } from './recent';

export interface Subscription {
  readonly id: string;
  /** Private to the user agent: monitor (GET) and unsubscribe (DELETE). */
  readonly token: string;
  /** Public, given to application servers: send (POST). */
  readonly pushToken: string;
  readonly agentId: string | null;
  readonly createdAtMs: number;
  /** RFC 8292 §4: when set, sends must carry VAPID signed by this key (b64u, 65 bytes). */
  readonly vapidKey: string | null;
  /** Outstanding messages in acceptance order. */
  readonly queue: Map<string, StoredMessage>;
  readonly topics: Map<string, StoredMessage>;
  readonly monitors: Set<Monitor>;
  /** The subscription set it belongs to (RFC 8030 §4.1), if any. */
  set: SubscriptionSet | null;
}

/** RFC 8030 §4.1: subscriptions a user agent monitors with one request. */
export interface SubscriptionSet {
  readonly id: string;
  readonly token: string;
  readonly members: Set<Subscription>;
  /** Monitors of the whole set; each is also attached to every member. */
  readonly monitors: Set<Monitor>;
}

export interface ReceiptSubscription {
  readonly id: string;
  readonly token: string;
  readonly monitors: Set<ReceiptMonitor>;
  /** Receipts waiting for the application server to come back (bounded). */
  readonly pending: { messageToken: string; status: 204 | 410 }[];
  /** Outstanding messages that will report here: while any, it never expires. */
  outstanding: number;
}

/** Called when the core deletes something a profile may keep its own state about. */
export interface GoneHooks {
  subscription?(sub: Subscription, reason: 'unsubscribed' | 'expired'): void;
  receipt?(receipt: ReceiptSubscription): void;
}

/** What a stored message costs against `storedBytesMax`: its body and the headers kept with it. */
function storedBytesOf(message: Pick<StoredMessage, 'body' | 'contentHeaders'>): number {
  let bytes = message.body.length;
  for (const name in message.contentHeaders)
    bytes += name.length + message.contentHeaders[name]!.length;
  return bytes;
}

/** Message tokens remembered for `identifyToken`. */
export const RECENT_TOKENS_MAX = 10_000;

const MIRRORED = { mirrored: true } as const;
const NOT_MIRRORED = {};

/** What is monitored here records its use at most this often (the store's bound per id). */
const ACTIVITY_EVERY_MS_MIN = 1000;

/** Receipts held per receipt subscription while nobody monitors it. */
export const PENDING_RECEIPTS_MAX = 1000;

export class PushCore {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly subscriptionsByToken = new Map<string, Subscription>();
  private readonly subscriptionsByPushToken = new Map<string, Subscription>();
  private readonly messagesByToken = new Map<string, StoredMessage>();
  private readonly receiptSubscriptions = new Map<string, ReceiptSubscription>();
  private readonly receiptSubscriptionsById = new Map<string, ReceiptSubscription>();
  /** TTL deadlines of stored messages (TTL 0 ones have none). */
  private readonly expiries: ExpiryIndex<StoredMessage>;
  /** token → ids of recent messages, kept after they finish so late lookups still name them. */
  private readonly recentTokens = new RecentTokens(RECENT_TOKENS_MAX);
  private readonly sets = new Map<string, SubscriptionSet>();
  private readonly setsById = new Map<string, SubscriptionSet>();
  private subscriptionCount = 0;
  private setCount = 0;
  private messageCount = 0;
  private receiptCount = 0;
  private storedBytes = 0;
  private readonly goneHooks: GoneHooks[] = [];
  private readonly idleSubscriptions: IdleExpiry<Subscription>;
  private readonly idleReceipts: IdleExpiry<ReceiptSubscription>;
  /**
   * Empty, unmonitored sets on a shared store: another instance may monitor or join them,
   * so they go by idle expiry (or DELETE), not at once. One writer drops them at once.
   */
  private readonly idleSets: IdleExpiry<SubscriptionSet>;
  /**
   * What is monitored here (shared stores only): its last use is written again every
   * `activityEveryMs`, so another instance's idle expiry does not delete it while held.
   */
  private readonly heldHere = new Set<Subscription | SubscriptionSet | ReceiptSubscription>();
  private activityTimer: Timer | null = null;

  /** VAPID tokens whose signatures were checked (RFC 8292), shared by every profile. */
  readonly vapid = new VapidVerifier();
  /**
   * What the inspector shows of recent messages: the body as it arrived (encrypted) and the
   * headers the service kept; bounded, the oldest forgotten first.
   */
  readonly archive = new MessageArchive(ARCHIVED_MESSAGES_MAX);
  private readonly subscriptionRate: RateLimiter;
  private readonly senderRate: RateLimiter;
  private readonly subscribeRate: RateLimiter;
  /** Where state changes are journaled (`restore`); null keeps everything in memory only. */
  private store: PushStore | null = null;
  /** True while another instance's change is applied: its receipts are that instance's. */
  private applyingRemote = false;
  /**
   * True while this instance applies or restores what another instance did: the events it
   * emits for it are marked `mirrored` (that instance reported the fact).
   */
  private mirroring = false;
  /**
   * Receipt subscriptions made by another instance and never monitored here: their idle
   * expiry is the instances' that use them, not this one's.
   */
  private readonly foreignReceipts = new Set<string>();
  /** The store when several instances share it (`PushStore.shared`), else null. */
  private shared: PushStore | null = null;

  constructor(
    readonly serviceId: string,
    private readonly clock: Clock,
    private readonly bus: EventBus,
    readonly limits: ServiceLimits,
    /** Makes capability tokens; CSPRNG by default (see tokens.ts for when it is not). */
    readonly newToken: () => string = newCapabilityToken,
  ) {
    this.subscriptionRate = new RateLimiter(clock, limits.sendsPerSecondPerSubscription);
    this.senderRate = new RateLimiter(clock, limits.sendsPerSecondPerSender);
    this.subscribeRate = new RateLimiter(
      clock,
      limits.subscribesPerSecondPerAddress,
      undefined,
      limits.subscribesPerAddressBurstCount,
    );
    this.expiries = new ExpiryIndex(clock, (message) => this.expire(message));
    const subscriptionIdleMs = limits.subscriptionIdleSecondsMax * 1000;
    this.idleSubscriptions = new IdleExpiry(clock, subscriptionIdleMs, (sub) =>
      this.idleExpired('subscription', sub, subscriptionIdleMs, {
        live: () => this.subscriptions.get(sub.id) === sub,
        stillIdle: () => sub.monitors.size === 0,
        rearm: () => this.idleSubscriptions.idle(sub),
        remove: () => this.deleteSubscription(sub, 'expired'),
      }),
    );
    const receiptIdleMs = limits.receiptSubscriptionIdleSecondsMax * 1000;
    this.idleReceipts = new IdleExpiry(clock, receiptIdleMs, (receipt) =>
      this.idleExpired('receipt-subscription', receipt, receiptIdleMs, {
        live: () => this.receiptSubscriptionsById.get(receipt.id) === receipt,
        stillIdle: () => receipt.monitors.size === 0 && receipt.outstanding === 0,
        rearm: () => this.idleReceipts.idle(receipt),
        remove: () => {
          this.limitReached(
            'receipt-subscription-idle',
            receipt.id,
            limits.receiptSubscriptionIdleSecondsMax,
          );
          this.deleteReceiptSubscription(receipt);
        },
      }),
    );
    this.idleSets = new IdleExpiry(clock, subscriptionIdleMs, (set) =>
      this.idleExpired('set', set, subscriptionIdleMs, {
        live: () => this.setsById.get(set.id) === set,
        stillIdle: () => set.members.size === 0 && set.monitors.size === 0,
        rearm: () => this.idleSets.idle(set),
        remove: () => this.deleteSet(set, 'expired'),
      }),
    );
  }

  /**
   * An idle deadline passed here. One writer deletes at once. On a shared store Redis
   * decides (`PushStore.claimIdle`, a round trip later): used within the window on any
   * instance, it is idle again from now; else the one instance whose delete removed its
   * record deletes it and reports, and the others apply that instance's change.
   */
  private idleExpired(
    kind: IdleKind,
    what: { readonly id: string },
    idleMs: number,
    then: { live(): boolean; stillIdle(): boolean; rearm(): void; remove(): void },
  ): void {
    const shared = this.shared;
    if (!shared?.claimIdle) return then.remove();
    void shared.claimIdle(kind, what.id, idleMs, this.clock.now()).then(
      (answer) => {
        // Used elsewhere: idle again from now, unless it was used or deleted here meanwhile.
        if (answer === 'active') {
          if (then.live() && then.stillIdle()) then.rearm();
        } else if (answer === 'claimed' && then.live()) then.remove();
      },
      () => {}, // the store failed: store.failed says so
    );
  }

  /** Activity on what `id` names, for the other instances' idle expiry (shared stores). */
  private used(what: Subscription | SubscriptionSet | ReceiptSubscription): void {
    const shared = this.shared;
    if (!shared?.touch) return;
    shared.touch(what.id);
    if (what.monitors.size > 0 && !this.heldHere.has(what)) {
      this.heldHere.add(what);
      this.activityTimer ??= this.clock.schedule(this.activityEveryMs(), () => this.stillHeld());
    }
  }

  /**
   * How often what is monitored here records its use again: a quarter of the shortest idle
   * window (at most 6 h), at least the store's one write a second per id.
   */
  private activityEveryMs(): number {
    const windows = [
      this.limits.subscriptionIdleSecondsMax,
      this.limits.receiptSubscriptionIdleSecondsMax,
    ].filter((s) => s > 0);
    return Math.max(ACTIVITY_EVERY_MS_MIN, (Math.min(...windows, 86_400) * 1000) / 4);
  }

  /** Records the use of everything still monitored here; forgets what no longer is. */
  private stillHeld(): void {
    this.activityTimer = null;
    for (const what of this.heldHere) {
      const live =
        this.subscriptions.get(what.id) === what ||
        this.setsById.get(what.id) === what ||
        this.receiptSubscriptionsById.get(what.id) === what;
      if (live && what.monitors.size > 0) this.shared?.touch?.(what.id);
      else this.heldHere.delete(what);
    }
    if (this.heldHere.size > 0)
      this.activityTimer = this.clock.schedule(this.activityEveryMs(), () => this.stillHeld());
  }

  /** The mark of an event this instance emits for another instance's change, if it is one. */
  private mirrored(): { mirrored?: true } {
    return this.mirroring ? MIRRORED : NOT_MIRRORED;
  }

  /** Profiles keeping state per subscription or receipt subscription clean it up here. */
  onGone(hooks: GoneHooks): void {
    this.goneHooks.push(hooks);
  }

  /** Sizes of what the service holds (tests, and the limits' own checks). */
  stats(): {
    subscriptions: number;
    sets: number;
    receiptSubscriptions: number;
    storedBytes: number;
  } {
    return {
      subscriptions: this.subscriptions.size,
      sets: this.sets.size,
      receiptSubscriptions: this.receiptSubscriptions.size,
      storedBytes: this.storedBytes,
    };
  }

  /** A bound was hit: an event, never an exception. */
  limitReached(what: LimitName, subjectId: string, limit: number): void {
    this.bus.emit({ kind: 'limit.reached', what, subjectId, limit });
  }

  /**
   * Subscribe rate per client address (token bucket): null if a subscribe from `address`
   * may go ahead, else the seconds until it may (for Retry-After; an event says so).
   */
  admitSubscribe(address: string): number | null {
    const wait = this.subscribeRate.take(address);
    if (wait !== null)
      this.limitReached(
        'subscribe-rate',
        this.serviceId,
        this.limits.subscribesPerSecondPerAddress,
      );
    return wait;
  }

  // ---- subscriptions -------------------------------------------------------------------

  /**
   * Returns null when the service is at its subscription limit (an event says so). A new
   * member of a set is monitored at once by the set's open monitors; `'new'` makes a set for
   * it, only once the limit check has passed (a refused subscribe leaves nothing behind).
   */
  subscribe(
    agentId: string | null,
    vapidKey: string | null = null,
    setOrNew: SubscriptionSet | 'new' | null = null,
  ): Subscription | null {
    if (this.subscriptions.size >= this.limits.subscriptionCountMax) {
      this.limitReached('subscriptions', this.serviceId, this.limits.subscriptionCountMax);
      return null;
    }
    const set = setOrNew === 'new' ? this.createSet() : setOrNew;
    const sub: Subscription = {
      id: `${this.serviceId}.s${++this.subscriptionCount}`,
      token: this.newToken(),
      pushToken: this.newToken(),
      agentId,
      createdAtMs: this.clock.now(),
      vapidKey,
      queue: new Map(),
      topics: new Map(),
      monitors: new Set(),
      set,
    };
    this.indexSubscription(sub);
    if (set) for (const monitor of set.monitors) sub.monitors.add(monitor);
    if (sub.monitors.size === 0) this.idleSubscriptions.idle(sub);
    this.store?.putSubscription({ ...sub, setId: set?.id ?? null });
    return sub;
  }

  // ---- subscription sets -----------------------------------------------------------------

  createSet(): SubscriptionSet {
    const set: SubscriptionSet = {
      id: `${this.serviceId}.set${++this.setCount}`,
      token: this.newToken(),
      members: new Set(),
      monitors: new Set(),
    };
    this.sets.set(set.token, set);
    this.setsById.set(set.id, set);
    this.store?.putSet(set);
    return set;
  }

  setByToken(token: string): SubscriptionSet | undefined {
    return this.sets.get(token);
  }

  /** One request monitors every member, present and future. Returns how many were pushed. */
  attachSetMonitor(set: SubscriptionSet, monitor: Monitor): number {
    set.monitors.add(monitor);
    this.idleSets.busy(set);
    this.used(set);
    let pushed = 0;
    for (const member of set.members) pushed += this.attachMonitor(member, monitor);
    return pushed;
  }

  detachSetMonitor(set: SubscriptionSet, monitor: Monitor): void {
    if (!set.monitors.delete(monitor)) return;
    for (const member of set.members) this.detachMonitor(member, monitor);
    this.used(set);
    this.dropSetIfEmpty(set);
  }

  /**
   * A set with no member and no monitor can never be used again here: one writer forgets
   * it. On a shared store another instance may monitor it or add a member: it idles, and
   * goes by idle expiry (when no instance used it within the window) or DELETE.
   */
  private dropSetIfEmpty(set: SubscriptionSet): void {
    if (set.members.size > 0 || set.monitors.size > 0) return;
    if (!this.setsById.has(set.id)) return;
    if (this.shared) return this.idleSets.idle(set);
    if (!this.sets.delete(set.token)) return;
    this.setsById.delete(set.id);
    this.store?.deleteSet(set.id);
  }

  /** RFC 8030 §7.3: deleting (or expiring) a set removes every member; its monitors get 404. */
  deleteSet(set: SubscriptionSet, reason: 'unsubscribed' | 'expired'): void {
    if (!this.sets.delete(set.token)) return;
    this.setsById.delete(set.id);
    this.idleSets.busy(set);
    for (const member of [...set.members]) this.deleteSubscription(member, reason);
    for (const monitor of [...set.monitors]) monitor.end(404);
    set.monitors.clear();
    this.store?.deleteSet(set.id);
  }

  /** Announces a subscription once the profile knows the path it is published under. */
  announceSubscription(sub: Subscription, pushPath: string): void {
    this.bus.emit({
      kind: 'subscription.created',
      serviceId: this.serviceId,
      subscriptionId: sub.id,
      agentId: sub.agentId,
      pushPath,
      ...this.mirrored(),
    });
  }

  bySubscriptionToken(token: string): Subscription | undefined {
    return this.subscriptionsByToken.get(token);
  }

  byPushToken(token: string): Subscription | undefined {
    return this.subscriptionsByPushToken.get(token);
  }

  byId(id: string): Subscription | undefined {
    return this.subscriptions.get(id);
  }

  /** Ids of a message by its token, also shortly after it was acked or expired. */
  identifyToken(token: string): { messageId: string; subscriptionId: string } | null {
    return this.recentTokens.get(token);
  }

  messageByToken(token: string): StoredMessage | undefined {
    return this.messagesByToken.get(token);
  }

  allSubscriptions(): IterableIterator<Subscription> {
    return this.subscriptions.values();
  }

  /** Unsubscribe or expiry: monitors end with 404, outstanding messages are dropped. */
  deleteSubscription(sub: Subscription, reason: 'unsubscribed' | 'expired'): void {
    if (!this.subscriptions.delete(sub.id)) return;
    this.subscriptionsByToken.delete(sub.token);
    this.subscriptionsByPushToken.delete(sub.pushToken);
    this.dropQueued(sub, 'subscription-deleted');
    this.bus.emit({
      kind: 'subscription.deleted',
      subscriptionId: sub.id,
      reason,
      ...this.mirrored(),
    });
    // A set's monitor stays open when one member goes (RFC 8030 §7.3); only its own end.
    for (const monitor of [...sub.monitors]) if (!sub.set?.monitors.has(monitor)) monitor.end(404);
    sub.monitors.clear();
    this.idleSubscriptions.busy(sub);
    if (sub.set) {
      sub.set.members.delete(sub);
      this.dropSetIfEmpty(sub.set);
    }
    for (const hooks of this.goneHooks) hooks.subscription?.(sub, reason);
    this.store?.deleteSubscription(sub.id);
  }

  /**
   * Drops every message the subscription holds undelivered (its senders' receipts say 410);
   * the subscription stays. `reset` is a test harness forgetting what it left queued.
   */
  dropQueued(sub: Subscription, reason: 'subscription-deleted' | 'reset'): number {
    const queued = [...sub.queue.values()];
    for (const message of queued) {
      this.finish(message, false);
      this.bus.emit({
        kind: 'message.dropped',
        subscriptionId: sub.id,
        messageId: message.id,
        reason,
        ...this.mirrored(),
      });
      this.sendReceipt(message, 410);
      this.store?.finishMessage(message.id);
    }
    return queued.length;
  }

  // ---- sending ---------------------------------------------------------------------------

  /**
   * Rate limits (RFC 8030 §8.4): null if a send to `sub` from `senderKey` may go ahead, else
   * which limit was hit and the seconds until it may (for Retry-After).
   */
  admit(
    sub: Subscription,
    senderKey: string,
  ): { limit: 'subscription' | 'sender'; retryAfterSeconds: number } | null {
    const senderWait = this.senderRate.take(senderKey);
    if (senderWait !== null) return { limit: 'sender', retryAfterSeconds: senderWait };
    const subscriptionWait = this.subscriptionRate.take(sub.id);
    if (subscriptionWait !== null)
      return { limit: 'subscription', retryAfterSeconds: subscriptionWait };
    return null;
  }

  /** Records a send the front refused (a protocol outcome, shown like any other event). */
  reject(subscriptionId: string | null, status: number, detail: string): void {
    this.bus.emit({
      kind: 'message.rejected',
      serviceId: this.serviceId,
      subscriptionId,
      status,
      detail,
    });
  }

  /** Clamps a requested TTL the way RFC 8030 §5.2 asks, then to this service's maximum. */
  effectiveTtl(requestedSeconds: number): number {
    return Math.min(Math.min(requestedSeconds, TTL_SECONDS_CLAMP), this.limits.ttlSecondsMax);
  }

  send(sub: Subscription, request: SendRequest): SendOutcome {
    if (!this.subscriptions.has(sub.id)) return { kind: 'not-found' };
    const previous = request.topic ? sub.topics.get(request.topic) : undefined;
    if (!previous && sub.queue.size >= this.limits.queueCountMax) {
      this.bus.emit({
        kind: 'limit.reached',
        what: 'queue',
        subjectId: sub.id,
        limit: this.limits.queueCountMax,
      });
      return { kind: 'queue-full', limit: this.limits.queueCountMax };
    }
    const bytes = storedBytesOf(request);
    if (
      this.storedBytes - (previous ? storedBytesOf(previous) : 0) + bytes >
      this.limits.storedBytesMax
    ) {
      this.limitReached('stored-bytes', this.serviceId, this.limits.storedBytesMax);
      return { kind: 'store-full', limit: this.limits.storedBytesMax };
    }
    const ttlSeconds = this.effectiveTtl(request.ttlSeconds);
    const now = this.clock.now();
    const message: StoredMessage = {
      id: `${this.serviceId}.m${++this.messageCount}`,
      token: this.newToken(),
      subscriptionId: sub.id,
      body: request.body,
      contentHeaders: request.contentHeaders,
      ttlSeconds,
      ttlRequestedSeconds: request.ttlSeconds,
      acceptedAtMs: now,
      expiresAtMs: now + ttlSeconds * 1000,
      urgency: request.urgency,
      topic: request.topic,
      receiptSubscriptionId: request.receiptSubscriptionId,
      senderId: request.senderId,
      legacyVapid: request.legacyVapid === true,
      attempts: 0,
      inFlightOn: null,
    };
    this.archive.put(message.id, sub.id, request.body, request.contentHeaders, request.ttlSeconds);
    const accepted: Extract<LabEventBody, { kind: 'message.accepted' }> = {
      kind: 'message.accepted',
      serviceId: this.serviceId,
      subscriptionId: sub.id,
      messageId: message.id,
      ttlSeconds,
      ttlRequestedSeconds: request.ttlSeconds,
      urgency: message.urgency,
      topic: message.topic,
      bytes: message.body.length,
      receiptRequested: message.receiptSubscriptionId !== null,
      senderId: request.senderId,
    };
    // Set only when there is one, in the place the spread of legacyOf gave it (last): spreading
    // its empty answer cost every send a runtime call.
    const legacy = legacyForms(request.contentHeaders, request.legacyVapid === true);
    if (legacy) accepted.legacy = legacy;
    this.bus.emit(accepted);
    if (previous) {
      // RFC 8030 §5.4: the new message takes the old one's place; its receipts are suppressed.
      this.finish(previous);
      this.bus.emit({
        kind: 'message.replaced',
        subscriptionId: sub.id,
        messageId: previous.id,
        byMessageId: message.id,
      });
    }
    this.index(sub, message);
    this.store?.putMessage(message);

    const delivered = this.offer(sub, message);
    if (ttlSeconds === 0) {
      // TTL 0: delivered now or never (RFC 8030 §5.2). A pushed one waits for its ack
      // while its monitor lives; see detachMonitor.
      if (!delivered) this.expire(message);
    } else {
      this.expiries.add(message, message.expiresAtMs);
    }
    return {
      kind: 'accepted',
      messageId: message.id,
      messageToken: message.token,
      ttlSeconds,
      replaced: previous?.id ?? null,
    };
  }

  /** Makes a subscription findable by id and both tokens, and a member of its set. */
  private indexSubscription(sub: Subscription): void {
    this.subscriptions.set(sub.id, sub);
    this.subscriptionsByToken.set(sub.token, sub);
    this.subscriptionsByPushToken.set(sub.pushToken, sub);
    if (sub.set) {
      sub.set.members.add(sub);
      this.idleSets.busy(sub.set);
    }
  }

  private index(sub: Subscription, message: StoredMessage): void {
    sub.queue.set(message.id, message);
    this.storedBytes += storedBytesOf(message);
    this.referReceipt(message);
    this.messagesByToken.set(message.token, message);
    this.recentTokens.set(message.token, message.id, sub.id);
    if (message.topic) sub.topics.set(message.topic, message);
  }

  // ---- delivery --------------------------------------------------------------------------

  /**
   * A monitoring request arrived: every stored message it wants and that is not in flight
   * is pushed on it now. Returns how many were pushed.
   */
  attachMonitor(sub: Subscription, monitor: Monitor): number {
    sub.monitors.add(monitor);
    this.idleSubscriptions.busy(sub);
    this.used(sub);
    let pushed = 0;
    for (const message of [...sub.queue.values()]) {
      if (message.inFlightOn === null && this.push(sub, message, monitor)) pushed += 1;
    }
    return pushed;
  }

  /**
   * The monitoring request ended. Messages pushed on it and not acknowledged go back to the
   * store (offered again to another monitor, else on the next request); TTL-0 ones expire.
   */
  detachMonitor(sub: Subscription, monitor: Monitor): void {
    if (!sub.monitors.delete(monitor)) return;
    for (const message of [...sub.queue.values()]) {
      if (message.inFlightOn !== monitor) continue;
      message.inFlightOn = null;
      if (message.ttlSeconds === 0) this.expire(message);
      else if (sub.monitors.size > 0) this.offer(sub, message);
    }
    if (sub.monitors.size === 0 && this.subscriptions.has(sub.id)) {
      this.idleSubscriptions.idle(sub);
      this.used(sub); // its last use is now, for the other instances
    }
  }

  /** DELETE of a message resource. */
  ack(messageToken: string): 'acked' | 'not-found' {
    const message = this.messagesByToken.get(messageToken);
    if (!message) return 'not-found';
    this.finish(message, false);
    // An acknowledgement is activity: the subscription's idle time starts over.
    const sub = this.subscriptions.get(message.subscriptionId);
    if (sub && sub.monitors.size === 0) this.idleSubscriptions.idle(sub);
    if (sub) this.used(sub);
    this.bus.emit({
      kind: 'message.acked',
      subscriptionId: message.subscriptionId,
      messageId: message.id,
    });
    this.sendReceipt(message, 204);
    this.store?.finishMessage(message.id);
    return 'acked';
  }

  /** Messages a non-monitoring reader would see now (draft-thomson's last-message GET). */
  outstanding(sub: Subscription): StoredMessage[] {
    return [...sub.queue.values()];
  }

  private offer(sub: Subscription, message: StoredMessage): boolean {
    for (const monitor of sub.monitors) {
      if (this.push(sub, message, monitor)) return true;
    }
    return false;
  }

  private push(sub: Subscription, message: StoredMessage, monitor: Monitor): boolean {
    if (!wants(monitor.urgencyMin, message.urgency)) return false;
    if (!monitor.deliver(message)) return false;
    message.attempts += 1;
    message.inFlightOn = monitor;
    this.store?.setAttempts(message.id, message.attempts);
    this.used(sub);
    this.bus.emit({
      kind: 'message.pushed',
      subscriptionId: sub.id,
      messageId: message.id,
      attempt: message.attempts,
      urgencyMin: monitor.urgencyMin,
    });
    return true;
  }

  private expire(message: StoredMessage): void {
    // On a store several instances share, every mirror expires the message: only the one
    // whose delete removed it reports it (the others' deletes find nothing).
    const shared = this.shared;
    if (shared?.expireMessage) {
      if (!this.finish(message, false)) return;
      void shared.expireMessage(message.id).then(
        (won) => won && this.reportExpired(message),
        () => {}, // the store failed: store.failed says so
      );
      return;
    }
    if (!this.finish(message, false)) return;
    this.reportExpired(message);
    this.store?.finishMessage(message.id);
  }

  private reportExpired(message: StoredMessage): void {
    this.bus.emit({
      kind: 'message.expired',
      subscriptionId: message.subscriptionId,
      messageId: message.id,
    });
    this.sendReceipt(message, 410);
  }

  /**
   * Removes a message from every index; false if it was already gone. Where the message's
   * end sends a receipt (ack, expiry, drop), the caller journals the finish itself, after
   * the receipt: a batch torn between the two then keeps the message (pushed again, its
   * receipt sent when it ends again; `restore` drops the receipt held for it) instead of
   * losing the receipt.
   */
  private finish(message: StoredMessage, journal = true): boolean {
    const sub = this.subscriptions.get(message.subscriptionId);
    if (!this.messagesByToken.delete(message.token)) return false;
    this.expiries.remove(message, message.expiresAtMs);
    if (sub) {
      sub.queue.delete(message.id);
      if (message.topic && sub.topics.get(message.topic) === message) {
        sub.topics.delete(message.topic);
      }
    }
    message.inFlightOn = null;
    this.storedBytes -= storedBytesOf(message);
    this.releaseReceipt(message);
    if (journal) this.store?.finishMessage(message.id);
    return true;
  }

  // ---- receipts --------------------------------------------------------------------------

  /** Null when the service holds its maximum of receipt subscriptions (an event says so). */
  createReceiptSubscription(): ReceiptSubscription | null {
    if (this.receiptSubscriptions.size >= this.limits.receiptSubscriptionCountMax) {
      this.limitReached(
        'receipt-subscriptions',
        this.serviceId,
        this.limits.receiptSubscriptionCountMax,
      );
      return null;
    }
    const receipt: ReceiptSubscription = {
      id: `${this.serviceId}.r${++this.receiptCount}`,
      token: this.newToken(),
      monitors: new Set(),
      pending: [],
      outstanding: 0,
    };
    this.receiptSubscriptions.set(receipt.token, receipt);
    this.receiptSubscriptionsById.set(receipt.id, receipt);
    this.idleReceipts.idle(receipt);
    this.store?.putReceiptSubscription(receipt);
    return receipt;
  }

  /** A message that will report to a receipt subscription keeps it from expiring. */
  private referReceipt(message: StoredMessage): void {
    if (!message.receiptSubscriptionId) return;
    const receipt = this.receiptSubscriptionsById.get(message.receiptSubscriptionId);
    if (!receipt) return;
    receipt.outstanding += 1;
    this.idleReceipts.busy(receipt);
  }

  private releaseReceipt(message: StoredMessage): void {
    if (!message.receiptSubscriptionId) return;
    const receipt = this.receiptSubscriptionsById.get(message.receiptSubscriptionId);
    if (!receipt) return;
    receipt.outstanding -= 1;
    this.idleReceiptIfUnused(receipt);
  }

  private idleReceiptIfUnused(receipt: ReceiptSubscription): void {
    if (this.foreignReceipts.has(receipt.id)) return;
    if (receipt.outstanding === 0 && receipt.monitors.size === 0) this.idleReceipts.idle(receipt);
  }

  receiptSubscriptionByToken(token: string): ReceiptSubscription | undefined {
    return this.receiptSubscriptions.get(token);
  }

  receiptSubscriptionById(id: string): ReceiptSubscription | undefined {
    return this.receiptSubscriptionsById.get(id);
  }

  attachReceiptMonitor(receipt: ReceiptSubscription, monitor: ReceiptMonitor): void {
    receipt.monitors.add(monitor);
    this.foreignReceipts.delete(receipt.id);
    this.idleReceipts.busy(receipt);
    this.used(receipt);
    while (receipt.pending.length > 0) {
      const next = receipt.pending[0]!;
      if (!monitor.deliverReceipt(next.messageToken, next.status)) break;
      receipt.pending.shift();
      this.store?.releaseReceipt(receipt.id, next.messageToken);
      this.shared?.receiptDelivered?.(receipt.id, next.messageToken);
    }
  }

  detachReceiptMonitor(receipt: ReceiptSubscription, monitor: ReceiptMonitor): void {
    if (!receipt.monitors.delete(monitor)) return;
    if (!this.receiptSubscriptions.has(receipt.token)) return;
    this.used(receipt);
    this.idleReceiptIfUnused(receipt);
  }

  deleteReceiptSubscription(receipt: ReceiptSubscription): void {
    if (!this.receiptSubscriptions.delete(receipt.token)) return;
    this.receiptSubscriptionsById.delete(receipt.id);
    this.foreignReceipts.delete(receipt.id);
    this.idleReceipts.busy(receipt);
    for (const monitor of [...receipt.monitors]) monitor.end(404);
    for (const hooks of this.goneHooks) hooks.receipt?.(receipt);
    this.store?.deleteReceiptSubscription(receipt.id);
  }

  private sendReceipt(message: StoredMessage, status: 204 | 410): void {
    if (!message.receiptSubscriptionId) return;
    // What another instance finished, that instance reports.
    if (this.applyingRemote) return;
    const receipt = this.receiptSubscriptionById(message.receiptSubscriptionId);
    if (!receipt) return;
    this.bus.emit({ kind: 'receipt.sent', messageId: message.id, status });
    for (const monitor of receipt.monitors) {
      if (monitor.deliverReceipt(message.token, status)) return;
    }
    // No monitor here: the instance holding one delivers it; until one does, each keeps it.
    this.shared?.announceReceipt?.({
      receiptSubscriptionId: receipt.id,
      messageId: message.id,
      messageToken: message.token,
      status,
    });
    this.holdReceipt(receipt, message.token, status);
    // Held in the store too: a restart before the application server's monitor comes back
    // still delivers it. (On a shared store the instances' copies follow the stream.)
    this.store?.holdReceipt({
      receiptSubscriptionId: receipt.id,
      messageId: message.id,
      messageToken: message.token,
      status,
    });
  }

  /** A receipt waits for a monitor (bounded: the oldest goes, and an event says so). */
  private holdReceipt(receipt: ReceiptSubscription, messageToken: string, status: 204 | 410) {
    receipt.pending.push({ messageToken, status });
    if (receipt.pending.length > PENDING_RECEIPTS_MAX) {
      const dropped = receipt.pending.shift()!;
      this.store?.releaseReceipt(receipt.id, dropped.messageToken);
      this.bus.emit({
        kind: 'limit.reached',
        what: 'queue',
        subjectId: receipt.id,
        limit: PENDING_RECEIPTS_MAX,
      });
    }
  }

  // ---- durability (store/) ---------------------------------------------------------------

  /**
   * Restores what `store` holds and journals every later change to it. Subscriptions are
   * announced through `announce` (the profile knows their paths) and their messages as
   * accepted again; messages whose expiry instant has passed expire now (receipts 410),
   * the others get timers for what is left of their TTL. Ids continue after the highest
   * restored one. Call once, before the service takes requests.
   */
  restore(store: PushStore, announce: (sub: Subscription) => void): void {
    const state = store.state();
    // Finished messages (and deleted subscriptions) count too: an id is never issued twice.
    this.setCount = state.highestIds.sets;
    this.receiptCount = state.highestIds.receiptSubscriptions;
    this.subscriptionCount = state.highestIds.subscriptions;
    this.messageCount = state.highestIds.messages;
    for (const r of state.sets) this.adoptSet(r);
    for (const r of state.receiptSubscriptions) this.adoptReceiptSubscription(r);
    // On a shared store, what other instances made was reported by them: marked here.
    const foreign = (id: string): boolean =>
      store.shared === true && !id.startsWith(`${this.serviceId}.`);
    for (const r of state.subscriptions) {
      const set = r.setId === null ? null : (this.setsById.get(r.setId) ?? null);
      this.mirroring = foreign(r.id);
      this.adoptSubscription(r, set, announce, true);
    }
    this.mirroring = false;
    this.store = store;
    this.shared = store.shared === true ? store : null;
    store.onRemoteChange?.((change) => this.applyRemote(change, announce));
    store.onFailure((error) =>
      this.bus.emit({ kind: 'store.failed', serviceId: this.serviceId, detail: error.message }),
    );
    const now = this.clock.now();
    for (const r of state.messages) {
      this.messageCount = Math.max(this.messageCount, idNumber(r.id));
      const sub = this.subscriptions.get(r.subscriptionId);
      if (!sub) {
        store.finishMessage(r.id); // an orphan cannot be delivered; don't keep it
        continue;
      }
      this.mirroring = foreign(r.id);
      this.adoptMessage(sub, r, now);
      this.mirroring = false;
    }
    // Receipts held when it stopped wait again for their monitors (or go with their
    // receipt subscription, if it went meanwhile).
    // A receipt held for a message still stored is a batch torn between the two (see
    // `finish`): the message ends again and sends its receipt then. (On a shared store the
    // state is read while others write, so both may be seen at once: each is kept there.)
    for (const r of state.heldReceipts ?? []) {
      const receipt = this.receiptSubscriptionsById.get(r.receiptSubscriptionId);
      const torn = store.shared !== true && this.messagesByToken.has(r.messageToken);
      if (receipt && !torn) this.holdReceipt(receipt, r.messageToken, r.status);
      else store.releaseReceipt(r.receiptSubscriptionId, r.messageToken);
    }
    // What nothing refers to any more starts idle (receipt subscriptions) or goes (sets).
    for (const receipt of this.receiptSubscriptionsById.values()) this.idleReceiptIfUnused(receipt);
    for (const set of [...this.setsById.values()]) this.dropSetIfEmpty(set);
  }

  /** A subscription set restored, or made by another instance on the same store. */
  private adoptSet(r: SetRecord): SubscriptionSet {
    const set: SubscriptionSet = {
      id: r.id,
      token: r.token,
      members: new Set(),
      monitors: new Set(),
    };
    this.sets.set(set.token, set);
    this.setsById.set(set.id, set);
    this.setCount = Math.max(this.setCount, idNumber(r.id));
    return set;
  }

  /** A receipt subscription restored, or made by another instance on the same store. */
  private adoptReceiptSubscription(r: ReceiptSubscriptionRecord): ReceiptSubscription {
    const receipt: ReceiptSubscription = {
      id: r.id,
      token: r.token,
      monitors: new Set(),
      pending: [],
      outstanding: 0,
    };
    this.receiptSubscriptions.set(receipt.token, receipt);
    this.receiptSubscriptionsById.set(receipt.id, receipt);
    this.receiptCount = Math.max(this.receiptCount, idNumber(r.id));
    return receipt;
  }

  /** Whether state changes are journaled to a store (`durable()` is then never null). */
  get journals(): boolean {
    return this.store !== null;
  }

  /**
   * A subscription restored (`idle`: its idle time starts now), or made by another instance
   * on the same store (its idle expiry is that instance's, or the one that monitors it).
   */
  private adoptSubscription(
    r: SubscriptionRecord,
    set: SubscriptionSet | null,
    announce: (sub: Subscription) => void,
    idle: boolean,
  ): void {
    const sub: Subscription = {
      id: r.id,
      token: r.token,
      pushToken: r.pushToken,
      agentId: r.agentId,
      createdAtMs: r.createdAtMs,
      vapidKey: r.vapidKey,
      queue: new Map(),
      topics: new Map(),
      monitors: new Set(),
      set,
    };
    this.indexSubscription(sub);
    this.subscriptionCount = Math.max(this.subscriptionCount, idNumber(r.id));
    // Nobody monitors it here yet: its idle time starts now (not journaled).
    if (idle) this.idleSubscriptions.idle(sub);
    announce(sub);
  }

  /**
   * A message restored, or accepted by another instance on the same store: stored as if
   * accepted here, offered to the monitors held here, expiring at its own instant.
   */
  private adoptMessage(sub: Subscription, r: MessageRecord, now: number): void {
    const message: StoredMessage = { ...r, inFlightOn: null };
    this.index(sub, message);
    this.archive.set(message.id, {
      subscriptionId: sub.id,
      body: message.body,
      contentHeaders: message.contentHeaders,
      ttlRequestedSeconds: message.ttlRequestedSeconds,
    });
    this.bus.emit({
      kind: 'message.accepted',
      serviceId: this.serviceId,
      subscriptionId: sub.id,
      messageId: message.id,
      ttlSeconds: message.ttlSeconds,
      ttlRequestedSeconds: message.ttlRequestedSeconds,
      urgency: message.urgency,
      topic: message.topic,
      bytes: message.body.length,
      receiptRequested: message.receiptSubscriptionId !== null,
      // As it was accepted: the record keeps who sent it and how it was signed.
      senderId: message.senderId,
      ...legacyOf(message.contentHeaders, message.legacyVapid),
      ...this.mirrored(),
    });
    if (message.expiresAtMs <= now) this.expire(message);
    else {
      this.expiries.add(message, message.expiresAtMs);
      if (sub.monitors.size > 0) this.offer(sub, message);
    }
  }

  /**
   * Applies what another instance on the same store did (`PushStore.onRemoteChange`), as
   * that instance's own journal already holds it: nothing is journaled again, and its
   * answers, receipts and events are that instance's.
   */
  private applyRemote(change: RemoteChange, announce: (sub: Subscription) => void): void {
    const store = this.store;
    this.store = null;
    this.applyingRemote = true;
    this.mirroring = true;
    try {
      switch (change.kind) {
        case 'subscription': {
          if (this.subscriptions.has(change.record.id)) return;
          const setId = change.record.setId;
          const set = setId === null ? null : (this.setsById.get(setId) ?? null);
          this.adoptSubscription(change.record, set, announce, false);
          // A member joins its set's monitors held here, as a member made here does.
          const sub = this.subscriptions.get(change.record.id)!;
          if (set) for (const monitor of set.monitors) this.attachMonitor(sub, monitor);
          return;
        }
        case 'subscription-deleted': {
          const sub = this.subscriptions.get(change.id);
          if (sub) this.deleteSubscription(sub, 'unsubscribed');
          return;
        }
        case 'set':
          if (!this.setsById.has(change.record.id)) this.adoptSet(change.record);
          return;
        case 'set-deleted': {
          const set = this.setsById.get(change.id);
          if (set) this.deleteSet(set, 'unsubscribed');
          return;
        }
        case 'receipt-subscription':
          if (!this.receiptSubscriptionsById.has(change.record.id)) {
            this.adoptReceiptSubscription(change.record);
            this.foreignReceipts.add(change.record.id);
          }
          return;
        case 'receipt-subscription-deleted': {
          const receipt = this.receiptSubscriptionsById.get(change.id);
          if (receipt) this.deleteReceiptSubscription(receipt);
          return;
        }
        case 'message': {
          const sub = this.subscriptions.get(change.record.subscriptionId);
          if (sub && !this.messagesByToken.has(change.record.token))
            this.adoptMessage(sub, change.record, this.clock.now());
          return;
        }
        case 'message-finished': {
          const message = this.subscriptions.get(change.subscriptionId)?.queue.get(change.id);
          if (message) this.finish(message);
          return;
        }
        case 'receipt':
          return this.receiveReceipt(change.receipt, store);
        case 'receipt-delivered': {
          const receipt = this.receiptSubscriptionsById.get(change.receiptSubscriptionId);
          const at = receipt?.pending.findIndex((p) => p.messageToken === change.messageToken);
          if (receipt && at !== undefined && at >= 0) receipt.pending.splice(at, 1);
          return;
        }
        case 'reload':
          this.limitReached('store-changes', this.serviceId, change.keptMax);
          return this.reload(change.state, announce);
      }
    } finally {
      this.applyingRemote = false;
      this.mirroring = false;
      this.store = store;
    }
  }

  /** Another instance's receipt: delivered by a monitor held here, else kept until one comes. */
  private receiveReceipt(r: ReceiptRecord, store: PushStore | null): void {
    const receipt = this.receiptSubscriptionsById.get(r.receiptSubscriptionId);
    if (!receipt) return;
    for (const monitor of receipt.monitors) {
      if (monitor.deliverReceipt(r.messageToken, r.status)) {
        store?.releaseReceipt(receipt.id, r.messageToken);
        store?.receiptDelivered?.(receipt.id, r.messageToken);
        return;
      }
    }
    this.holdReceipt(receipt, r.messageToken, r.status);
  }

  /**
   * The stream was trimmed past what this instance had read: `state` (read after every write
   * of its own so far) replaces what it holds. A record missing from it is gone, unless it is
   * this instance's own and newer than the state (its write was still on its way).
   */
  private reload(state: StoredState, announce: (sub: Subscription) => void): void {
    const own = `${this.serviceId}.`;
    const gone = (id: string, highest: number): boolean =>
      !id.startsWith(own) || idNumber(id) <= highest;
    const sets = new Map([...state.sets].map((r) => [r.id, r]));
    const receipts = new Map([...state.receiptSubscriptions].map((r) => [r.id, r]));
    const subs = new Map([...state.subscriptions].map((r) => [r.id, r]));
    const messages = new Map([...state.messages].map((r) => [r.id, r]));
    const highest = state.highestIds;
    // Additions first (sets and receipt subscriptions before what refers to them); a record
    // of this instance's own that is missing here was finished here, its delete on its way.
    for (const r of sets.values())
      if (!r.id.startsWith(own) && !this.setsById.has(r.id)) this.adoptSet(r);
    for (const r of receipts.values()) {
      if (r.id.startsWith(own) || this.receiptSubscriptionsById.has(r.id)) continue;
      this.adoptReceiptSubscription(r);
      this.foreignReceipts.add(r.id);
    }
    for (const r of subs.values()) {
      if (r.id.startsWith(own) || this.subscriptions.has(r.id)) continue;
      const set = r.setId === null ? null : (this.setsById.get(r.setId) ?? null);
      this.adoptSubscription(r, set, announce, false);
    }
    const now = this.clock.now();
    for (const r of messages.values()) {
      if (r.id.startsWith(own) || this.messagesByToken.has(r.token)) continue;
      const sub = this.subscriptions.get(r.subscriptionId);
      if (sub) this.adoptMessage(sub, r, now);
    }
    // Then what the others deleted or finished while this instance was not reading.
    for (const message of [...this.messagesByToken.values()])
      if (!messages.has(message.id) && gone(message.id, highest.messages)) this.finish(message);
    for (const sub of [...this.subscriptions.values()])
      if (!subs.has(sub.id) && gone(sub.id, highest.subscriptions))
        this.deleteSubscription(sub, 'unsubscribed');
    for (const receipt of [...this.receiptSubscriptionsById.values()])
      if (!receipts.has(receipt.id) && gone(receipt.id, highest.receiptSubscriptions))
        this.deleteReceiptSubscription(receipt);
    for (const set of [...this.setsById.values()])
      if (!sets.has(set.id) && gone(set.id, highest.sets)) this.deleteSet(set, 'unsubscribed');
  }

  /**
   * Null when every subscription this service will ever know is already here (one
   * instance); else a promise that resolves once every change the other instances wrote
   * before now has been applied: a lookup that missed asks again after it.
   */
  catchUp(): Promise<void> | null {
    return this.shared?.catchUp?.() ?? null;
  }

  /**
   * Null without a store (answer at once: the in-memory path costs nothing more); else a
   * promise that every change so far is durable, rejected (one sentence) if it cannot be.
   */
  durable(): Promise<void> | null {
    return this.store ? this.store.durable() : null;
  }

  /** Cancels every timer; the core is unusable afterwards. */
  close(): void {
    this.expiries.close();
    this.idleSubscriptions.close();
    this.idleReceipts.close();
    this.idleSets.close();
    this.activityTimer?.cancel();
    this.activityTimer = null;
    this.heldHere.clear();
  }
}

/** Does a monitor whose lowest wanted urgency is `min` want a message of urgency `u`? */
export function wants(min: Urgency, u: Urgency): boolean {
  return URGENCIES.indexOf(u) >= URGENCIES.indexOf(min);
}

/**
 * The `legacy` field of a `message.accepted`: the draft coding (from the content headers the
 * message keeps) and the draft VAPID scheme; nothing at all when neither, so events of
 * RFC 8291/8292 senders (every lab agent) stay as they were, byte for byte.
 */
function legacyOf(
  contentHeaders: Readonly<Record<string, string>>,
  legacyVapid: boolean,
): { legacy?: LegacyForm[] } {
  const legacy = legacyForms(contentHeaders, legacyVapid);
  return legacy ? { legacy } : {};
}

/** legacyOf's list itself; null when neither. */
function legacyForms(
  contentHeaders: Readonly<Record<string, string>>,
  legacyVapid: boolean,
): LegacyForm[] | null {
  const aesgcm = contentHeaders['content-encoding']?.toLowerCase() === 'aesgcm';
  if (!aesgcm && !legacyVapid) return null;
  const legacy: LegacyForm[] = [];
  if (aesgcm) legacy.push('aesgcm');
  if (legacyVapid) legacy.push('vapid-webpush');
  return legacy;
}
