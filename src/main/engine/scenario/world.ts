/**
 * A scenario brought to life: push services, one link per agent (instantiated from the
 * scenario's link templates, so each phone has its own bad day), user agents, gateways with
 * their devices, application servers with their planned traffic, and radios metering
 * energy. Everything draws time from one Clock and randomness from forks of one seeded Rng.
 */
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { LabEvent, LabEventBody, Profile } from '../../../shared/events';
import { AppServer, type OutgoingMessage } from '../agents/app-server';
import { Gateway } from '../agents/gateway';
import { planTraffic, type PlannedSend, type TrafficPattern } from '../agents/traffic';
import { UserAgent, type UaSubscription } from '../agents/user-agent';
import type { Clock, Timer } from '../clock/clock';
import { EnergyMeter, Radio, radioModel, type EnergyReport } from '../energy';
import { FactSampler, sampleIntervalMs } from '../energy/sampler';
import { Link } from '../net/link';
import { presetFaults } from '../net/presets';
import type { LinkCounters } from '../net/types';
import { PushService } from '../push/service';
import { seededTokens } from '../push/tokens';
import { Rng } from '../rng/rng';
import type { EventBus } from '../trace/bus';
import type { Scenario } from './schema';

interface Target {
  group: string;
  subscription: UaSubscription;
}

interface Sender {
  server: AppServer;
  plan: PlannedSend[];
  targets: Target[];
  concurrency: number;
  cursor: number;
  waiting: PlannedSend[];
  startMs: number;
}

export class World {
  readonly services = new Map<string, PushService>();
  readonly userAgents: UserAgent[] = [];
  readonly gateways: Gateway[] = [];
  /** One link instance per agent, made from the scenario's templates. */
  readonly links: Link[] = [];
  private readonly linkFor = new Map<string, Link>();
  readonly meter: EnergyMeter;
  /** Links' counters and radios' joules as events, on a fixed lab-time interval. */
  private readonly sampler: FactSampler;
  /** sha256 of the planned traffic and fault schedule: same scenario + seed → same hash. */
  readonly scheduleHash: string;
  private readonly senders: Sender[] = [];
  private readonly groups = new Map<string, (UserAgent | Gateway)[]>();
  private readonly timers = new Set<Timer>();
  private readonly rng: Rng;
  /** Grows whenever bytes cross a link (the virtual driver's sign of life). */
  bytesMoved = 0;

  constructor(
    private readonly scenario: Scenario,
    private readonly clock: Clock,
    private readonly bus: EventBus,
  ) {
    this.rng = new Rng(scenario.seed);
    this.meter = new EnergyMeter({ clock });
    this.sampler = new FactSampler({
      clock,
      bus,
      meter: this.meter,
      links: () => this.links,
      intervalMs: sampleIntervalMs(scenario.duration),
    });
    for (const spec of scenario.services) {
      this.services.set(
        spec.id,
        new PushService(
          {
            serviceId: spec.id,
            profile: spec.profile as Profile,
            host: '127.0.0.1',
            port: 0,
            tls: null,
            limits: spec.limits,
            // A closed world: agents reach it over in-memory links only, so its tokens can
            // come from the seed and a virtual run repeats byte for byte.
            listen: false,
            tokens: seededTokens(
              (
                (r) => () =>
                  r.nextUint32()
              )(this.rng.fork(`tokens:${spec.id}`)),
            ),
          },
          clock,
          bus,
        ),
      );
    }
    this.scheduleHash = this.planAll();
  }

  /** Starts services and agents (their subscriptions included); traffic starts with `go`. */
  async start(): Promise<void> {
    for (const service of this.services.values()) await service.start();
    const starting: Promise<void>[] = [];
    for (const group of this.scenario.userAgents) {
      const members: UserAgent[] = [];
      for (let i = 1; i <= group.count; i++) {
        const ua = this.makeUserAgent(group, `${group.id}-${i}`);
        members.push(ua);
        this.userAgents.push(ua);
        starting.push(ua.start(group.subscriptions));
      }
      this.groups.set(group.id, members);
    }
    for (const group of this.scenario.gateways) {
      const members: Gateway[] = [];
      for (let i = 1; i <= group.count; i++) {
        const gateway = this.makeGateway(group, `${group.id}-${i}`);
        members.push(gateway);
        this.gateways.push(gateway);
        starting.push(gateway.start());
      }
      this.groups.set(group.id, members);
    }
    this.sampler.start();
    const results = await Promise.allSettled(starting);
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0 && failed === results.length) {
      throw new Error(
        `none of the ${failed} agents could start (first: ${String((results[0] as PromiseRejectedResult).reason)})`,
      );
    }
  }

  /** Starts the application servers' planned traffic. */
  go(): void {
    for (const sender of this.senders) {
      sender.targets = this.resolveTargets(sender);
      sender.startMs = this.clock.now();
      this.armNext(sender);
    }
  }

  async stop(): Promise<void> {
    this.sampler.stop();
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    await Promise.allSettled([
      ...this.userAgents.map((ua) => ua.stop()),
      ...this.gateways.map((g) => g.stop()),
      ...this.senders.map((s) => s.server.stop()),
    ]);
    await Promise.allSettled(this.links.map((l) => l.close()));
    for (const service of this.services.values()) await service.stop();
  }

  energy(): EnergyReport {
    return this.meter.report(this.clock.now());
  }

  linkCounters(): Record<string, LinkCounters> {
    const byTemplate: Record<string, LinkCounters> = {};
    for (const link of this.links) {
      const template = link.id.split(':')[0]!;
      const c = link.counters();
      const sum = byTemplate[template];
      if (!sum) byTemplate[template] = { ...c };
      else
        for (const key of Object.keys(c) as (keyof LinkCounters)[])
          (sum[key] as number) += c[key] as number;
    }
    return byTemplate;
  }

  /** Counts a delivered message for the energy meter's joules-per-message. */
  observe(event: LabEvent): void {
    if (event.kind === 'message.received' && !event.duplicate) this.meterDelivered(event.agentId);
    if (event.kind === 'device.delivered') this.meterDelivered(event.deviceId);
  }

  private meterDelivered(agentId: string): void {
    if (this.meter.radio(agentId)) this.meter.delivered(agentId, 1);
  }

  // ---- building ---------------------------------------------------------------------------

  /** Plans every application server's traffic and hashes it with the fault schedule. */
  private planAll(): string {
    const hash = createHash('sha256');
    hash.update(
      JSON.stringify({
        seed: this.scenario.seed,
        links: this.scenario.links,
        duration: this.scenario.duration,
      }),
    );
    for (const spec of this.scenario.appServers) {
      const stopMs = Math.min(spec.stop ?? this.scenario.duration, this.scenario.duration);
      const plan = planTraffic(
        toPattern(spec.traffic),
        {
          ttlSeconds: spec.mix.ttl,
          urgency: spec.mix.urgency,
          topic: { share: spec.mix.topicShare, count: spec.mix.topics },
          receiptShare: spec.mix.receiptShare,
        },
        { startMs: spec.start, stopMs },
        this.rng.fork(`traffic:${spec.id}`),
      );
      for (const p of plan)
        hash.update(
          `${spec.id}|${p.atMs}|${p.target}|${p.ttlSeconds}|${p.urgency}|${p.topic}|${p.receipt}\n`,
        );
      const service = this.services.get(spec.service)!;
      const server = new AppServer(
        {
          id: spec.id,
          profile: service.profileName,
          vapid: spec.vapid,
          reproducible: { vapidScalar: scalarFrom(this.rng.fork(`vapid:${spec.id}`)) },
          createConnection: () => this.connection(spec.link, spec.id, service, null),
          identify: (path) => service.identify(path),
        },
        this.clock,
        this.bus,
      );
      this.senders.push({
        server,
        plan,
        targets: [],
        concurrency: spec.concurrency,
        cursor: 0,
        waiting: [],
        startMs: 0,
      });
    }
    return hash.digest('hex');
  }

  private makeRadio(
    agentId: string,
    deviceClass: string,
    technology: string | undefined,
  ): Radio | null {
    if (!technology) return null;
    const radio = new Radio({
      model: radioModel(technology),
      clock: this.clock,
      onStateChange: (from, to) =>
        this.bus.emit({
          kind: 'radio.state',
          agentId,
          technology,
          from: String(from),
          to: String(to),
        }),
    });
    this.meter.add(agentId, deviceClass, radio);
    return radio;
  }

  /** A byte stream to `service` for `agentId`, through its own instance of a link template. */
  private connection(
    linkId: string | undefined,
    agentId: string,
    service: PushService,
    radio: Radio | null,
  ): Duplex {
    let link = this.linkFor.get(agentId);
    if (!link) {
      const template = linkId ? this.scenario.links.find((l) => l.id === linkId) : undefined;
      const faults = template
        ? [...(template.preset ? presetFaults(template.preset) : []), ...template.faults]
        : [];
      link = new Link(
        { id: `${linkId ?? 'direct'}:${agentId}`, faults },
        this.clock,
        this.rng.fork(`link:${linkId}:${agentId}`),
      );
      this.links.push(link); // one per agent: bounded by the scenario's agent counts
      link.addListener({
        onTraffic: (direction, bytes, atMs) => {
          this.bytesMoved += bytes;
          radio?.traffic(
            direction === 'upstream' ? 'up' : 'down',
            bytes,
            Math.max(atMs, this.clock.now()),
          );
        },
        onState: (e) =>
          this.bus.emit({
            kind: 'link.changed',
            linkId: e.linkId,
            state: e.state,
            faults: link!
              .faults()
              .filter((f) => f.active)
              .map((f) => f.spec.type),
          }),
        onFault: () => this.bus.emit(linkFaultsEvent(link!, agentId)),
        onConnection: (e) => {
          if (e.kind === 'reset')
            this.bus.emit({ kind: 'link.reset', linkId: link!.id, reason: e.reason ?? 'reset' });
        },
      });
      this.linkFor.set(agentId, link);
      this.bus.emit(linkFaultsEvent(link, agentId));
    }
    return link.connectInMemory((serverSide) => service.acceptConnection(serverSide));
  }

  private makeUserAgent(group: Scenario['userAgents'][number], agentId: string): UserAgent {
    const service = this.services.get(group.service)!;
    const radio = this.makeRadio(agentId, `user-agent:${group.radio}`, group.radio);
    const ua = new UserAgent(
      {
        agentId,
        serviceUrl: service.url,
        serviceId: service.id,
        subscribePath: new URL(service.subscribeUrl).pathname,
        profile: service.profileName,
        createConnection: () => this.connection(group.link, agentId, service, radio),
        identify: (path) => service.identify(path),
        identifySubscription: (url) => service.identifySubscription(url),
        identifyLatest: (url, body) => service.identifyLatest(url, body),
        behaviour: {
          ack: {
            policy: group.ack.policy,
            delayMs: group.ack.delay,
            crashProbability: group.ack.crashProbability,
          },
          power: group.power,
          ...(group.doze
            ? { doze: { awakeMs: group.doze.awake, asleepMs: group.doze.asleep } }
            : {}),
          ...(group.keepalive
            ? { keepalive: { intervalMs: group.keepalive, timeoutMs: 10_000 } }
            : {}),
          ...(group.reconnect
            ? {
                reconnect: {
                  initialMs: group.reconnect.initial,
                  maxMs: group.reconnect.max,
                  jitter: group.reconnect.jitter,
                },
              }
            : {}),
        },
      },
      this.clock,
      this.bus,
      this.rng.fork(`ua:${agentId}`),
    );
    for (const change of group.powerChanges) {
      const { at, ...power } = change;
      this.later(at, () => ua.setPower(power));
    }
    return ua;
  }

  private makeGateway(group: Scenario['gateways'][number], gatewayId: string): Gateway {
    const service = this.services.get(group.service)!;
    const d = group.devices;
    const devices = Array.from({ length: d.count }, (_, j) => {
      const id = `${gatewayId}.d${j + 1}`;
      return {
        id,
        wakeEveryMs: d.wakeEvery,
        awakeMs: d.awake,
        // Spread the fleet's wakes evenly over one period, deterministically.
        firstWakeMs: Math.floor((d.wakeEvery * j) / d.count),
        localLink: {
          latencyMs: d.localLink.latency,
          lossProbability: d.localLink.loss,
          outages: d.localLink.outages.map((o) => ({ fromMs: o.from, toMs: o.to })),
        },
        ...(d.radio ? { radio: this.makeRadio(id, `device:${d.radio}`, d.radio)! } : {}),
      };
    });
    return new Gateway(
      {
        ua: {
          agentId: gatewayId,
          serviceUrl: service.url,
          serviceId: service.id,
          subscribePath: new URL(service.subscribeUrl).pathname,
          profile: service.profileName,
          createConnection: () => this.connection(group.link, gatewayId, service, null),
          identify: (path) => service.identify(path),
          identifySubscription: (url) => service.identifySubscription(url),
          identifyLatest: (url, body) => service.identifyLatest(url, body),
          behaviour: group.keepalive
            ? { keepalive: { intervalMs: group.keepalive, timeoutMs: 10_000 } }
            : {},
        },
        ackMode: group.ackMode,
        devices,
        bufferCountMax: d.bufferMax,
      },
      this.clock,
      this.bus,
      this.rng.fork(`gateway:${gatewayId}`),
    );
  }

  private resolveTargets(sender: Sender): Target[] {
    const spec = this.scenario.appServers.find((a) => a.id === sender.server.id)!;
    const groups = spec.targets ?? [...this.groups.keys()];
    const targets: Target[] = [];
    for (const group of groups) {
      for (const member of this.groups.get(group) ?? []) {
        const subs = member instanceof Gateway ? member.ua.subscriptions : member.subscriptions;
        for (const subscription of subs) targets.push({ group, subscription });
      }
    }
    return targets;
  }

  // ---- traffic ------------------------------------------------------------------------------

  /** Arms a timer for the next planned send only (a million-send plan holds one timer). */
  private armNext(sender: Sender): void {
    const next = sender.plan[sender.cursor];
    if (!next) return;
    const dueMs = sender.startMs + next.atMs - this.clock.now();
    this.later(dueMs, () => {
      // Every send due now goes out (bursts share one instant).
      while (
        sender.cursor < sender.plan.length &&
        sender.startMs + sender.plan[sender.cursor]!.atMs <= this.clock.now()
      ) {
        this.dispatch(sender, sender.plan[sender.cursor]!);
        sender.cursor += 1;
      }
      this.armNext(sender);
    });
  }

  /** Sends now, or waits for a free slot when `concurrency` sends are already in flight. */
  private dispatch(sender: Sender, planned: PlannedSend): void {
    if (sender.server.inFlight >= sender.concurrency) {
      if (sender.waiting.length < 100_000) sender.waiting.push(planned);
      return;
    }
    const target = sender.targets[planned.target % Math.max(1, sender.targets.length)];
    if (!target) return;
    const message: OutgoingMessage = {
      pushUrl: target.subscription.pushUrl,
      keys: target.subscription.keys,
      text: planned.text,
      ttlSeconds: planned.ttlSeconds,
      urgency: planned.urgency,
      topic: planned.topic,
      receipt: planned.receipt,
      subscriptionId: target.subscription.id,
    };
    void sender.server.deliver(message).finally(() => {
      const waiting = sender.waiting.shift();
      if (waiting) this.dispatch(sender, waiting);
    });
  }

  private later(delayMs: number, fn: () => void): void {
    const timer = this.clock.schedule(delayMs, () => {
      this.timers.delete(timer);
      fn();
    });
    this.timers.add(timer);
  }
}

/** A link's faults with their attributes, as the model and the Links view need them. */
function linkFaultsEvent(link: Link, agentId: string): LabEventBody {
  return {
    kind: 'link.faults',
    linkId: link.id,
    agentId,
    state: link.state(),
    faults: link.faultViews(),
  };
}

function toPattern(traffic: Scenario['appServers'][number]['traffic']): TrafficPattern {
  switch (traffic.pattern) {
    case 'constant':
    case 'poisson':
      return { kind: traffic.pattern, ratePerSecond: traffic.ratePerSecond };
    case 'burst':
      return { kind: 'burst', size: traffic.size, everyMs: traffic.every };
    case 'script':
      return {
        kind: 'script',
        sends: traffic.sends.map((s) => ({
          atMs: s.at,
          ...(s.target !== undefined ? { target: s.target } : {}),
          ...(s.ttl !== undefined ? { ttlSeconds: s.ttl } : {}),
          ...(s.urgency ? { urgency: s.urgency } : {}),
          ...(s.topic ? { topic: s.topic } : {}),
          ...(s.receipt !== undefined ? { receipt: s.receipt } : {}),
          ...(s.text !== undefined ? { text: s.text } : {}),
        })),
      };
  }
}

/** 32 octets at a time from a seeded stream (a VAPID private key). */
function scalarFrom(rng: Rng): () => Uint8Array {
  return () => {
    const bytes = new Uint8Array(32);
    for (let i = 0; i < 32; i += 4) new DataView(bytes.buffer).setUint32(i, rng.nextUint32());
    return bytes;
  };
}
