/**
 * A scenario brought to life: push services, one link per agent (instantiated from the
 * scenario's link templates, so each phone has its own bad day), and the agents of every kind
 * in the registry (agents/kinds/): senders' traffic planned as the world is built, groups
 * started as it starts, in registry order — the order every virtual run depends on. Radios
 * meter energy. Everything draws time from one Clock and randomness from forks of one seeded Rng.
 */
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { LabEvent, Profile } from '../../../shared/events';
import type { OutgoingMessage } from '../agents/app-server';
import type { Gateway } from '../agents/gateway';
import { gatewayKind } from '../agents/kinds/gateway';
import type {
  AnyAgentKind,
  Member,
  PlannedTraffic,
  ServiceEndpoint,
  WorldContext,
} from '../agents/kinds/kind';
import { AGENT_KINDS } from '../agents/kinds/registry';
import { userAgentKind } from '../agents/kinds/user-agent';
import { SenderSecrets } from '../agents/sender-secrets';
import type { PlannedSend } from '../agents/traffic';
import type { UaSubscription, UserAgent } from '../agents/user-agent';
import type { Clock, Timer } from '../clock/clock';
import { VirtualClock } from '../clock/virtual';
import { LabError } from '../errors';
import { EnergyMeter, Radio, radioModel, type EnergyReport } from '../energy';
import { FactSampler, sampleIntervalMs } from '../energy/sampler';
import { Link } from '../net/link';
import { presetFaults } from '../net/presets';
import type { LinkCounters } from '../net/types';
import { PushService } from '../push/service';
import { seededTokens } from '../push/tokens';
import { Rng } from '../rng/rng';
import type { EventBus } from '../trace/bus';
import { linkEventListener, linkFaultsEvent } from '../trace/link-events';
import { EXTERNAL_ERROR_CODES, ExternalService } from './external';
import { entriesOf, type Scenario } from './schema';

interface Target {
  group: string;
  subscription: UaSubscription;
}

interface Sender extends PlannedTraffic {
  resolved: Target[];
  cursor: number;
  waiting: PlannedSend[];
  startMs: number;
}

/** The kinds the world builds, as the registry lists them (entries typed loosely here). */
const KINDS: readonly AnyAgentKind[] = AGENT_KINDS;

export class World {
  /** The lab's own push services (in process, reached in memory). */
  readonly services = new Map<string, PushService>();
  /** External push services (reached over real TCP, observed through the agents). */
  readonly externals = new Map<string, ExternalService>();
  /** One link instance per agent, made from the scenario's templates. */
  readonly links: Link[] = [];
  private readonly linkFor = new Map<string, Link>();
  /** Each link template's faults (its preset's first), by template id. */
  private readonly linkTemplates = new Map<string, readonly unknown[]>();
  readonly meter: EnergyMeter;
  /** Links' counters and radios' joules as events, on a fixed lab-time interval. */
  private readonly sampler: FactSampler;
  /** sha256 of the planned traffic and fault schedule: same scenario + seed → same hash. */
  readonly scheduleHash: string;
  private readonly senders: Sender[] = [];
  /** Every started agent, by kind section, in start order. */
  private readonly members = new Map<string, Member<unknown>[]>();
  private readonly groups = new Map<string, Member<unknown>[]>();
  private readonly timers = new Set<Timer>();
  private readonly rng: Rng;
  private readonly context: WorldContext;
  /** Grows whenever bytes cross a link (the virtual driver's sign of life). */
  bytesMoved = 0;
  /** Sender key pairs made ahead for the application servers' encryption (a worker thread). */
  readonly senderSecrets = new SenderSecrets();

  constructor(
    private readonly scenario: Scenario,
    private readonly clock: Clock,
    private readonly bus: EventBus,
  ) {
    this.rng = new Rng(scenario.seed);
    this.meter = new EnergyMeter({ clock });
    for (const template of scenario.links)
      this.linkTemplates.set(template.id, [
        ...(template.preset ? presetFaults(template.preset) : []),
        ...template.faults,
      ]);
    this.sampler = new FactSampler({
      clock,
      bus,
      meter: this.meter,
      links: () => this.links,
      intervalMs: sampleIntervalMs(scenario.duration),
    });
    for (const spec of scenario.services) {
      if (spec.url !== undefined) {
        if (clock instanceof VirtualClock)
          throw new LabError(
            EXTERNAL_ERROR_CODES.VIRTUAL_CLOCK,
            `service ${spec.id} is external (${spec.url}): a real service does not follow a virtual clock; run it on the real or scaled clock`,
          );
        this.externals.set(
          spec.id,
          new ExternalService({ ...spec, url: spec.url, profile: spec.profile as Profile }, bus),
        );
        continue;
      }
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
            ...(spec.quirks !== undefined ? { quirks: spec.quirks } : {}),
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
    this.context = {
      clock,
      bus,
      rng: this.rng,
      durationMs: scenario.duration,
      service: (id) => this.services.get(id) ?? this.externals.get(id)!,
      connection: (linkId, agentId, service, radio) =>
        this.connection(linkId, agentId, service, radio),
      radio: (agentId, deviceClass, technology) => this.makeRadio(agentId, deviceClass, technology),
      later: (delayMs, fn) => this.later(delayMs, fn),
      senderSecrets: this.senderSecrets,
    };
    this.scheduleHash = this.planAll();
  }

  /** The user agents started so far (the workbench lists their subscriptions). */
  get userAgents(): UserAgent[] {
    return this.agentsOf(userAgentKind.section) as UserAgent[];
  }

  /** The gateways started so far. */
  get gateways(): Gateway[] {
    return this.agentsOf(gatewayKind.section) as Gateway[];
  }

  private agentsOf(section: string): unknown[] {
    return (this.members.get(section) ?? []).map((m) => m.agent);
  }

  /** Starts services and agents (their subscriptions included); traffic starts with `go`. */
  async start(): Promise<void> {
    for (const service of this.services.values()) await service.start();
    for (const service of this.externals.values()) await service.start();
    const starting: Promise<void>[] = [];
    for (const kind of KINDS) {
      if (!kind.members) continue;
      const started: Member<unknown>[] = [];
      this.members.set(kind.section, started);
      for (const entry of entriesOf(this.scenario, kind)) {
        const group: Member<unknown>[] = [];
        for (const member of kind.members(entry, this.context)) {
          group.push(member);
          started.push(member);
          starting.push(member.started);
        }
        if (kind.targetable) this.groups.set((entry as { id: string }).id, group);
      }
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
      sender.resolved = this.resolveTargets(sender);
      sender.startMs = this.clock.now();
      this.armNext(sender);
    }
  }

  async stop(): Promise<void> {
    this.sampler.stop();
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    await Promise.allSettled([
      ...[...this.members.values()].flatMap((members) => members.map((m) => m.stop())),
      ...this.senders.map((s) => s.server.stop()),
    ]);
    await Promise.allSettled(this.links.map((l) => l.close()));
    for (const service of this.services.values()) await service.stop();
    for (const service of this.externals.values()) await service.stop();
    // Not awaited: a thread ends in wall-clock time, and on the virtual clock the run drives
    // lab time while stop() is pending, so waiting here made the end of a run vary (seen: 10
    // lab seconds more of radio timers in some runs). Unref'd, it holds nothing meanwhile.
    void this.senderSecrets.close();
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

  /** Plans every sending kind's traffic and hashes it with the fault schedule. */
  private planAll(): string {
    const hash = createHash('sha256');
    hash.update(
      JSON.stringify({
        seed: this.scenario.seed,
        links: this.scenario.links,
        duration: this.scenario.duration,
      }),
    );
    for (const kind of KINDS) {
      if (!kind.plan) continue;
      for (const entry of entriesOf(this.scenario, kind)) {
        const planned = kind.plan(entry, this.context, (line) => hash.update(line));
        this.senders.push({ ...planned, resolved: [], cursor: 0, waiting: [], startMs: 0 });
      }
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
    service: ServiceEndpoint,
    radio: Radio | null,
  ): Duplex {
    let link = this.linkFor.get(agentId);
    if (!link) {
      link = new Link(
        {
          id: `${linkId ?? 'direct'}:${agentId}`,
          faults: (linkId ? this.linkTemplates.get(linkId) : undefined) ?? [],
        },
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
        ...linkEventListener(link, agentId, (event) => this.bus.emit(event)),
      });
      this.linkFor.set(agentId, link);
      this.bus.emit(linkFaultsEvent(link, agentId));
    }
    if (service instanceof ExternalService) return service.connect(link);
    const inProcess = service as PushService;
    return link.connectInMemory((serverSide) => inProcess.acceptConnection(serverSide));
  }

  private resolveTargets(sender: Sender): Target[] {
    const groups = sender.targets ?? [...this.groups.keys()];
    const targets: Target[] = [];
    for (const group of groups) {
      for (const member of this.groups.get(group) ?? []) {
        for (const subscription of member.subscriptions()) targets.push({ group, subscription });
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
    const target = sender.resolved[planned.target % Math.max(1, sender.resolved.length)];
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
