/**
 * A fleet of virtual users in one process (one Artillery worker): Push Lab's real user agent
 * and application server, each VU behind its own Link with the script's faults, against one
 * RFC 8030 service that the lab does not run — reached as a scenario's external service is
 * (`ExternalService`: TCP through the link, TLS end to end for https). Time is one real
 * Clock, randomness one seeded Rng forked per VU.
 *
 * What the fleet holds across VUs: the pool of running VUs' subscriptions (`send {to: pool}`)
 * and the messages on their way, each owned by the VU that sent it, so whoever receives a
 * message settles its sender's count. Both are bounded.
 */
import type { Duplex } from 'node:stream';
import path from 'node:path';
import type { Clock } from '../clock/clock';
import { RealClock } from '../clock/real';
import { Link } from '../net/link';
import { Rng } from '../rng/rng';
import { EventBus } from '../trace/bus';
import { AppServer } from '../agents/app-server';
import { UserAgent, type ReceivedMessage, type UaSubscription } from '../agents/user-agent';
import { ExternalService } from '../scenario/external';
import type { Profile } from '../../../shared/events';
import { parseFleetConfig, parseFlow, type FleetConfig } from './parse';
import type { FleetStep } from './options';
import { FLEET_METRICS, type MetricsSink } from './metrics';
import { VirtualUser } from './virtual-user';
import { FLEET_ERROR_CODES, FleetError } from './errors';

/** Messages on their way at once in one process (each awaits its receipt or its sender's end). */
export const PENDING_MESSAGES_MAX = 1_000_000;
/** Subscriptions in the pool at once (one per running VU that subscribed). */
export const POOL_MAX = 1_000_000;
/** Distinct push-resource origins senders reach besides the target (a service may hand out another host). */
export const ORIGINS_MAX = 16;

/** A message on its way, owned by its sender. */
export interface Outstanding {
  sender: VirtualUser;
  /** The VU it is addressed to: it stays subscribed until this settles (or its wait ends). */
  receiver: VirtualUser;
  sentAtMs: number;
}

interface PoolEntry {
  vu: VirtualUser;
  sub: UaSubscription;
  /** Where it is in the pool (kept as entries move). */
  index: number;
}

export class Fleet {
  readonly clock: Clock;
  private readonly bus: EventBus;
  private readonly rng: Rng;
  private readonly service: ExternalService;
  /** Services for push-resource origins other than the target, made on first need. */
  private readonly origins = new Map<string, ExternalService>();
  private readonly pending = new Map<string, Outstanding>();
  private readonly pool: PoolEntry[] = [];
  /** Each VU's entries in the pool, so one leaves in O(its subscriptions), not O(pool). */
  private readonly poolEntries = new Map<VirtualUser, PoolEntry[]>();
  /** Each application server's VU, so its retries reach that VU's figures. */
  private readonly sendersById = new Map<string, VirtualUser>();
  private vuSeq = 0;

  private constructor(
    readonly config: FleetConfig,
    clock: Clock,
  ) {
    this.clock = clock;
    this.bus = new EventBus(clock);
    this.rng = new Rng(config.options.seed);
    this.service = this.serviceFor(config.target);
    this.bus.subscribe((event) => {
      if (event.kind === 'send.attempted' && event.retryInMs !== null)
        this.sendersById.get(event.agentId)?.sink.counter(FLEET_METRICS.retries, 1);
    });
  }

  /** Checks the script's target and options, reads the CA file; throws FleetError(BAD_SCRIPT). */
  static async start(target: unknown, options: unknown, clock: Clock = new RealClock()) {
    const parsed = parseFleetConfig(target, options);
    if (!parsed.ok) throw new FleetError(FLEET_ERROR_CODES.BAD_SCRIPT, parsed.message);
    const fleet = new Fleet(parsed.value, clock);
    try {
      await fleet.service.start();
    } catch (error) {
      throw new FleetError(
        FLEET_ERROR_CODES.BAD_SCRIPT,
        `config.engines.push-lab.ca: ${(error as Error).message}`,
      );
    }
    return fleet;
  }

  /** Checks a scenario's flow; throws FleetError(BAD_SCRIPT) naming the step. */
  static steps(flow: unknown, where = 'flow'): FleetStep[] {
    const parsed = parseFlow(flow, where);
    if (!parsed.ok) throw new FleetError(FLEET_ERROR_CODES.BAD_SCRIPT, parsed.message);
    return parsed.value;
  }

  /** Runs one virtual user's steps to the end, its figures into `sink`. */
  async run(steps: readonly FleetStep[], sink: MetricsSink): Promise<void> {
    const vu = new VirtualUser(this, `vu${++this.vuSeq}`, sink);
    try {
      await vu.run(steps);
    } finally {
      await vu.stop();
    }
  }

  /** A link between one VU and the service, with the script's faults. */
  link(id: string, rng: Rng): Link {
    return new Link({ id, faults: this.config.faults }, this.clock, rng.fork('link'));
  }

  /** A user agent whose connections go through `link`. */
  userAgent(
    id: string,
    link: Link,
    rng: Rng,
    onMessage: (message: ReceivedMessage) => void,
  ): UserAgent {
    const { options } = this.config;
    return new UserAgent(
      {
        agentId: id,
        serviceUrl: this.service.url,
        serviceId: this.service.id,
        subscribePath: new URL(this.service.subscribeUrl).pathname,
        profile: options.profile as Profile,
        createConnection: () => this.service.connect(link),
        behaviour: {
          ack: {
            policy: options.ack.policy,
            delayMs: options.ack.delayMs,
            crashProbability: options.ack.crashProbability,
          },
          requestTimeoutMs: options.requestTimeoutMs,
          ...(options.reconnect ? { reconnect: options.reconnect } : {}),
        },
        onMessage: (message) => {
          onMessage(message);
        },
      },
      this.clock,
      this.bus,
      rng.fork('ua'),
    );
  }

  /** An application server whose connections go through `link`; its retries count for `vu`. */
  appServer(id: string, link: Link, vu: VirtualUser): AppServer {
    const { options } = this.config;
    this.sendersById.set(id, vu);
    return new AppServer(
      {
        id,
        profile: options.profile as Profile,
        vapid: options.vapid,
        requestTimeoutMs: options.requestTimeoutMs,
        createConnection: (origin) => this.connect(origin, link),
      },
      this.clock,
      this.bus,
    );
  }

  /** Forgets an application server's VU (it stopped). */
  releaseSender(id: string): void {
    this.sendersById.delete(id);
  }

  forkRng(label: string): Rng {
    return this.rng.fork(label);
  }

  // ---- the pool of subscriptions -----------------------------------------------------------

  /** Offers a VU's subscription to other VUs' `send {to: pool}`; false at the bound. */
  offer(vu: VirtualUser, sub: UaSubscription): boolean {
    if (this.pool.length >= POOL_MAX) return false;
    const entry: PoolEntry = { vu, sub, index: this.pool.length };
    this.pool.push(entry);
    const entries = this.poolEntries.get(vu);
    if (entries) entries.push(entry);
    else this.poolEntries.set(vu, [entry]);
    return true;
  }

  /** Takes a VU's subscriptions out of the pool (it is ending). */
  withdraw(vu: VirtualUser): void {
    for (const entry of this.poolEntries.get(vu) ?? []) {
      const last = this.pool.pop()!;
      if (last !== entry) {
        last.index = entry.index;
        this.pool[entry.index] = last;
      }
    }
    this.poolEntries.delete(vu);
  }

  /** A subscription of a running VU and its VU, chosen by `rng`; null when the pool is empty. */
  pick(rng: Rng): { vu: VirtualUser; sub: UaSubscription } | null {
    return this.pool.length === 0 ? null : this.pool[rng.int(this.pool.length)]!;
  }

  // ---- messages on their way ---------------------------------------------------------------

  /** Records a message before it is sent (its push may arrive before the service's answer). */
  expect(messageId: string, outstanding: Outstanding): boolean {
    if (this.pending.size >= PENDING_MESSAGES_MAX) return false;
    this.pending.set(messageId, outstanding);
    outstanding.receiver.incoming += 1;
    return true;
  }

  /** The message's record, taken out: it arrived (or its sender gave up on it). */
  settle(messageId: string): Outstanding | null {
    const found = this.pending.get(messageId);
    if (!found) return null;
    this.pending.delete(messageId);
    found.receiver.incomingSettled();
    return found;
  }

  async close(): Promise<void> {
    await this.service.stop();
    for (const service of this.origins.values()) await service.stop();
    this.origins.clear();
  }

  // ---- connections -------------------------------------------------------------------------

  private serviceFor(url: string): ExternalService {
    const { options } = this.config;
    return new ExternalService(
      {
        id: `push-service-${this.origins.size}`,
        url,
        profile: options.profile as Profile,
        ...(options.ca !== undefined ? { ca: path.resolve(options.ca) } : {}),
        ...(options.insecure ? { insecure: true as const } : {}),
      },
      this.bus,
    );
  }

  /** A byte stream to `origin` through `link`: the target's, or another origin's (bounded). */
  private connect(origin: string, link: Link): Duplex {
    if (origin === this.service.url) return this.service.connect(link);
    let service = this.origins.get(origin);
    if (!service) {
      if (this.origins.size >= ORIGINS_MAX)
        throw new FleetError(
          FLEET_ERROR_CODES.BAD_SCRIPT,
          `push resources on more than ${ORIGINS_MAX} origins besides the target (${origin})`,
        );
      service = this.serviceFor(origin);
      this.origins.set(origin, service);
      // It trusts the target's CA once start() has read the file (asynchronously): a
      // connection made before that is checked against the system's CAs only.
      void service.start().catch(() => {});
    }
    return service.connect(link);
  }
}
