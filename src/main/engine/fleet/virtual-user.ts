/**
 * One virtual user of a fleet: a user agent (subscribes, holds its monitoring GET, acks by the
 * script's policy, reconnects) and, from its first send, an application server (encrypted,
 * VAPID-signed sends with retries), both through the VU's own link. It runs its flow's steps
 * in order, then waits up to `deliveryWaitMs` for the messages it sent: each is delivered
 * (received and decrypted by its target VU) or lost.
 *
 * A message names itself in its plaintext (`pushlab:<vu>.<n>:` then padding), so the VU that
 * receives it, whichever it is, settles it with the fleet and the sender's figures get it.
 */
import type { AppServer } from '../agents/app-server';
import type { ReceivedMessage, UaSubscription, UserAgent } from '../agents/user-agent';
import { sleep, type Timer } from '../clock/clock';
import type { Link } from '../net/link';
import type { Rng } from '../rng/rng';
import type { Urgency } from '../../../shared/events';
import { weighted } from '../agents/traffic';
import type { Fleet } from './fleet';
import { FLEET_ERROR_CODES, FleetError } from './errors';
import { errorMetric, FLEET_METRICS, type MetricsSink } from './metrics';
import type { FleetStep, ReceiveStep, SendStep } from './options';

/** Sends of one VU waiting for the service's answer at once; the next send waits its turn. */
export const SENDS_IN_FLIGHT_MAX = 64;

const MARKER = /^pushlab:([A-Za-z0-9_.-]{1,64}):/;

export class VirtualUser {
  private readonly rng: Rng;
  private link: Link | null = null;
  private ua: UserAgent | null = null;
  private server: AppServer | null = null;
  private readonly subscriptions: UaSubscription[] = [];
  /** Messages it sent that are still on their way. */
  private readonly outstanding = new Set<string>();
  private sent = 0;
  /** Messages other VUs (or itself) sent it that are still on their way. */
  incoming = 0;
  /** Messages received and not yet taken by a `receive` step. */
  private unread = 0;
  /** Wakes whoever waits for a count to change (a receive, the sends' window, the final wait). */
  private wake: (() => void) | null = null;

  constructor(
    private readonly fleet: Fleet,
    readonly id: string,
    readonly sink: MetricsSink,
  ) {
    this.rng = fleet.forkRng(id);
  }

  async run(steps: readonly FleetStep[]): Promise<void> {
    for (const step of steps) {
      if ('subscribe' in step) await this.subscribe();
      else if ('send' in step) await this.send(step.send);
      else if ('receive' in step) await this.receive(step.receive);
      else await sleep(this.fleet.clock, step.think * 1000);
    }
    // Out of the pool, then a last wait: for what it sent, and for what is on its way to it
    // (a VU that hung up at once would make its senders count a loss that is the script's).
    this.fleet.withdraw(this);
    await this.until(
      () => this.outstanding.size === 0 && this.incoming === 0,
      this.fleet.config.options.deliveryWaitMs,
    );
  }

  /**
   * Counts what is still on its way as lost (after the final wait, or at once when a step
   * failed: every accepted message ends delivered or lost) and closes everything it opened.
   */
  async stop(): Promise<void> {
    this.fleet.withdraw(this);
    if (this.outstanding.size > 0) this.sink.counter(FLEET_METRICS.lost, this.outstanding.size);
    for (const messageId of this.outstanding) this.fleet.settle(messageId);
    this.outstanding.clear();
    if (this.server) this.fleet.releaseSender(this.server.id);
    await Promise.all([this.ua?.stop(), this.server?.stop()]);
    await this.link?.close();
  }

  private linkOnce(): Link {
    return (this.link ??= this.fleet.link(this.id, this.rng));
  }

  private async subscribe(): Promise<void> {
    this.ua ??= this.fleet.userAgent(this.id, this.linkOnce(), this.rng, (message) =>
      this.onMessage(message),
    );
    let sub: UaSubscription;
    try {
      sub = await this.ua.subscribe();
    } catch (error) {
      this.sink.counter(errorMetric('subscribe'), 1);
      throw new FleetError(
        FLEET_ERROR_CODES.SUBSCRIBE_FAILED,
        `${this.id}: subscribe failed (${(error as Error).message})`,
        { cause: error },
      );
    }
    this.subscriptions.push(sub);
    this.fleet.offer(this, sub);
    this.sink.counter(FLEET_METRICS.subscribed, 1);
  }

  private async send(step: SendStep): Promise<void> {
    if (step.to === 'self' && this.subscriptions.length === 0)
      throw new FleetError(
        FLEET_ERROR_CODES.NOT_SUBSCRIBED,
        `${this.id}: send to self before subscribe; put a subscribe step first`,
      );
    this.server ??= this.fleet.appServer(`${this.id}-as`, this.linkOnce(), this);
    const answered: Promise<void>[] = [];
    let inFlight = 0;
    for (let i = 0; i < step.count; i++) {
      if (i > 0 && step.intervalMs > 0) await sleep(this.fleet.clock, step.intervalMs);
      if (inFlight >= SENDS_IN_FLIGHT_MAX) await this.until(() => inFlight < SENDS_IN_FLIGHT_MAX);
      const target =
        step.to === 'self'
          ? { vu: this as VirtualUser, sub: this.subscriptions[i % this.subscriptions.length]! }
          : this.fleet.pick(this.rng);
      if (!target) {
        this.sink.counter(errorMetric('no_target'), 1);
        continue;
      }
      inFlight += 1;
      answered.push(
        this.sendOne(this.server, target, step).finally(() => {
          inFlight -= 1;
          this.notify();
        }),
      );
    }
    await Promise.all(answered);
  }

  private async sendOne(
    server: AppServer,
    target: { vu: VirtualUser; sub: UaSubscription },
    step: SendStep,
  ): Promise<void> {
    const messageId = `${this.id}.${++this.sent}`;
    const sentAtMs = this.fleet.clock.now();
    if (!this.fleet.expect(messageId, { sender: this, receiver: target.vu, sentAtMs })) {
      this.sink.counter(errorMetric('pending_max'), 1);
      return;
    }
    this.outstanding.add(messageId);
    const res = await server.deliver({
      pushUrl: target.sub.pushUrl,
      keys: target.sub.keys,
      text: `pushlab:${messageId}:`.padEnd(step.bytes, '.'),
      ttlSeconds:
        typeof step.ttl === 'number' ? step.ttl : weighted(this.rng, ttlChoices(step.ttl)),
      urgency:
        typeof step.urgency === 'string'
          ? step.urgency
          : weighted(this.rng, Object.entries(step.urgency) as [Urgency, number][]),
      topic: null,
      receipt: false,
      subscriptionId: null,
    });
    const status = res?.status ?? 0;
    if (status >= 200 && status < 300) {
      this.sink.counter(FLEET_METRICS.accepted, 1);
      return;
    }
    // Refused or never answered: nothing is on its way.
    this.sink.counter(errorMetric(status === 0 ? 'network' : status), 1);
    if (this.outstanding.delete(messageId)) this.fleet.settle(messageId);
    this.notify();
  }

  private async receive(step: ReceiveStep): Promise<void> {
    const arrived = await this.until(() => this.unread >= step.count, step.timeoutMs);
    if (arrived) this.unread -= step.count;
    else {
      this.sink.counter(FLEET_METRICS.receiveTimeouts, 1);
      this.unread = 0;
    }
  }

  private onMessage(message: ReceivedMessage): void {
    if (message.duplicate) {
      this.sink.counter(FLEET_METRICS.duplicates, 1);
      return;
    }
    const text = message.plaintext?.toString('latin1', 0, 80) ?? '';
    const messageId = MARKER.exec(text)?.[1];
    if (message.plaintext === null || messageId === undefined) {
      this.sink.counter(errorMetric('decrypt'), 1);
      return;
    }
    this.unread += 1;
    this.notify();
    const found = this.fleet.settle(messageId);
    if (found) found.sender.delivered(messageId, found.sentAtMs);
  }

  /** One of its messages arrived (at whichever VU it was sent to). */
  delivered(messageId: string, sentAtMs: number): void {
    if (!this.outstanding.delete(messageId)) return;
    this.sink.counter(FLEET_METRICS.delivered, 1);
    this.sink.histogram(FLEET_METRICS.latency, this.fleet.clock.now() - sentAtMs);
    this.notify();
  }

  /** A message on its way to it arrived or was given up by its sender. */
  incomingSettled(): void {
    this.incoming -= 1;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Waits until `done()` holds (true) or `timeoutMs` passes (false); one waiter at a time. */
  private async until(done: () => boolean, timeoutMs = Infinity): Promise<boolean> {
    let timedOut = false;
    let timer: Timer | null = null;
    const expired = new Promise<void>((resolve) => {
      if (Number.isFinite(timeoutMs))
        timer = this.fleet.clock.schedule(timeoutMs, () => {
          timedOut = true;
          resolve();
        });
    });
    try {
      while (!done()) {
        if (timedOut) return false;
        await Promise.race([new Promise<void>((resolve) => (this.wake = resolve)), expired]);
      }
      return true;
    } finally {
      (timer as Timer | null)?.cancel();
    }
  }
}

function ttlChoices(mix: readonly { value: number; share: number }[]): [number, number][] {
  return mix.map((choice) => [choice.value, choice.share]);
}
