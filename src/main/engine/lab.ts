/**
 * The Lab: one object that starts and stops a push service and its simulated agents, takes
 * commands, and exposes the event stream. Hosts (IPC, WebSocket) and the CLI use only this.
 */
import type { Command, LabInfo, SendOutcome } from '../../shared/commands';
import type { LabEvent, Profile, Urgency } from '../../shared/events';
import type { LabModel } from '../../shared/model';
import { fail, ok, type Result } from '../../shared/result';
import { AppServer, encode } from './agents/app-server';
import {
  UserAgent,
  type PowerState,
  type ReceivedMessage,
  type UaSubscription,
} from './agents/user-agent';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';

export type MessageListener = (agent: UserAgent, message: ReceivedMessage) => void;
import type { Clock } from './clock/clock';
import { RealClock } from './clock/real';
import type { PayloadDecryptor } from './crypto';
import { describeError } from './errors';
import { Link } from './net/link';
import { PushService } from './push/service';
import type { QuirkName } from './push/quirks';
import {
  agentSubscriptionsJson,
  parseAgentSubscriptions,
  type AgentShelf,
} from './push/store/agents';
import { storeLocation } from './push/store/location';
import { openStore } from './push/store/open';
import type { ServiceLimits } from './push/types';
import { Rng } from './rng/rng';
import { EventBus } from './trace/bus';
import { Recorder } from './trace/recorder';
import { VERSION } from './version';

/**
 * A bare lab (`serve`, tests) runs for as long as it is left running and nothing travels
 * back in it: its recorder keeps the model, verdicts and report, and no event history.
 */
export const BARE_LAB_TIMELINE_EVENTS = 0;

/** The lab's push service, and the name of its state in a store. */
export const LAB_SERVICE_ID = 'ps1';
/**
 * Built-in user agents a restart brings back from the store's shelf at most (serve and the
 * sandbox run one or a few; a damaged shelf naming `ua1000000` must not start a million).
 */
export const USER_AGENTS_RESTORED_MAX = 64;
/** Built-in user agents are `ua1`, `ua2`, … in the order they were made. */
const USER_AGENT_PREFIX = 'ua';

/** The n of a built-in user agent's id `ua<n>`; null for any other id. */
function agentNumber(agentId: string): number | null {
  if (!agentId.startsWith(USER_AGENT_PREFIX)) return null;
  const digits = agentId.slice(USER_AGENT_PREFIX.length);
  return /^[1-9]\d{0,5}$/.test(digits) ? Number(digits) : null;
}

export interface LabOptions {
  profile?: Profile;
  /** Interface the push service listens on (default 127.0.0.1). */
  host?: string;
  /** Push service port; 0 (default) picks a free one. */
  port?: number;
  tls?: { key: string; cert: string } | null;
  limits?: Partial<ServiceLimits>;
  /** A provider quirk overlay over the rfc8030 profile (`push/quirks/`). */
  quirks?: QuirkName;
  /** Simulated user agents started (default 1). */
  userAgentCount?: number;
  /** Subscriptions each user agent creates at start (default 1). */
  subscriptionsPerAgent?: number;
  /**
   * The built-in user agents' power state; their urgency filter follows it (RFC 8030 §5.3,
   * `urgencyFor`). Default: the user agent's own (`DEFAULT_BEHAVIOUR.power`).
   */
  power?: PowerState;
  /** The built-in user agents' urgency filter set by hand, whatever their power state. */
  urgencyMin?: Urgency;
  /** Restricts the built-in user agents' subscriptions to this application server key (RFC 8292). */
  vapidKey?: string;
  /**
   * Faults on one link between the built-in user agents and the service (net/link.ts specs).
   * Given (even empty), the agents reach the service through that link, in memory, and
   * `userAgentLink` changes its faults live; without it they connect over TCP.
   */
  userAgentFaults?: readonly unknown[];
  /**
   * Decrypts the built-in user agents' aes128gcm payloads off the event loop (serve's worker
   * pool). Wall clock only: a lab on a virtual clock is given none, so its runs stay exact.
   */
  decryptor?: PayloadDecryptor;
  /** A CA certificate the lab's agents trust (the service's own, in TLS mode). */
  caCert?: string;
  clock?: Clock;
  seed?: number | string;
  /**
   * The push service's durable store: a directory (push/store/wal.ts) or a
   * `redis://HOST:PORT[/DB]` URL (push/store/redis.ts); without it the service keeps its
   * state in memory only. The lab's user agents keep their subscriptions (and keys) there
   * too, and take them back after a restart.
   */
  store?: string;
  /**
   * This service's name among several sharing one Redis store (its ids start with it);
   * without it the service is `ps1`, alone on its store.
   */
  instance?: string;
  /**
   * Told every event, from the first: it is subscribed before the lab builds its agents
   * (the application server announces itself in its constructor, seq 1), which `onEvent`
   * after construction would miss.
   */
  listener?: (event: LabEvent) => void;
  /**
   * What records the lab's events (its snapshot and report come from it): a show's own,
   * when the lab runs inside one. Default: a recorder of its own that keeps no history.
   */
  recorder?: Recorder;
}

export class Lab {
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly service: PushService;
  readonly userAgents: UserAgent[] = [];
  readonly appServer: AppServer;
  readonly recorder: Recorder;
  /** The built-in user agents' link, when `userAgentFaults` asked for one. */
  readonly userAgentLink: Link | null = null;
  private started = false;
  /** Where the built-in user agents' subscriptions are kept, once the store is open. */
  private agentShelf: AgentShelf | null = null;
  /** The shelf write in progress (keepAgents chains the next after it). */
  private shelfWrites: Promise<void> = Promise.resolve();
  private readonly messageListeners = new Set<MessageListener>();

  constructor(private readonly options: LabOptions = {}) {
    this.clock = options.clock ?? new RealClock();
    this.rng = new Rng(options.seed ?? 1);
    this.bus = new EventBus(this.clock);
    this.recorder =
      options.recorder ??
      new Recorder({
        // A lab driven by hand has no seed unless it was given one.
        meta: {
          scenario: null,
          seed: options.seed ?? null,
          clockMode: this.clock.kind,
          pushLabVersion: VERSION,
        },
        timeline: { eventsMax: BARE_LAB_TIMELINE_EVENTS },
      });
    // Both before anything is built: the application server announces itself (seq 1) below.
    // Separate listeners: the bus keeps a failing one from stopping the other.
    this.bus.subscribe(this.recorder.record);
    if (options.listener) this.bus.subscribe(options.listener);
    this.service = new PushService(
      {
        serviceId: options.instance ?? LAB_SERVICE_ID,
        profile: options.profile ?? 'rfc8030',
        host: options.host ?? '127.0.0.1',
        port: options.port ?? 0,
        tls: options.tls ?? null,
        limits: options.limits ?? {},
        ...(options.quirks ? { quirks: options.quirks } : {}),
        // Frees connections node:http2 leaves open after a GOAWAY (see PushServiceOptions).
        sessionPingIntervalMs: 60_000,
        ...(options.store ? { store: () => this.openStore(options.store!) } : {}),
      },
      this.clock,
      this.bus,
    );
    if (options.userAgentFaults) {
      this.userAgentLink = new Link(
        { id: 'user-agents', faults: options.userAgentFaults },
        this.clock,
        this.rng.fork('user-agents-link'),
      );
    }
    this.appServer = new AppServer(
      {
        id: 'as1',
        ...(options.caCert ? { tls: { ca: options.caCert } } : {}),
        identify: (p) => this.service.identify(p),
      },
      this.clock,
      this.bus,
    );
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.service.start();
    const shelf = this.agentShelf;
    const kept = shelf ? parseAgentSubscriptions(await shelf.read(), this.service.url) : null;
    const configured = this.options.userAgentCount ?? 1;
    // Every subscription the durable service still holds comes back, to whichever agent made
    // it — also agents a harness added after start (serve's control API): a subscription
    // left without its agent would take messages nobody ever decrypts or acknowledges.
    const again = new Map<string, UaSubscription[]>();
    let count = configured;
    for (const [agentId, subs] of kept ?? []) {
      const live = subs
        .map((sub) => ({ ...sub, id: this.service.identifySubscription(sub.pushUrl) }))
        .filter((sub) => sub.id !== null);
      const n = agentNumber(agentId);
      if (live.length === 0 || n === null || n > USER_AGENTS_RESTORED_MAX) continue;
      again.set(agentId, live);
      count = Math.max(count, n);
    }
    for (let i = 1; i <= count; i++) {
      const ua = this.makeUserAgent();
      const wanted = i <= configured ? (this.options.subscriptionsPerAgent ?? 1) : 0;
      const back = again.get(ua.id) ?? [];
      await ua.start(back.length === 0 ? wanted : 0);
      for (const sub of back) ua.adopt(sub);
      for (let j = back.length; j < wanted && back.length > 0; j++) await ua.subscribe();
    }
    await this.keepAgents();
  }

  /**
   * A new subscription on one of the built-in user agents (restricted to `vapidKey` if given,
   * else to the lab's), kept on the store's shelf before it resolves: on a durable service a
   * subscription a harness was handed survives a restart with the keys that decrypt it.
   */
  async subscribe(ua: UserAgent, vapidKey?: string | null): Promise<UaSubscription> {
    const sub = await (vapidKey === undefined ? ua.subscribe() : ua.subscribe(vapidKey));
    await this.keepAgents();
    return sub;
  }

  /**
   * Writes the built-in user agents' subscriptions to the store's shelf (nothing without a
   * store); resolves once this call's state is written. Writes go one after another, each
   * of the state at its start, so the last one written is the newest.
   */
  keepAgents(): Promise<void> {
    const shelf = this.agentShelf;
    if (!shelf) return Promise.resolve();
    const write = this.shelfWrites.then(() => shelf.write(agentSubscriptionsJson(this.userAgents)));
    // A failed write fails its caller; the next one still runs.
    this.shelfWrites = write.catch(() => {});
    return write;
  }

  private async openStore(value: string) {
    const location = storeLocation(value);
    // serve and the sandbox check the value first; a caller that did not learns here.
    if ('error' in location) throw new Error(`store: ${location.error}`);
    // Instances of one service share its keys; each names its own ids.
    const opened = await openStore(location, {
      serviceId: LAB_SERVICE_ID,
      clock: this.clock,
      ...(this.options.instance !== undefined ? { instance: this.options.instance } : {}),
    });
    this.agentShelf = opened.agents;
    return opened.store;
  }

  /**
   * Starts one more built-in user agent with no subscription (a test harness subscribing on a
   * lab that started with none). Call after start().
   */
  async addUserAgent(): Promise<UserAgent> {
    const ua = this.makeUserAgent();
    await ua.start(0);
    return ua;
  }

  private makeUserAgent(): UserAgent {
    const id = `${USER_AGENT_PREFIX}${this.userAgents.length + 1}`;
    const ua: UserAgent = new UserAgent(
      {
        agentId: id,
        serviceUrl: this.service.url,
        serviceId: this.service.id,
        profile: this.service.profileName,
        subscribePath: new URL(this.service.subscribeUrl).pathname,
        identify: (path) => this.service.identify(path),
        identifySubscription: (url) => this.service.identifySubscription(url),
        onMessage: (message) => {
          for (const listener of this.messageListeners) listener(ua, message);
        },
        ...(this.options.caCert ? { tls: { ca: this.options.caCert } } : {}),
        ...(this.options.power || this.options.urgencyMin
          ? {
              behaviour: {
                ...(this.options.power ? { power: this.options.power } : {}),
                ...(this.options.urgencyMin ? { urgencyMin: this.options.urgencyMin } : {}),
              },
            }
          : {}),
        ...(this.options.vapidKey ? { vapidKey: this.options.vapidKey } : {}),
        ...(this.userAgentLink ? { createConnection: () => this.throughLink() } : {}),
        ...(this.options.decryptor ? { decryptor: this.options.decryptor } : {}),
      },
      this.clock,
      this.bus,
      this.rng.fork(id),
    );
    this.userAgents.push(ua);
    return ua;
  }

  /**
   * A connection to the service through the user agents' link. The service's TLS server wraps
   * what it is handed (acceptConnection), so in TLS mode the agent speaks TLS over the link.
   */
  private throughLink(): Duplex {
    const socket = this.userAgentLink!.connectInMemory((server) =>
      this.service.acceptConnection(server),
    );
    if (!this.options.tls) return socket;
    return tlsConnect({
      socket,
      servername: 'localhost',
      ALPNProtocols: ['h2'],
      ...(this.options.caCert ? { ca: this.options.caCert } : {}),
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.userAgents.map((ua) => ua.stop()));
    await this.userAgentLink?.close();
    await this.appServer.stop();
    await this.service.stop();
  }

  /** Every message a lab user agent receives, decrypted (for `push-lab serve` to print). */
  onMessage(listener: MessageListener): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onEvent(listener: (event: LabEvent) => void): () => void {
    return this.bus.subscribe(listener);
  }

  snapshot(): LabModel {
    return this.recorder.snapshot();
  }

  info(): LabInfo {
    return {
      version: VERSION,
      services: [{ id: this.service.id, url: this.service.url, profile: this.service.profileName }],
    };
  }

  /** The lab's report so far, as HTML or JSON text. */
  reportText(format: 'html' | 'json', title = 'Push Lab — live lab'): string {
    return this.recorder.reportText(format, { title, endT: this.clock.now() });
  }

  /** Runs a validated command. Never throws: failures come back as `{ok: false}`. */
  async execute(command: Command): Promise<Result<unknown>> {
    try {
      switch (command.type) {
        case 'snapshot':
          return ok(this.snapshot());
        case 'info':
          return ok(this.info());
        case 'send':
          return await this.send(command);
        case 'report':
          return ok({ format: command.format, content: this.reportText(command.format) });
        case 'subscribe': {
          const ua = command.agentId
            ? this.userAgents.find((u) => u.id === command.agentId)
            : this.userAgents[0];
          if (!ua) return fail('ERR_NOT_FOUND', `agentId: no user agent "${command.agentId}"`);
          await this.subscribe(ua);
          const subs = [...this.snapshot().subscriptions.keys()];
          return ok({ subscriptionId: subs[subs.length - 1] ?? '' });
        }
        default:
          return fail('ERR_NOT_AVAILABLE', `${command.type}: not something the sandbox lab does`);
      }
    } catch (error) {
      const { code, message } = describeError(error);
      return fail(code, `${command.type}: ${message}`);
    }
  }

  private async send(command: Extract<Command, { type: 'send' }>): Promise<Result<SendOutcome>> {
    const sub = this.service.core.byId(command.subscriptionId);
    const held = this.userAgents
      .flatMap((ua) => ua.subscriptions)
      .find((s) => sub && s.pushUrl === this.service.pushUrl(sub.pushToken));
    if (!sub) {
      return fail(
        'ERR_NOT_FOUND',
        `subscriptionId: got "${command.subscriptionId}"; allowed the id of an active subscription`,
      );
    }
    const res = await this.appServer.send(this.service.pushUrl(sub.pushToken), {
      ttlSeconds: command.ttlSeconds,
      urgency: command.urgency,
      topic: command.topic,
      receipt: command.receipt,
      ...encode(held?.keys ?? null, command.text ?? 'Hello from Push Lab'),
    });
    const location = res.headers['location'];
    const messageId =
      typeof location === 'string'
        ? (this.service.identify(new URL(location).pathname)?.messageId ?? null)
        : null;
    let detail: string | null = null;
    if (res.status >= 400) {
      try {
        detail = String((JSON.parse(res.body.toString()) as { detail?: unknown }).detail ?? '');
      } catch {
        detail = res.body.toString().slice(0, 200);
      }
    }
    return ok({ status: res.status, messageId, detail });
  }
}
