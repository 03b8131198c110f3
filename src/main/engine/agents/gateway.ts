/**
 * The seed's second scenario: a field gateway that is an RFC 8030 user agent upstream (one
 * HTTP/2 connection, one subscription per device, monitored as a set) and buffers messages
 * for sleepy, duty-cycled embedded devices behind a constrained local link.
 *
 * Acknowledgement upstream is either on receipt (the push service's 204 receipt then only
 * proves delivery to the gateway) or end to end (the gateway acks only after the device
 * confirmed, so a message survives the gateway's connection dropping meanwhile — the
 * push service delivers it again and the gateway acks the copy). That difference is the
 * reliability argument of the seed, made observable.
 */
import { BoundedMap } from '../bounded-map';
import type { Clock, Timer } from '../clock/clock';
import type { Radio } from '../energy';
import type { Rng } from '../rng/rng';
import type { EventBus } from '../trace/bus';
import {
  UserAgent,
  type ReceivedMessage,
  type UaSubscription,
  type UserAgentOptions,
} from './user-agent';

export type GatewayAckMode = 'on-receipt' | 'end-to-end';

/** The device↔gateway link (out of scope of the protocols, so a simple model). */
export interface LocalLink {
  latencyMs: number;
  /** Chance that one delivery attempt to the device fails (it is retried on the next wake). */
  lossProbability: number;
  /** Windows (clock ms since the gateway started) when the local link is down. */
  outages: { fromMs: number; toMs: number }[];
}

export interface DeviceSpec {
  id: string;
  /** The device wakes every `wakeEveryMs` and stays awake `awakeMs` to drain what is held. */
  wakeEveryMs: number;
  awakeMs: number;
  /** First wake, clock ms after the gateway starts (spreads a fleet's wakes). */
  firstWakeMs: number;
  localLink: LocalLink;
  /** Radio whose energy the device's wakes cost (optional). */
  radio?: Radio;
}

/** Messages held per device when the options do not say (the scenario's `bufferMax` default). */
export const DEFAULT_BUFFER_COUNT_MAX = 100;

export interface GatewayOptions {
  ua: Omit<UserAgentOptions, 'onMessage' | 'role'>;
  ackMode: GatewayAckMode;
  devices: DeviceSpec[];
  /** Messages held per device; past it the oldest is dropped (an event says so). */
  bufferCountMax?: number;
}

interface Held {
  messagePath: string;
  /** ReceivedMessage.messageKey: the message across redeliveries (not its path: draft-thomson). */
  messageKey: string;
  messageId: string | null;
  bytes: number;
}

interface DeviceState {
  spec: DeviceSpec;
  subscription: UaSubscription | null;
  buffer: Held[];
  /** Message keys the device already confirmed (bounded), to ack redelivered copies. */
  confirmed: BoundedMap<string, true>;
}

const CONFIRMED_REMEMBERED_MAX = 1024;

export class Gateway {
  readonly ua: UserAgent;
  private readonly devices: DeviceState[];
  private readonly bySubscription = new Map<UaSubscription, DeviceState>();
  private readonly timers = new Set<Timer>();
  private startedAtMs = 0;
  private stopped = false;

  constructor(
    private readonly options: GatewayOptions,
    private readonly clock: Clock,
    private readonly bus: EventBus,
    private readonly rng: Rng,
  ) {
    this.ua = new UserAgent(
      {
        ...options.ua,
        role: 'gateway',
        behaviour: { monitorSet: true, ...options.ua.behaviour },
        onMessage: (message) => this.onMessage(message),
      },
      clock,
      bus,
      rng.fork('ua'),
    );
    this.devices = options.devices.map((spec) => ({
      spec,
      subscription: null,
      buffer: [],
      confirmed: new BoundedMap(CONFIRMED_REMEMBERED_MAX),
    }));
    for (const device of this.devices) {
      bus.emit({
        kind: 'agent.started',
        agentId: device.spec.id,
        role: 'device',
        label: device.spec.id,
      });
    }
  }

  get id(): string {
    return this.ua.id;
  }

  /** Held messages per device id (for tests and the UI). */
  held(deviceId: string): number {
    return this.devices.find((d) => d.spec.id === deviceId)?.buffer.length ?? 0;
  }

  async start(): Promise<void> {
    this.startedAtMs = this.clock.now();
    await this.ua.start(0);
    for (const device of this.devices) {
      const sub = await this.ua.subscribe();
      device.subscription = sub;
      this.bySubscription.set(sub, device);
    }
    for (const device of this.devices) this.later(device.spec.firstWakeMs, () => this.wake(device));
  }

  /** Each device's subscription, once made (the gateway holds them for its devices). */
  heldSubscriptions(): UaSubscription[] {
    return this.devices.flatMap((d) => (d.subscription ? [d.subscription] : []));
  }

  /** The subscription that reaches a device (what its application server is given). */
  subscriptionOf(deviceId: string): UaSubscription | null {
    return this.devices.find((d) => d.spec.id === deviceId)?.subscription ?? null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    await this.ua.stop();
  }

  private onMessage(message: ReceivedMessage): boolean {
    const device = this.bySubscription.get(message.subscription);
    if (!device) return true;
    if (device.confirmed.has(message.messageKey)) {
      // A copy of something the device already has: the earlier ack was lost. Ack it now.
      if (this.options.ackMode === 'end-to-end') void this.ua.ack(message.messagePath);
      return this.options.ackMode === 'on-receipt';
    }
    if (!device.buffer.some((h) => h.messageKey === message.messageKey)) {
      device.buffer.push({
        messagePath: message.messagePath,
        messageKey: message.messageKey,
        messageId: message.messageId,
        bytes: message.body.length,
      });
      const max = this.options.bufferCountMax ?? DEFAULT_BUFFER_COUNT_MAX;
      if (device.buffer.length > max) {
        device.buffer.shift();
        this.bus.emit({
          kind: 'limit.reached',
          what: 'queue',
          subjectId: device.spec.id,
          limit: max,
        });
      }
    }
    // On receipt: the user agent acks now (its policy); end to end: we ack after the device.
    return this.options.ackMode === 'on-receipt';
  }

  private wake(device: DeviceState): void {
    if (this.stopped) return;
    const { spec } = device;
    this.bus.emit({ kind: 'agent.wake', agentId: spec.id });
    spec.radio?.traffic('up', 64, this.clock.now()); // the device polls the gateway
    if (this.localLinkUp(spec.localLink)) this.drain(device);
    this.later(spec.awakeMs, () => {
      if (this.stopped) return;
      this.bus.emit({ kind: 'agent.sleep', agentId: spec.id });
      this.later(Math.max(0, spec.wakeEveryMs - spec.awakeMs), () => this.wake(device));
    });
  }

  private drain(device: DeviceState): void {
    const { spec } = device;
    const keep: Held[] = [];
    for (const held of device.buffer) {
      if (this.rng.chance(spec.localLink.lossProbability)) {
        keep.push(held); // lost on the local link: next wake
        continue;
      }
      this.later(spec.localLink.latencyMs, () => this.confirm(device, held));
    }
    device.buffer = keep;
  }

  private confirm(device: DeviceState, held: Held): void {
    const { spec } = device;
    spec.radio?.traffic('down', held.bytes, this.clock.now());
    spec.radio?.traffic('up', 32, this.clock.now());
    device.confirmed.set(held.messageKey, true);
    if (held.messageId) {
      this.bus.emit({
        kind: 'device.delivered',
        gatewayId: this.id,
        deviceId: spec.id,
        messageId: held.messageId,
        confirmed: true,
      });
    }
    if (this.options.ackMode === 'end-to-end') void this.ua.ack(held.messagePath);
  }

  private localLinkUp(link: LocalLink): boolean {
    const sinceStart = this.clock.now() - this.startedAtMs;
    return !link.outages.some((o) => sinceStart >= o.fromMs && sinceStart < o.toMs);
  }

  private later(delayMs: number, fn: () => void): void {
    const timer = this.clock.schedule(delayMs, () => {
      this.timers.delete(timer);
      fn();
    });
    this.timers.add(timer);
  }
}
