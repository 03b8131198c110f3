/**
 * The replay benchmark's recording, also opened by the tests of progressive opening
 * (test/unit/workbench/recording-progressive.test.ts): `total` events of a busy lab, generated
 * directly (deterministic) and written as a run bundle (gzip level 6, like `push-lab run
 * --bundle`) with the real TraceWriter — 2 services, 40 user agents and 4 gateways holding
 * 10,000 subscriptions, 4 application servers sending (accepted → pushed → received → acked,
 * some redelivered, replaced or expired, receipts for a fifth of them, one in 20,000 pushed
 * after its TTL: a violation), links going down and up.
 */
import { once } from 'node:events';
import { createWriteStream, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { LabEvent, LabEventBody } from '../src/shared/events';
import { TraceWriter } from '../src/main/engine/trace/writer';

/** Deterministic 32-bit LCG: the same fixture and the same seeks on every run. */
export class Rand {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (Math.imul(this.state, 1664525) + 1013904223) >>> 0;
    return this.state / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

interface Scheduled {
  t: number;
  order: number;
  body: LabEventBody;
}

const earlier = (a: Scheduled, b: Scheduled): boolean =>
  a.t < b.t || (a.t === b.t && a.order < b.order);

/** Events to come, a binary min-heap by (t, order of scheduling). */
class Agenda {
  private readonly items: Scheduled[] = [];
  private order = 0;

  nextT(): number {
    return this.items[0]?.t ?? Infinity;
  }

  at(t: number, body: LabEventBody): void {
    const items = this.items;
    items.push({ t, order: this.order++, body });
    for (let i = items.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!earlier(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): Scheduled {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length === 0) return top;
    items[0] = last;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      let least = i;
      if (left < items.length && earlier(items[left]!, items[least]!)) least = left;
      if (left + 1 < items.length && earlier(items[left + 1]!, items[least]!)) least = left + 1;
      if (least === i) break;
      [items[i], items[least]] = [items[least]!, items[i]!];
      i = least;
    }
    return top;
  }
}

const SUBSCRIPTIONS = 10_000;
const USER_AGENTS = 40;
const GATEWAYS = 4;
const APP_SERVERS = 4;
const TTLS = [30, 60, 300, 3600, 86_400];

interface Holder {
  id: string;
  serviceId: string;
  gateway: boolean;
  /** Lab time its link comes back up (in the past when it is up). */
  downUntil: number;
}

/** `total` events of a busy lab, in seq order (seq from 1, lab time in ms). */
export function* labEvents(total: number): Generator<LabEvent> {
  const rand = new Rand(1);
  const agenda = new Agenda();
  const holders: Holder[] = [];
  for (const serviceId of ['ps1', 'ps2'])
    agenda.at(0, {
      kind: 'service.started',
      serviceId,
      url: `https://127.0.0.1/${serviceId}`,
      profile: 'rfc8030',
    });
  for (let i = 0; i < USER_AGENTS + GATEWAYS; i++) {
    const gateway = i >= USER_AGENTS;
    const id = gateway ? `gw${i - USER_AGENTS}` : `ua${i}`;
    const serviceId = i % 2 === 0 ? 'ps1' : 'ps2';
    holders.push({ id, serviceId, gateway, downUntil: 0 });
    const role = gateway ? 'gateway' : 'user-agent';
    agenda.at(0, { kind: 'agent.started', agentId: id, role, label: id });
    agenda.at(0, { kind: 'agent.connected', agentId: id, serviceId });
  }
  for (let i = 0; i < APP_SERVERS; i++)
    agenda.at(0, {
      kind: 'agent.started',
      agentId: `app${i}`,
      role: 'app-server',
      label: `app${i}`,
    });
  const subscriptions = Array.from({ length: SUBSCRIPTIONS }, (_, i) => {
    const holder = holders[i % holders.length]!;
    const id = `${holder.serviceId}.s${i}`;
    agenda.at(i / 10, {
      kind: 'subscription.created',
      serviceId: holder.serviceId,
      subscriptionId: id,
      agentId: holder.id,
      pushPath: `/push/${id}`,
    });
    return { id, holder };
  });

  let messages = 0;
  const send = (t0: number): void => {
    const { id: subscriptionId, holder } = subscriptions[rand.int(SUBSCRIPTIONS)]!;
    const messageId = `${holder.serviceId}.m${++messages}`;
    const senderId = `app${rand.int(APP_SERVERS)}`;
    const ttlSeconds = TTLS[rand.int(TTLS.length)]!;
    const receiptRequested = rand.chance(0.2);
    agenda.at(t0, {
      kind: 'message.accepted',
      serviceId: holder.serviceId,
      subscriptionId,
      messageId,
      ttlSeconds,
      ttlRequestedSeconds: ttlSeconds,
      urgency: 'normal',
      topic: null,
      bytes: 100 + rand.int(3000),
      receiptRequested,
      senderId,
    });
    agenda.at(t0, {
      kind: 'send.attempted',
      agentId: senderId,
      subscriptionId,
      status: 201,
      messageId,
      attempt: 1,
      retryInMs: null,
    });
    const receipt = (t: number, status: 204 | 410): void => {
      if (!receiptRequested) return;
      agenda.at(t, { kind: 'receipt.sent', messageId, status });
      agenda.at(t + 20 + rand.int(50), {
        kind: 'receipt.received',
        agentId: senderId,
        messageId,
        status,
      });
    };
    if (rand.chance(0.03)) {
      // Replaced by the next message (a topic), before it could be pushed.
      const byMessageId = `${holder.serviceId}.m${messages + 1}`;
      agenda.at(t0 + 50, { kind: 'message.replaced', subscriptionId, messageId, byMessageId });
      return;
    }
    const expiresAt = t0 + ttlSeconds * 1000;
    let at = Math.max(t0, holder.downUntil) + 2 + rand.int(40);
    // One message in 20,000 is pushed a second after its TTL ran out: a violation to find.
    if (rand.chance(1 / 20_000)) at = expiresAt + 1000;
    else if (at > expiresAt) {
      agenda.at(expiresAt, { kind: 'message.expired', subscriptionId, messageId });
      receipt(expiresAt, 410);
      return;
    }
    const urgencyMin = 'very-low';
    agenda.at(at, { kind: 'message.pushed', subscriptionId, messageId, attempt: 1, urgencyMin });
    if (rand.chance(0.02)) {
      at += 5_000;
      agenda.at(at, { kind: 'message.pushed', subscriptionId, messageId, attempt: 2, urgencyMin });
    }
    at += 5 + rand.int(80);
    agenda.at(at, {
      kind: 'message.received',
      agentId: holder.id,
      subscriptionId,
      messageId,
      bytes: 100,
      duplicate: false,
      decryption: 'ok',
      preview: 'Hello from the bench',
    });
    agenda.at(at, {
      kind: 'message.acknowledging',
      agentId: holder.id,
      messageId,
      policy: 'immediate',
    });
    if (holder.gateway)
      agenda.at(at + 40 + rand.int(200), {
        kind: 'device.delivered',
        gatewayId: holder.id,
        deviceId: `${holder.id}.d${rand.int(25)}`,
        messageId,
        confirmed: true,
      });
    at += 5 + rand.int(40);
    agenda.at(at, { kind: 'message.acked', subscriptionId, messageId });
    receipt(at, 204);
  };
  const outage = (t0: number): void => {
    const holder = holders[rand.int(holders.length)]!;
    if (holder.downUntil > t0) return;
    holder.downUntil = t0 + 5_000 + rand.int(175_000);
    const linkId = `cell:${holder.id}`;
    const { id: agentId, serviceId } = holder;
    agenda.at(t0, { kind: 'link.changed', linkId, state: 'down', faults: ['outage'] });
    agenda.at(t0, { kind: 'agent.disconnected', agentId, serviceId, reason: 'link down' });
    agenda.at(holder.downUntil, { kind: 'link.changed', linkId, state: 'up', faults: [] });
    agenda.at(holder.downUntil + 1, { kind: 'agent.connected', agentId, serviceId });
  };

  let nextSend = 2_000;
  let nextOutage = 10_000;
  for (let seq = 1; seq <= total;) {
    const t = Math.min(nextSend, nextOutage);
    if (t <= agenda.nextT()) {
      if (t === nextSend) {
        send(t);
        nextSend += 1 + rand.int(40);
      } else {
        outage(t);
        nextOutage += 2_000 + rand.int(20_000);
      }
      continue;
    }
    const next = agenda.pop();
    yield { ...next.body, seq: seq++, t: next.t } as LabEvent;
  }
}

/** Writes the fixture as a run bundle, keeping to the stream's pace (nothing dropped). */
export async function writeBundle(
  file: string,
  events: number,
): Promise<{ seconds: number; bytes: number }> {
  const started = performance.now();
  const gzip = createGzip({ level: 6 });
  const sink = createWriteStream(file);
  gzip.pipe(sink);
  const meta = { scenario: 'bench: replay', seed: 1, clockMode: 'virtual' } as const;
  const writer = new TraceWriter(gzip, meta, { endStream: true });
  let written = 0;
  for (const event of labEvents(events)) {
    writer.write(event);
    // The writer queues up to 10,000 lines while gzip is busy: let it drain well before that.
    if (++written % 1000 === 0) while (gzip.writableNeedDrain) await once(gzip, 'drain');
  }
  const stats = await writer.close();
  await finished(sink);
  if (stats.eventsWritten !== events || stats.error !== null)
    throw new Error(`the bundle was not written whole: ${JSON.stringify(stats)}`);
  return { seconds: (performance.now() - started) / 1000, bytes: statSync(file).size };
}
