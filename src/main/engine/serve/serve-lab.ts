/**
 * The push service with built-in user agents, as `push-lab serve`, serve's control API and
 * `startPushService` all run it: one Lab, the subscriptions its user agents hold, the
 * messages they received (decrypted, bounded), and what a test harness does to them —
 * wait for the next message, subscribe, expire, unsubscribe, reset.
 */
import { PROFILES, type LabEvent, type Profile, type Urgency } from '../../../shared/events';
import type { PowerState, ReceivedMessage, UaSubscription, UserAgent } from '../agents/user-agent';
import type { Timer } from '../clock/clock';
import { parseVapidPublicKey } from '../crypto/vapid';
import { DECRYPT_WORKERS_MAX, DecryptPool } from '../parallel/decrypt-pool';
import { LabError } from '../errors';
import { Lab } from '../lab';
import { wants } from '../push/core';
import type { QuirkName } from '../push/quirks';
import { clientProfile, PROFILE_REGISTRY } from '../push/profiles/registry';
import { storeLocation } from '../push/store/location';
import type { ServiceLimits } from '../push/types';
import { messageRecord, pushSubscription, type MessageRecord } from './records';
import type { PushSubscriptionJson } from './records';

/** Received messages kept for `messages()`; older ones are dropped and counted. */
export const RECEIVED_MESSAGES_KEPT_MAX = 1000;
/** The longest one wait for the next message may last. */
export const NEXT_MESSAGE_WAIT_MAX_MS = 60_000;
/** Waits for the next message open at once. */
export const NEXT_MESSAGE_WAITERS_MAX = 100;
/** Subscriptions a harness may add after start (serve's own `--subscriptions` has its bound). */
export const HARNESS_SUBSCRIPTIONS_MAX = 1000;

export const SERVE_ERROR_CODES = {
  /** An option serve cannot run with (names the option, the value and what is allowed). */
  BAD_OPTION: 'ERR_SERVE_OPTION',
  /** No built-in subscription with that id or endpoint. */
  NOT_FOUND: 'ERR_SERVE_NOT_FOUND',
  /** The subscription is already gone (expired or unsubscribed). */
  GONE: 'ERR_SERVE_GONE',
  /** This set-up cannot do it (a VAPID key on a profile that predates VAPID). */
  NOT_AVAILABLE: 'ERR_NOT_AVAILABLE',
  /** No message came within the wait asked for (`startPushService`'s nextMessage). */
  TIMEOUT: 'ERR_SERVE_TIMEOUT',
  /** A bound of this module was reached (the constant is named in the message). */
  LIMIT: 'ERR_SERVE_LIMIT',
} as const;

export class ServeError extends LabError {
  override name = 'ServeError';

  constructor(
    code: (typeof SERVE_ERROR_CODES)[keyof typeof SERVE_ERROR_CODES],
    /** The option or field at fault, when one is. */
    readonly field: string | null,
    message: string,
  ) {
    super(code, message);
  }
}

export interface ServeLabOptions {
  host: string;
  port: number;
  profile: Profile;
  tls: { key: string; cert: string } | null;
  limits: Partial<ServiceLimits>;
  /** Subscriptions the built-in user agent makes at start. */
  subscriptions: number;
  power: PowerState;
  /** The built-in user agents' urgency filter set by hand (absent: it follows `power`). */
  urgencyMin?: Urgency;
  /** Restricts the built-in subscriptions to this application server key (RFC 8292). */
  vapidKey?: string;
  /** A durable store: a directory or a `redis://HOST:PORT[/DB]` URL (Lab's `store`). */
  store?: string;
  /** This service's name among several sharing one Redis store (Lab's `instance`). */
  instance?: string;
  /** A provider quirk overlay over the rfc8030 profile (engine/push/quirks). */
  quirks?: QuirkName;
  /** Faults on the built-in user agents' link (`Lab`'s `userAgentFaults`). */
  userAgentFaults?: readonly unknown[];
  /** Told every event, from the first. */
  listener?: (event: LabEvent) => void;
  /**
   * Worker threads that decrypt what the built-in user agents receive (0 or absent: on the
   * event loop), at most DECRYPT_WORKERS_MAX (`push-lab serve --decrypt-workers N`; opt-in:
   * on a loaded 2-core machine it halved the loop's CPU a message but not the rate, and a
   * lagging worker let the per-subscription queue fill — bench/RESULTS.md, bench:serve).
   */
  decryptWorkers?: number;
}

/** How the caller spells an option in its errors: `--vapid-key` for the CLI, `vapidKey` for code. */
export type OptionName = (
  field: 'subscriptions' | 'profile' | 'store' | 'vapidKey' | 'quirks' | 'instance',
) => string;

/** An instance name: what its ids start with (`a.s1`), so letters, digits, - and _ only. */
const INSTANCE_NAME = /^[A-Za-z0-9_-]{1,32}$/;

/** serve's rules between options, told in the caller's own option names. */
export function checkServeOptions(
  options: Pick<
    ServeLabOptions,
    'profile' | 'subscriptions' | 'store' | 'vapidKey' | 'quirks' | 'instance'
  >,
  name: OptionName,
): void {
  if (options.instance !== undefined) {
    if (!INSTANCE_NAME.test(options.instance)) {
      throw new ServeError(
        SERVE_ERROR_CODES.BAD_OPTION,
        'instance',
        `${name('instance')}: got "${options.instance}"; allowed 1 to 32 letters, digits, - or _`,
      );
    }
    const location = options.store === undefined ? null : storeLocation(options.store);
    if (location === null || !('redis' in location)) {
      throw new ServeError(
        SERVE_ERROR_CODES.BAD_OPTION,
        'instance',
        `${name('instance')} ${options.instance}: several instances share a Redis store; allowed only with ${name('store')} redis://HOST:PORT[/DB]`,
      );
    }
  }
  if (options.vapidKey !== undefined && !clientProfile(options.profile).vapid) {
    throw new ServeError(
      SERVE_ERROR_CODES.BAD_OPTION,
      'vapidKey',
      `${name('vapidKey')}: ${name('profile')} ${options.profile} predates VAPID (RFC 8292); allowed with rfc8030`,
    );
  }
  if (options.store !== undefined) {
    const location = storeLocation(options.store);
    if ('error' in location)
      throw new ServeError(
        SERVE_ERROR_CODES.BAD_OPTION,
        'store',
        `${name('store')} ${location.error}`,
      );
  }
  if (options.store !== undefined && !PROFILE_REGISTRY[options.profile].durable) {
    const durable = PROFILES.filter((profile) => PROFILE_REGISTRY[profile].durable);
    throw new ServeError(
      SERVE_ERROR_CODES.BAD_OPTION,
      'store',
      `${name('store')} ${options.store}: a durable store works with ${name('profile')} ${durable.join(', ')} only (got ${options.profile})`,
    );
  }
  if (options.quirks !== undefined && !PROFILE_REGISTRY[options.profile].quirks) {
    const takers = PROFILES.filter((profile) => PROFILE_REGISTRY[profile].quirks);
    throw new ServeError(
      SERVE_ERROR_CODES.BAD_OPTION,
      'quirks',
      `${name('quirks')} ${options.quirks}: provider quirks apply over ${name('profile')} ${takers.join(', ')} only (got ${options.profile})`,
    );
  }
  if (options.vapidKey !== undefined) checkVapidKey(options.vapidKey, name('vapidKey'));
}

function checkVapidKey(key: string, field: string): void {
  const parsed = parseVapidPublicKey(key);
  if (!parsed.ok) {
    throw new ServeError(
      SERVE_ERROR_CODES.BAD_OPTION,
      field,
      `${field}: ${parsed.reason}; allowed the application server's public key, a base64url 65-octet uncompressed P-256 point`,
    );
  }
}

export interface ReceivedRecord extends MessageRecord {
  /** Order of reception in this service, from 1 (not reset by `reset`). */
  seq: number;
  /** Wall-clock time of reception (ISO 8601). */
  receivedAt: string;
  /** The built-in user agent that received it. */
  agent: string;
}

export interface SubscriptionView {
  id: string | null;
  state: 'active' | 'expired' | 'unsubscribed';
  agent: string;
  /** The key its senders must sign with (RFC 8292), or null when unrestricted. */
  applicationServerKey: string | null;
  subscription: PushSubscriptionJson;
}

export interface Held {
  message: string;
  subscription: string;
  agent: string;
  urgency: Urgency;
  /** The lowest urgency the user agent wants now. */
  wants: Urgency;
}

interface Built {
  agent: UserAgent;
  sub: UaSubscription;
  applicationServerKey: string | null;
}

interface Waiter {
  endpoint: string | null;
  resolve: (record: ReceivedRecord | null) => void;
  timer: Timer;
}

export class ServeLab {
  readonly lab: Lab;
  private readonly built: Built[] = [];
  private readonly gone = new Map<string, 'expired' | 'unsubscribed'>();
  private inbox: ReceivedRecord[] = [];
  private readonly taken = new WeakSet<ReceivedRecord>();
  private droppedCount = 0;
  private seq = 0;
  private added = 0;
  private readonly waiters = new Set<Waiter>();
  private readonly messageListeners = new Set<
    (message: ReceivedMessage, record: ReceivedRecord) => void
  >();

  /** The decryption workers, when asked for (closed on stop). */
  readonly decryptPool: DecryptPool | null;

  constructor(private readonly options: ServeLabOptions) {
    const workers = options.decryptWorkers ?? 0;
    if (!Number.isInteger(workers) || workers < 0 || workers > DECRYPT_WORKERS_MAX) {
      throw new ServeError(
        SERVE_ERROR_CODES.BAD_OPTION,
        'decryptWorkers',
        `decryptWorkers: got ${workers}; allowed a whole number from 0 to ${DECRYPT_WORKERS_MAX}`,
      );
    }
    // Serve runs on the wall clock only, so the pool's order of completion touches no run.
    this.decryptPool = workers > 0 ? DecryptPool.create(workers) : null;
    this.lab = new Lab({
      host: options.host,
      port: options.port,
      profile: options.profile,
      tls: options.tls,
      ...(options.tls ? { caCert: options.tls.cert } : {}),
      limits: options.limits,
      userAgentCount: options.subscriptions > 0 ? 1 : 0,
      subscriptionsPerAgent: options.subscriptions,
      power: options.power,
      ...(options.urgencyMin !== undefined ? { urgencyMin: options.urgencyMin } : {}),
      ...(options.vapidKey !== undefined ? { vapidKey: options.vapidKey } : {}),
      ...(options.store !== undefined ? { store: options.store } : {}),
      ...(options.instance !== undefined ? { instance: options.instance } : {}),
      ...(options.quirks !== undefined ? { quirks: options.quirks } : {}),
      ...(options.userAgentFaults ? { userAgentFaults: options.userAgentFaults } : {}),
      ...(this.decryptPool ? { decryptor: this.decryptPool } : {}),
      listener: (event) => {
        if (event.kind === 'subscription.deleted' && this.byId(event.subscriptionId))
          this.gone.set(event.subscriptionId, event.reason);
        options.listener?.(event);
      },
    });
    this.lab.onMessage((agent, message) => this.received(agent, message));
    if (this.decryptPool) {
      const serviceId = this.lab.service.id;
      this.decryptPool.onFull = (limit) =>
        this.lab.bus.emit({
          kind: 'limit.reached',
          what: 'decrypt-pending',
          subjectId: serviceId,
          limit,
        });
    }
  }

  async start(): Promise<void> {
    // Workers loaded before the first message: one still loading would delay every ack.
    await Promise.all([this.lab.start(), this.decryptPool?.ready()]);
    // A durable service brings back what a harness added before a restart too: each keeps
    // the key it was restricted to (the service's record of it), and counts as added.
    for (const agent of this.lab.userAgents)
      for (const sub of agent.subscriptions)
        this.built.push({ agent, sub, applicationServerKey: this.restriction(sub) });
    this.added = Math.max(0, this.built.length - this.options.subscriptions);
  }

  async stop(): Promise<void> {
    for (const waiter of this.waiters) this.endWait(waiter, null);
    try {
      await this.lab.stop();
    } finally {
      await this.decryptPool?.close();
    }
  }

  get url(): string {
    return this.lab.service.url;
  }

  get subscribeUrl(): string {
    return this.lab.service.subscribeUrl;
  }

  get profile(): Profile {
    return this.lab.service.profileName;
  }

  /** Waits for the next message open now. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Every built-in subscription, in the order they were made, gone ones included. */
  subscriptions(): SubscriptionView[] {
    return this.built.map((built) => this.view(built));
  }

  /** Each message a built-in user agent receives (decrypted), after it is kept. */
  onMessage(listener: (message: ReceivedMessage, record: ReceivedRecord) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /** The kept messages, oldest first (one subscription's, given its id or endpoint). */
  messages(subscription?: string): {
    messages: ReceivedRecord[];
    dropped: number;
    keptMax: number;
  } {
    const endpoint = subscription === undefined ? null : this.find(subscription).sub.pushUrl;
    return {
      messages: this.inbox.filter((record) => endpoint === null || record.endpoint === endpoint),
      dropped: this.droppedCount,
      keptMax: RECEIVED_MESSAGES_KEPT_MAX,
    };
  }

  /**
   * The oldest kept message no earlier call returned (one subscription's, if given), or the
   * next to arrive within `timeoutMs`; null when none came. Each message is returned once,
   * so a test that sends and then asks gets it even if it arrived before the ask.
   */
  nextMessage(
    options: { subscription?: string; timeoutMs: number; signal?: AbortSignal } = {
      timeoutMs: 0,
    },
  ): Promise<ReceivedRecord | null> {
    const endpoint =
      options.subscription === undefined ? null : this.find(options.subscription).sub.pushUrl;
    if (!(options.timeoutMs >= 0 && options.timeoutMs <= NEXT_MESSAGE_WAIT_MAX_MS)) {
      throw new ServeError(
        SERVE_ERROR_CODES.BAD_OPTION,
        'timeoutMs',
        `timeoutMs: got ${options.timeoutMs}; allowed 0 to ${NEXT_MESSAGE_WAIT_MAX_MS} (NEXT_MESSAGE_WAIT_MAX_MS)`,
      );
    }
    const ready = this.inbox.find((record) => this.takes(endpoint, record));
    if (ready) {
      this.taken.add(ready);
      return Promise.resolve(ready);
    }
    if (options.timeoutMs === 0 || options.signal?.aborted) return Promise.resolve(null);
    if (this.waiters.size >= NEXT_MESSAGE_WAITERS_MAX) {
      throw new ServeError(
        SERVE_ERROR_CODES.LIMIT,
        null,
        `${NEXT_MESSAGE_WAITERS_MAX} waits for the next message are open already (NEXT_MESSAGE_WAITERS_MAX); wait for one to end`,
      );
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        endpoint,
        resolve,
        timer: this.lab.clock.schedule(options.timeoutMs, () => this.endWait(waiter, null)),
      };
      this.waiters.add(waiter);
      // A caller that gives up (an HTTP client gone) must not take a message from the next one.
      options.signal?.addEventListener('abort', () => this.endWait(waiter, null), { once: true });
    });
  }

  /** A new subscription on the built-in user agent, restricted to a key if given (or serve's). */
  async subscribe(
    options: { applicationServerKey?: string | null } = {},
  ): Promise<SubscriptionView> {
    if (options.applicationServerKey && !clientProfile(this.profile).vapid) {
      throw new ServeError(
        SERVE_ERROR_CODES.NOT_AVAILABLE,
        null,
        `subscribe: applicationServerKey needs VAPID (RFC 8292), which ${this.profile} predates; allowed with rfc8030`,
      );
    }
    if (this.added >= HARNESS_SUBSCRIPTIONS_MAX) {
      throw new ServeError(
        SERVE_ERROR_CODES.LIMIT,
        null,
        `subscribe: ${HARNESS_SUBSCRIPTIONS_MAX} subscriptions added already (HARNESS_SUBSCRIPTIONS_MAX)`,
      );
    }
    const key =
      options.applicationServerKey === undefined
        ? (this.options.vapidKey ?? null)
        : options.applicationServerKey;
    if (key !== null) checkVapidKey(key, 'applicationServerKey');
    this.added++;
    const agent = this.lab.userAgents[0] ?? (await this.lab.addUserAgent());
    const sub = await this.lab.subscribe(agent, key);
    const built: Built = { agent, sub, applicationServerKey: key };
    this.built.push(built);
    return this.view(built);
  }

  /**
   * The service expires the subscription (RFC 8030 §7.3): its monitor ends, what it held is
   * dropped (receipts 410), and its senders get the profile's answer for a gone resource.
   */
  expire(subscription: string): SubscriptionView {
    const built = this.find(subscription);
    const sub = this.coreSubscription(built);
    if (!sub) throw this.goneError(built);
    this.lab.service.core.deleteSubscription(sub, 'expired');
    return this.view(built);
  }

  /** The built-in user agent unsubscribes (its DELETE, over its own HTTP/2 connection). */
  async unsubscribe(subscription: string): Promise<SubscriptionView> {
    const built = this.find(subscription);
    if (this.view(built).state !== 'active') throw this.goneError(built);
    const status = await built.agent.unsubscribe(built.sub);
    // Its private key leaves the store's shelf too.
    await this.lab.keepAgents();
    if (status === 404) throw this.goneError(built);
    return this.view(built);
  }

  /** Forgets every received message and drops what the built-in subscriptions hold queued. */
  reset(): { forgotten: number; dropped: number } {
    const forgotten = this.inbox.length;
    this.inbox = [];
    this.droppedCount = 0;
    let dropped = 0;
    for (const built of this.built) {
      const sub = this.coreSubscription(built);
      if (sub) dropped += this.lab.service.core.dropQueued(sub, 'reset');
    }
    return { forgotten, dropped };
  }

  /**
   * A message a built-in user agent's urgency filter keeps in the queue (it is accepted, and
   * pushed only if the filter changes before its TTL runs out). The decision is the core's
   * (`wants`); this only names it, so a sender does not see a 201 and then nothing.
   */
  heldBack(event: LabEvent): Held | null {
    if (event.kind !== 'message.accepted') return null;
    for (const ua of this.lab.userAgents) {
      if (!ua.subscriptions.some((sub) => sub.id === event.subscriptionId)) continue;
      if (wants(ua.urgencyMin, event.urgency)) return null;
      return {
        message: event.messageId,
        subscription: event.subscriptionId,
        agent: ua.id,
        urgency: event.urgency,
        wants: ua.urgencyMin,
      };
    }
    return null;
  }

  private received(agent: UserAgent, message: ReceivedMessage): void {
    const record: ReceivedRecord = {
      ...messageRecord(message),
      seq: ++this.seq,
      receivedAt: new Date(this.lab.clock.now()).toISOString(),
      agent: agent.id,
    };
    this.inbox.push(record);
    if (this.inbox.length > RECEIVED_MESSAGES_KEPT_MAX) {
      this.inbox.shift();
      this.droppedCount++;
    }
    for (const waiter of this.waiters) {
      if (!this.takes(waiter.endpoint, record)) continue;
      this.taken.add(record);
      this.endWait(waiter, record);
      break;
    }
    for (const listener of this.messageListeners) listener(message, record);
  }

  private takes(endpoint: string | null, record: ReceivedRecord): boolean {
    return !this.taken.has(record) && (endpoint === null || record.endpoint === endpoint);
  }

  private endWait(waiter: Waiter, record: ReceivedRecord | null): void {
    if (!this.waiters.delete(waiter)) return;
    waiter.timer.cancel();
    waiter.resolve(record);
  }

  /** The application server key the service holds a subscription to (RFC 8292), if any. */
  private restriction(sub: UaSubscription): string | null {
    const id = this.lab.service.identifySubscription(sub.pushUrl);
    return (id === null ? undefined : this.lab.service.core.byId(id))?.vapidKey ?? null;
  }

  /** The service's side of a built-in subscription, while it exists. */
  private coreSubscription(built: Built) {
    const id = this.lab.service.identifySubscription(built.sub.pushUrl);
    return id === null ? undefined : this.lab.service.core.byId(id);
  }

  private byId(id: string): Built | undefined {
    return this.built.find((built) => this.idOf(built) === id);
  }

  private idOf(built: Built): string | null {
    built.sub.id ??= this.lab.service.identifySubscription(built.sub.pushUrl);
    return built.sub.id;
  }

  /** A built-in subscription by its id or its endpoint. */
  private find(ref: string): Built {
    const built = this.byId(ref) ?? this.built.find((b) => b.sub.pushUrl === ref);
    if (built) return built;
    const known = this.built.map((b) => this.idOf(b)).filter((id) => id !== null);
    throw new ServeError(
      SERVE_ERROR_CODES.NOT_FOUND,
      'subscription',
      `subscription: got "${ref.slice(0, 200)}"; allowed the id or endpoint of a built-in subscription (${known.length > 0 ? known.slice(0, 20).join(', ') : 'there are none'})`,
    );
  }

  private view(built: Built): SubscriptionView {
    const id = this.idOf(built);
    return {
      id,
      state: (id !== null && this.gone.get(id)) || 'active',
      agent: built.agent.id,
      applicationServerKey: built.applicationServerKey,
      subscription: pushSubscription(built.sub),
    };
  }

  private goneError(built: Built): ServeError {
    const id = this.idOf(built) ?? built.sub.pushUrl;
    return new ServeError(
      SERVE_ERROR_CODES.GONE,
      'subscription',
      `subscription ${id}: already ${this.view(built).state === 'active' ? 'gone' : this.view(built).state}`,
    );
  }
}
