/**
 * A simulated user agent (a browser on a phone, or a field gateway's upstream side): one
 * HTTP/2 connection to a push service, subscriptions it monitors with held GETs (re-issued
 * whenever one ends), messages received as server pushes, decrypted (RFC 8291),
 * de-duplicated and acknowledged by policy. It reconnects with exponential backoff and
 * jitter, detects dead connections with PINGs, dozes on a schedule, and derives its urgency
 * filter from its power state as RFC 8030 §5.3's table describes.
 *
 * It speaks the profile it is given (`profile`, default RFC 8030); what differs between the
 * profiles — how to subscribe, what to monitor, how a push names its message, whether to
 * acknowledge, how a payload is wrapped — comes from `client-profiles.ts`.
 */
import { BoundedMap } from '../bounded-map';
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { AckPolicy, AgentRole, Profile, Urgency } from '../../../shared/events';
import type { Clock, Timer } from '../clock/clock';
import {
  createUaKeys,
  decryptAesgcm,
  decryptFromPush,
  type PayloadDecryptor,
  type UaKeys,
} from '../crypto';
import type { Rng } from '../rng/rng';
import type { EventBus } from '../trace/bus';
import {
  isMessagePush,
  type ClientProfile,
  type ClientRequest,
  type Decoded,
  type Registration,
} from '../push/profiles/client-common';
import { clientProfile } from '../push/profiles/registry';
import { AgentError, closeSession, connect, type H2Response, request } from './h2';
import type { AgentWitness } from './witness';

export interface UaSubscription {
  /** The lab's id for it, once known. */
  id: string | null;
  /** Private monitoring URL (Location of the subscribe response; the drafts: the one URI). */
  url: string;
  /** Public push resource to hand to application servers. */
  pushUrl: string;
  /** The subscription set the service put it in, if any. */
  setUrl: string | null;
  /** draft-thomson: the registration it was made through (what is monitored). */
  registrationUrl: string | null;
  /** RFC 8291 keys made for this subscription; `p256dh` and `auth` go to the application server. */
  keys: UaKeys;
}

export interface ReceivedMessage {
  subscription: UaSubscription;
  /** The promised `:path`: the message URI (draft-thomson: the subscription URI). */
  messagePath: string;
  /**
   * Names the message across redeliveries: its message path; for a profile whose pushes name
   * no message (draft-thomson, which never redelivers) unique per push.
   */
  messageKey: string;
  headers: IncomingHttpHeaders;
  /** Body as received (encrypted when the sender encrypted it). */
  body: Buffer;
  /** Decrypted payload, or the body itself when it was not encrypted; null if decryption failed. */
  plaintext: Buffer | null;
  duplicate: boolean;
  /** Lab id of the message, when the lab's observer knows it. */
  messageId: string | null;
}

export interface PowerState {
  /** Battery charge, 0 to 1. */
  battery: number;
  charging: boolean;
  wifi: boolean;
}

/** How a user agent behaves; every field has a default in `DEFAULT_BEHAVIOUR`. */
export interface UaBehaviour {
  ack: {
    policy: AckPolicy;
    /** For 'delayed': clock ms between receipt and DELETE. */
    delayMs: number;
    /** For 'crash': chance per message that the app dies before acking (connection dropped). */
    crashProbability: number;
  };
  reconnect: {
    initialMs: number;
    maxMs: number;
    /** Share of the delay randomised, 0 to 1. */ jitter: number;
  };
  /** HTTP/2 PING period (0 = none) and how long to wait for its answer before giving up. */
  keepalive: { intervalMs: number; timeoutMs: number };
  /** Bound on connecting and on each request. */
  requestTimeoutMs: number;
  /** Sleep and wake in turns (doze); null = always awake. */
  doze: { awakeMs: number; asleepMs: number } | null;
  power: PowerState;
  /** Battery below which only high-urgency messages are wanted. */
  lowBattery: number;
  /** The lowest urgency wanted, set by hand; absent, it follows `power` (`urgencyFor`). */
  urgencyMin?: Urgency;
  /** Monitor the subscription set with one GET instead of one GET per subscription. */
  monitorSet: boolean;
}

export const DEFAULT_BEHAVIOUR: UaBehaviour = {
  ack: { policy: 'immediate', delayMs: 1000, crashProbability: 0.3 },
  reconnect: { initialMs: 1000, maxMs: 60_000, jitter: 0.5 },
  keepalive: { intervalMs: 0, timeoutMs: 10_000 },
  requestTimeoutMs: 30_000,
  doze: null,
  power: { battery: 0.8, charging: false, wifi: false },
  lowBattery: 0.15,
  monitorSet: false,
};

/** RFC 8030 §5.3: the lowest urgency a device in this power state wants. */
export function urgencyFor(power: PowerState, lowBattery = DEFAULT_BEHAVIOUR.lowBattery): Urgency {
  if (power.charging && power.wifi) return 'very-low';
  if (power.charging || power.wifi) return 'low';
  if (power.battery < lowBattery) return 'high';
  return 'normal';
}

export interface UserAgentOptions {
  agentId: string;
  label?: string;
  role?: AgentRole;
  /** Base URL of the push service, e.g. http://127.0.0.1:8080 */
  serviceUrl: string;
  serviceId: string;
  /** Where to subscribe (draft-thomson: where to register, once, before subscribing). */
  subscribePath: string;
  /** The push service's protocol profile; default 'rfc8030'. */
  profile?: Profile;
  /** Extra TLS options (a CA for a self-signed service). */
  tls?: { ca?: string };
  /** Opens the byte stream to the service (through a simulated link); default: a TCP socket. */
  createConnection?: () => Duplex;
  behaviour?: Partial<UaBehaviour>;
  /**
   * Lab-side observer that names a message by its path, for labelling events only. Agents
   * never read engine state otherwise.
   */
  identify?: (messagePath: string) => { messageId: string; subscriptionId: string } | null;
  /** The same observer for a subscription, by its push resource URL. */
  identifySubscription?: (pushUrl: string) => string | null;
  /** Restricts every subscription it makes to this application server key (RFC 8292 §4). */
  vapidKey?: string;
  /**
   * For pushes that name no message (draft-thomson): the observer names the message last
   * pushed on the subscription with this body (PushService.identifyLatest). Events only.
   */
  identifyLatest?: (
    pushUrl: string,
    body: Buffer,
  ) => { messageId: string; subscriptionId: string } | null;
  /**
   * Called for each message received. Return false to take over acknowledgement (call
   * `ack(messagePath)` later, as a gateway does end to end); otherwise the ack policy applies.
   */
  onMessage?: (message: ReceivedMessage) => boolean | void;
  /**
   * Decrypts aes128gcm payloads off the event loop (serve's worker pool). Messages still reach
   * `onMessage`, events and acks in the order they arrived. Only on the wall clock: a virtual
   * world decrypts in-process so its runs stay deterministic.
   */
  decryptor?: PayloadDecryptor;
  /**
   * An external service's witness (scenario/witness.ts): told each subscription, push and
   * answered acknowledgement, it names them instead of the `identify*` observers.
   */
  witness?: AgentWitness;
}

/** Message paths remembered for de-duplication per agent. */
const SEEN_PATHS_MAX = 4096;
/** Characters of plaintext carried in events for display. */
const PREVIEW_CHARS_MAX = 120;

export class UserAgent {
  readonly subscriptions: UaSubscription[] = [];
  readonly behaviour: UaBehaviour;
  private readonly profile: ClientProfile;
  /** draft-thomson: the registration, made once (concurrent subscribes share it). */
  private registration: Promise<Registration> | null = null;
  /** Pushes that named no message so far (their keys). */
  private unnamedPushes = 0;
  private session: ClientHttp2Session | null = null;
  private connecting: Promise<void> | null = null;
  private readonly monitors = new Map<string, ClientHttp2Stream>();
  // Made on first need: a fleet's idle agents hold neither (every byte per agent counts).
  private seen: BoundedMap<string, true> | null = null;
  private timers: Set<Timer> | null = null;
  private stopped = false;
  private asleep = false;
  private failures = 0;
  private reconnectTimer: Timer | null = null;
  /** The last message still being decrypted off the loop: later ones wait for it (order). */
  private decrypting: Promise<void> | null = null;
  private power: PowerState;
  /** Connections opened so far (reported). */
  connectionsOpened = 0;

  constructor(
    private readonly options: UserAgentOptions,
    private readonly clock: Clock,
    private readonly bus: EventBus,
    private readonly rng: Rng,
  ) {
    this.behaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
    this.profile = clientProfile(options.profile);
    this.power = { ...this.behaviour.power };
    bus.emit({
      kind: 'agent.started',
      agentId: options.agentId,
      role: options.role ?? 'user-agent',
      label: options.label ?? options.agentId,
    });
    this.emitPower();
  }

  get id(): string {
    return this.options.agentId;
  }

  get connected(): boolean {
    return this.session !== null && !this.session.closed && !this.session.destroyed;
  }

  get urgencyMin(): Urgency {
    return this.behaviour.urgencyMin ?? urgencyFor(this.power, this.behaviour.lowBattery);
  }

  /** Connects, makes `subscriptionCount` subscriptions, and starts the doze cycle if any. */
  async start(subscriptionCount: number): Promise<void> {
    await this.connect();
    for (let i = 0; i < subscriptionCount; i++) await this.subscribe();
    const doze = this.behaviour.doze;
    if (doze) this.later(doze.awakeMs, () => this.sleep());
  }

  /** Opens the connection (once; concurrent callers share the attempt). */
  connect(): Promise<void> {
    if (this.connected) return Promise.resolve();
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /**
   * Creates a subscription (joining the set of the first one; draft-thomson: registering
   * first, once) and monitors it.
   */
  async subscribe(vapidKey = this.options.vapidKey ?? null): Promise<UaSubscription> {
    await this.connect();
    const session = this.requireSession();
    const step = this.profile.subscribe({
      serviceUrl: this.options.serviceUrl,
      subscribePath: this.options.subscribePath,
      setUrl: this.subscriptions.find((s) => s.setUrl)?.setUrl ?? null,
      registration: await this.register(session),
      vapidKey,
    });
    const answer = step.read(await this.call(session, step.request));
    const sub: UaSubscription = {
      id: this.options.witness
        ? this.options.witness.subscribed(this.id, answer.pushUrl)
        : (this.options.identifySubscription?.(answer.pushUrl) ?? null),
      url: answer.url,
      pushUrl: answer.pushUrl,
      setUrl: answer.setUrl,
      registrationUrl: answer.registrationUrl,
      keys: pooledKeys(createUaKeys()),
    };
    this.subscriptions.push(sub);
    this.monitorAll();
    return sub;
  }

  /**
   * Ends a subscription as a browser's `PushSubscription.unsubscribe()` does: a DELETE of its
   * subscription resource (RFC 8030 §7.3), then it is no longer monitored. Returns
   * the service's status (204, or 404 if it was already gone).
   */
  async unsubscribe(sub: UaSubscription): Promise<number> {
    await this.connect();
    const res = await this.call(this.requireSession(), {
      method: 'DELETE',
      path: new URL(sub.url).pathname,
      headers: {},
    });
    const index = this.subscriptions.indexOf(sub);
    if (index >= 0) this.subscriptions.splice(index, 1);
    this.monitors.get(sub.url)?.close();
    return res.status;
  }

  /**
   * Takes back a subscription made before a restart (a durable service kept it) and
   * monitors it; call after connect().
   */
  adopt(sub: UaSubscription): void {
    this.subscriptions.push(sub);
    this.monitorAll();
  }

  /** Changes the power state; a different urgency filter re-issues the monitoring GETs. */
  setPower(change: Partial<PowerState>): void {
    const before = this.urgencyMin;
    this.power = { ...this.power, ...change };
    this.emitPower();
    if (this.urgencyMin !== before && this.profile.urgencyFilter) {
      for (const stream of this.monitors.values()) stream.close();
      // The closes re-issue each GET (see monitor) with the new filter.
    }
  }

  /**
   * Acknowledges a message (DELETE of its resource); false if there was no connection. A
   * profile without acknowledgement (draft-thomson, where that DELETE would end the
   * subscription) sends nothing: true.
   */
  async ack(messagePath: string): Promise<boolean> {
    if (!this.profile.acks) return true;
    const session = this.session;
    if (!session || session.closed) return false;
    try {
      const res = await request(
        session,
        { ':method': 'DELETE', ':path': messagePath, 'user-agent': `push-lab/${this.id}` },
        undefined,
        { clock: this.clock, timeoutMs: this.behaviour.requestTimeoutMs },
      );
      if (res.status === 204) this.options.witness?.acked(messagePath);
      return res.status === 204 || res.status === 404;
    } catch {
      return false; // lost with the connection: the service delivers the message again
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers ?? []) timer.cancel();
    this.timers?.clear();
    this.reconnectTimer?.cancel();
    if (this.session) await closeSession(this.session, this.clock);
  }

  // ---- connection --------------------------------------------------------------------------

  private async open(): Promise<void> {
    const create = this.options.createConnection;
    const session = await connect(
      this.options.serviceUrl,
      {
        ...(this.options.tls ?? {}),
        // The link's opener itself (a closure per connect would stay with the session).
        ...(create ? { createConnection: create } : {}),
        settings: { enablePush: true, initialWindowSize: 1 << 20 },
      },
      { clock: this.clock, timeoutMs: this.behaviour.requestTimeoutMs },
    );
    if (this.stopped || this.asleep) {
      session.destroy();
      return;
    }
    // No session.setLocalWindowSize() here: with it, Node 20's http2 aborted natively
    // ("corrupted size vs. prev_size") under push load when acks share the session
    // (found by bench:push). The per-stream window from the settings is enough.
    session.on('stream', (pushed, requestHeaders) => this.onPush(pushed, requestHeaders));
    session.on('error', () => {});
    session.on('close', () => this.onClosed(session));
    this.session = session;
    this.failures = 0;
    this.connectionsOpened += 1;
    this.bus.emit({ kind: 'agent.connected', agentId: this.id, serviceId: this.options.serviceId });
    this.keepalive(session);
    this.monitorAll();
  }

  private onClosed(session: ClientHttp2Session): void {
    if (this.session !== session) return;
    this.session = null;
    this.monitors.clear();
    const reason = this.stopped ? 'stopped' : this.asleep ? 'asleep' : 'connection lost';
    this.bus.emit({
      kind: 'agent.disconnected',
      agentId: this.id,
      serviceId: this.options.serviceId,
      reason,
    });
    if (!this.stopped && !this.asleep) this.scheduleReconnect();
  }

  /** Exponential backoff with jitter from the lab's seeded Rng. */
  private scheduleReconnect(): void {
    if (this.reconnectTimer) return;
    const { initialMs, maxMs, jitter } = this.behaviour.reconnect;
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(this.failures, 20));
    const delayMs = base * (1 - jitter / 2 + jitter * this.rng.next());
    this.failures += 1;
    this.reconnectTimer = this.clock.schedule(delayMs, () => {
      this.reconnectTimer = null;
      if (this.stopped || this.asleep) return;
      this.connect().catch(() => this.scheduleReconnect());
    });
  }

  /** PINGs detect a connection that looks alive but is not (a NAT that forgot it). */
  private keepalive(session: ClientHttp2Session): void {
    const { intervalMs, timeoutMs } = this.behaviour.keepalive;
    if (intervalMs <= 0) return;
    const tick = (): void => {
      if (this.session !== session || session.destroyed) return;
      const deadline = this.clock.schedule(timeoutMs, () => session.destroy());
      try {
        session.ping((error) => {
          deadline.cancel();
          if (!error) this.later(intervalMs, tick);
        });
      } catch {
        deadline.cancel();
        session.destroy();
      }
    };
    this.later(intervalMs, tick);
  }

  private sleep(): void {
    const doze = this.behaviour.doze;
    if (!doze || this.stopped) return;
    this.asleep = true;
    this.bus.emit({ kind: 'agent.sleep', agentId: this.id });
    this.session?.close();
    this.session?.destroy();
    this.later(doze.asleepMs, () => this.wake());
  }

  private wake(): void {
    const doze = this.behaviour.doze;
    if (!doze || this.stopped) return;
    this.asleep = false;
    this.bus.emit({ kind: 'agent.wake', agentId: this.id });
    this.connect().catch(() => this.scheduleReconnect());
    this.later(doze.awakeMs, () => this.sleep());
  }

  private later(delayMs: number, fn: () => void): void {
    const timers = (this.timers ??= new Set());
    const timer = this.clock.schedule(delayMs, () => {
      timers.delete(timer);
      fn();
    });
    timers.add(timer);
  }

  private requireSession(): ClientHttp2Session {
    if (!this.session || this.session.closed)
      throw new AgentError('ERR_AGENT_NOT_CONNECTED', `${this.id}: not connected`);
    return this.session;
  }

  /** The profile's registration (draft-thomson), made on first need; null for the others. */
  private register(session: ClientHttp2Session): Promise<Registration | null> {
    const step = this.profile.register({
      serviceUrl: this.options.serviceUrl,
      subscribePath: this.options.subscribePath,
      setUrl: null,
      registration: null,
    });
    if (!step) return Promise.resolve(null);
    const pending = (this.registration ??= this.call(session, step.request).then(step.read));
    // A failed registration is tried again by the next subscribe.
    pending.catch(() => {
      if (this.registration === pending) this.registration = null;
    });
    return pending;
  }

  /** One bounded request of the profile's, with the lab's user-agent. */
  private call(session: ClientHttp2Session, req: ClientRequest): Promise<H2Response> {
    return request(
      session,
      {
        ':method': req.method,
        ':path': req.path,
        'user-agent': `push-lab/${this.id}`,
        ...req.headers,
      },
      req.body,
      { clock: this.clock, timeoutMs: this.behaviour.requestTimeoutMs },
    );
  }

  // ---- monitoring and messages ----------------------------------------------------------

  /**
   * The URLs to hold GETs on: the set once (if configured and known), else each subscription
   * (draft-thomson: the registration).
   */
  private monitorTargets(): string[] {
    return this.profile.monitorTargets({
      subscriptions: this.subscriptions,
      monitorSet: this.behaviour.monitorSet,
    });
  }

  private monitorAll(): void {
    for (const url of this.monitorTargets()) this.monitor(url);
  }

  private monitor(url: string): void {
    const session = this.session;
    if (!session || session.closed || this.stopped || this.asleep || this.monitors.has(url)) return;
    const urgency = this.urgencyMin;
    let stream: ClientHttp2Stream;
    try {
      stream = session.request({
        ':method': 'GET',
        ':path': new URL(url).pathname,
        'user-agent': `push-lab/${this.id}`,
        ...this.profile.monitorHeaders(urgency),
      });
    } catch {
      return;
    }
    this.monitors.set(url, stream);
    let status = 0;
    stream.on('response', (headers) => {
      status = Number(headers[':status'] ?? 0);
    });
    stream.on('error', () => {});
    stream.resume();
    stream.on('close', () => {
      if (this.monitors.get(url) === stream) this.monitors.delete(url);
      // 404: the subscription (set, registration) is gone; else keep monitoring (RFC 8030 §6).
      if (status !== 404 && this.session === session) this.later(0, () => this.monitor(url));
    });
  }

  private onPush(pushed: ClientHttp2Stream, requestHeaders: IncomingHttpHeaders): void {
    let responseHeaders: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    pushed.on('push', (headers) => {
      responseHeaders = headers;
    });
    pushed.on('data', (chunk: Buffer) => chunks.push(chunk));
    pushed.on('error', () => {});
    pushed.on('end', () => {
      const body = Buffer.concat(chunks);
      // A push cut off with its connection ends too, without its answer or with part of its
      // body: it was not received (the service offers it again, where the profile redelivers).
      if (pushed.aborted || !completePush(responseHeaders, body)) return;
      this.onMessage(requestHeaders, responseHeaders, body);
    });
  }

  private onMessage(
    requestHeaders: IncomingHttpHeaders,
    headers: IncomingHttpHeaders,
    body: Buffer,
  ): void {
    // Not a message: draft-thomson pushes a 404 for a subscription of the registration that died.
    if (!isMessagePush(headers)) return;
    const {
      promisedPath,
      messagePath,
      subscription: sub,
    } = this.profile.identifyPush(requestHeaders, headers, {
      serviceUrl: this.options.serviceUrl,
      subscriptions: this.subscriptions,
    });
    if (!sub) return;
    // Without a message path (draft-thomson) nothing is ever redelivered: no duplicates.
    const duplicate = messagePath !== null && (this.seen?.has(messagePath) ?? false);
    if (messagePath !== null) this.remember(messagePath);
    const messageKey = messagePath ?? `${promisedPath}#${++this.unnamedPushes}`;
    const decoding = this.options.decryptor
      ? decodeOff(this.options.decryptor, this.profile, sub, headers, body)
      : null;
    const deliver = (decoded: DecodeResult): void =>
      this.deliver(
        sub,
        headers,
        body,
        { promisedPath, messagePath, messageKey, duplicate },
        decoded,
      );
    if (decoding === null && this.decrypting === null) {
      deliver(decode(this.profile, sub, headers, body));
      return;
    }
    // Off the loop, or behind one that is: delivered after the message before it.
    const decoded = decoding ?? decode(this.profile, sub, headers, body);
    const previous = this.decrypting ?? Promise.resolve();
    const mine = Promise.all([previous, decoded]).then(([, result]) => {
      // A stopped agent takes nothing more in (unacknowledged, the service keeps it).
      if (!this.stopped) deliver(result);
    });
    this.decrypting = mine;
    void mine.finally(() => {
      if (this.decrypting === mine) this.decrypting = null;
    });
  }

  /** A received message, decrypted (or not), told to the witness, the bus, the owner; acked. */
  private deliver(
    sub: UaSubscription,
    headers: IncomingHttpHeaders,
    body: Buffer,
    at: {
      promisedPath: string;
      messagePath: string | null;
      messageKey: string;
      duplicate: boolean;
    },
    { plaintext, decryption, payload }: DecodeResult,
  ): void {
    const { promisedPath, messagePath, messageKey, duplicate } = at;
    const witness = this.options.witness;
    const known = witness
      ? witness.pushed({
          agentId: this.id,
          pushUrl: sub.pushUrl,
          messagePath,
          payload,
          urgencyMin: this.profile.urgencyFilter ? this.urgencyMin : 'very-low',
          acks: this.profile.acks,
        })
      : messagePath !== null
        ? (this.options.identify?.(messagePath) ?? null)
        : (this.options.identifyLatest?.(sub.pushUrl, body) ?? null);
    if (known) {
      sub.id ??= known.subscriptionId;
      this.bus.emit({
        kind: 'message.received',
        agentId: this.id,
        subscriptionId: known.subscriptionId,
        messageId: known.messageId,
        bytes: body.length,
        duplicate,
        decryption,
        preview: plaintext
          ? plaintext.toString('utf8', 0, PREVIEW_CHARS_MAX * 4).slice(0, PREVIEW_CHARS_MAX)
          : '',
      });
    }
    const handled = this.options.onMessage?.({
      subscription: sub,
      messagePath: promisedPath,
      messageKey,
      headers,
      body,
      plaintext,
      duplicate,
      messageId: known?.messageId ?? null,
    });
    if (handled === false) return;
    this.applyAckPolicy(promisedPath, known?.messageId ?? null);
  }

  private applyAckPolicy(messagePath: string, messageId: string | null): void {
    const { policy, delayMs, crashProbability } = this.behaviour.ack;
    if (!this.profile.acks) {
      // No acknowledgement exists (draft-thomson): the push was the delivery. An app that
      // dies while handling it still takes the connection down, and the message with it.
      if (policy === 'crash' && this.rng.chance(crashProbability)) this.session?.destroy();
      return;
    }
    if (messageId)
      this.bus.emit({ kind: 'message.acknowledging', agentId: this.id, messageId, policy });
    switch (policy) {
      case 'immediate':
        void this.ack(messagePath);
        return;
      case 'delayed':
        this.later(delayMs, () => void this.ack(messagePath));
        return;
      case 'never':
        return;
      case 'crash':
        // The app dies before it can acknowledge: the connection goes down with it.
        if (this.rng.chance(crashProbability)) this.session?.destroy();
        else void this.ack(messagePath);
        return;
    }
  }

  private remember(path: string): void {
    (this.seen ??= new BoundedMap(SEEN_PATHS_MAX)).set(path, true);
  }

  private emitPower(): void {
    this.bus.emit({
      kind: 'agent.power',
      agentId: this.id,
      ...this.power,
      urgencyMin: this.urgencyMin,
    });
  }
}

/**
 * The subscription's keys as views of one pooled allocation: three Buffers of their own would
 * each hold an ArrayBuffer and a native backing store, which a fleet of idle agents feels.
 */
function pooledKeys(keys: UaKeys): UaKeys {
  const all = Buffer.concat([keys.publicKey, keys.privateKey, keys.authSecret]);
  const privateAt = keys.publicKey.length;
  const authAt = privateAt + keys.privateKey.length;
  return {
    ...keys,
    publicKey: all.subarray(0, privateAt),
    privateKey: all.subarray(privateAt, authAt),
    authSecret: all.subarray(authAt),
  };
}

/** Did the whole pushed answer arrive: its status, and as many bytes as it announced? */
function completePush(headers: IncomingHttpHeaders, body: Buffer): boolean {
  if (headers[':status'] === undefined) return false;
  const length = headers['content-length'];
  return length === undefined || Number(length) === body.length;
}

interface DecodeResult {
  plaintext: Buffer | null;
  decryption: 'ok' | 'failed' | 'none';
  payload: Buffer;
}

/**
 * `decode` with an RFC 8291 payload handed to `decryptor`; null when there is nothing for it
 * (another coding, or it cannot take the body now): then `decode` runs here.
 */
function decodeOff(
  decryptor: PayloadDecryptor,
  profile: ClientProfile,
  sub: UaSubscription,
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<DecodeResult> | null {
  let decoded: Decoded;
  try {
    decoded = profile.decode(body, headers);
  } catch {
    return null;
  }
  if (decoded.encoding !== 'aes128gcm') return null;
  const { payload } = decoded;
  const { privateKey: uaPrivate, publicKey: uaPublic, authSecret } = sub.keys;
  const plaintext = decryptor.decrypt(payload, { uaPrivate, uaPublic, authSecret });
  return (
    plaintext?.then(
      (text): DecodeResult => ({ plaintext: text, decryption: 'ok', payload }),
      (): DecodeResult => ({ plaintext: null, decryption: 'failed', payload }),
    ) ?? null
  );
}

/**
 * Unwraps the payload as the profile wraps it (draft-damaggio: the JSON `message`), then
 * decrypts an `aes128gcm` or legacy `aesgcm` payload with the subscription's keys; other
 * payloads pass through.
 * A payload the profile cannot read counts as a failed decryption.
 */
function decode(
  profile: ClientProfile,
  sub: UaSubscription,
  headers: IncomingHttpHeaders,
  body: Buffer,
): DecodeResult {
  let decoded: Decoded;
  try {
    decoded = profile.decode(body, headers);
    if (decoded.encoding === null)
      return { plaintext: decoded.payload, decryption: 'none', payload: decoded.payload };
  } catch {
    return { plaintext: null, decryption: 'failed', payload: body };
  }
  try {
    return {
      plaintext: decryptPayload(decoded, sub.keys),
      decryption: 'ok',
      payload: decoded.payload,
    };
  } catch {
    return { plaintext: null, decryption: 'failed', payload: decoded.payload };
  }
}

/**
 * An encrypted payload (what `ClientProfile.decode` unwrapped: RFC 8291 `aes128gcm`, or the
 * legacy `aesgcm` with its header parameters) decrypted with a subscription's keys, as the
 * user agent reads it; throws when it cannot be. The workbench's inspector reads messages
 * through this and the profile's `decode`, so it shows what the agent reads.
 */
export function decryptPayload(decoded: Decoded, keys: UaKeys): Buffer {
  const ua = { uaPrivate: keys.privateKey, uaPublic: keys.publicKey, authSecret: keys.authSecret };
  if (decoded.encoding === 'aesgcm' && decoded.aesgcm) {
    return decryptAesgcm(decoded.payload, decoded.aesgcm, ua);
  }
  return decryptFromPush(decoded.payload, ua);
}
