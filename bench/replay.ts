/**
 * `npm run bench:replay`: how fast a recording opens into a Timeline and how fast it scrubs,
 * on this machine, in one run. Not a test: it prints numbers and never fails on them.
 *
 * The fixture: BENCH_REPLAY_EVENTS (1,000,000) events of a busy lab, generated directly
 * (deterministic) and written as a run bundle (gzip level 6, like `push-lab run --bundle`)
 * with the real TraceWriter: 2 services, 40 user agents and 4 gateways holding 10,000
 * subscriptions, 4 application servers sending (accepted → pushed → received → acked, some
 * redelivered, replaced or expired, receipts for a fifth of them, one in 20,000 pushed after its
 * TTL: a violation), links going down and up.
 *
 *   open      TraceReader → Timeline.fromReader, against a baseline of reading and parsing
 *             the same file without indexing (TraceReader.records()). 3 runs each,
 *             alternating; medians and the ratio open/baseline.
 *   memory    heap (V8 + external buffers) and RSS after GC, with the timeline held, over the
 *             process before it.
 *   scrub     200 random seeks by seq and 200 by lab time with a window of 5,000 events, and
 *             200 small steps (seq ± 1 from 20 random places); median and p95 each. Also the
 *             `timeline` answer (2,000 buckets) and `find`.
 *
 * Times are wall clock and CPU (this process, all threads): on a busy machine the first
 * stretches, the second much less. Run with `node --expose-gc` (the npm script does) so memory
 * figures are after GC.
 */
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { LabEvent, LabEventBody } from '../src/shared/events';
import { TraceReader } from '../src/main/engine/trace/reader';
import { Timeline } from '../src/main/engine/trace/timeline';
import { TraceWriter } from '../src/main/engine/trace/writer';

const envInt = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
};
const EVENTS = envInt('BENCH_REPLAY_EVENTS', 1_000_000);
const RUNS = 3;
const SEEKS = 200;
const WINDOW = 5_000;

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const MB = (bytes: number): string => `${fmt(bytes / 1024 / 1024, 1)} MB`;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const p95 = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!;
};

const gc = (globalThis as { gc?: () => void }).gc;

function memory(): { heap: number; rss: number } {
  for (let i = 0; i < 3; i++) gc?.();
  const m = process.memoryUsage();
  // `external` includes the ArrayBuffers (Buffers) already.
  return { heap: m.heapUsed + m.external, rss: m.rss };
}

// ---- the fixture ----------------------------------------------------------------------------

/** Deterministic 32-bit LCG: the same fixture and the same seeks on every run. */
class Rand {
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
function* labEvents(total: number): Generator<LabEvent> {
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
async function writeBundle(file: string): Promise<{ seconds: number; bytes: number }> {
  const started = performance.now();
  const gzip = createGzip({ level: 6 });
  const sink = createWriteStream(file);
  gzip.pipe(sink);
  const meta = { scenario: 'bench: replay', seed: 1, clockMode: 'virtual' } as const;
  const writer = new TraceWriter(gzip, meta, { endStream: true });
  let written = 0;
  for (const event of labEvents(EVENTS)) {
    writer.write(event);
    // The writer queues up to 10,000 lines while gzip is busy: let it drain well before that.
    if (++written % 1000 === 0) while (gzip.writableNeedDrain) await once(gzip, 'drain');
  }
  const stats = await writer.close();
  await finished(sink);
  if (stats.eventsWritten !== EVENTS || stats.error !== null)
    throw new Error(`the bundle was not written whole: ${JSON.stringify(stats)}`);
  return { seconds: (performance.now() - started) / 1000, bytes: statSync(file).size };
}

// ---- measuring ------------------------------------------------------------------------------

/** Wall-clock and CPU milliseconds (this process, all threads: zlib works off the main one). */
interface Took {
  wall: number;
  cpu: number;
}

const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function took<T>(f: () => Promise<T>): Promise<Took & { value: T }> {
  const wall = performance.now();
  const cpu = cpuNow();
  const value = await f();
  return { wall: performance.now() - wall, cpu: cpuNow() - cpu, value };
}

/** What each call of `f` took, one per item. */
function timeEach<T>(items: readonly T[], f: (item: T) => unknown): Took[] {
  return items.map((item) => {
    const wall = performance.now();
    const cpu = cpuNow();
    f(item);
    return { wall: performance.now() - wall, cpu: cpuNow() - cpu };
  });
}

async function readOnly(file: string): Promise<number> {
  const reader = await TraceReader.open(file);
  let events = 0;
  for await (const record of reader.records()) if (record.type === 'event') events += 1;
  return events;
}

const ms = (n: number): string => `${fmt(n, 1).padStart(7)} ms`;
const line = (label: string, samples: Took[]): void => {
  const wall = samples.map((s) => s.wall);
  const cpu = samples.map((s) => s.cpu);
  out(
    `  ${label.padEnd(34)} median ${ms(median(wall))}   p95 ${ms(p95(wall))}   (CPU median ${ms(median(cpu))}, p95 ${ms(p95(cpu))})`,
  );
};

async function main(): Promise<void> {
  if (!gc) out('note: run with node --expose-gc for memory after GC (npm run bench:replay does)');
  out(`Push Lab replay benchmark: a ${fmt(EVENTS)}-event bundle into a Timeline`);
  out(
    `(${os.cpus().length} CPUs, load average ${fmt(os.loadavg()[0]!, 1)} at the start: wall times on a busy machine stretch, CPU times less)\n`,
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'push-lab-replay-'));
  try {
    const file = path.join(dir, 'bench.plb');
    const written = await writeBundle(file);
    out(
      `fixture  ${fmt(EVENTS)} events written in ${fmt(written.seconds, 1)} s with TraceWriter → gzip: ${MB(written.bytes)}`,
    );

    const before = memory();
    const baseline: Took[] = [];
    const opens: Took[] = [];
    let timeline: Timeline | null = null;
    for (let run = 0; run < RUNS; run++) {
      const read = await took(() => readOnly(file));
      if (read.value !== EVENTS) throw new Error(`read ${read.value} events, not ${EVENTS}`);
      baseline.push({ wall: read.wall, cpu: read.cpu });
      timeline = null;
      const opened = await took(async () => Timeline.fromReader(await TraceReader.open(file)));
      if (opened.value.count !== EVENTS)
        throw new Error(`indexed ${opened.value.count} events, not ${EVENTS}`);
      opens.push({ wall: opened.wall, cpu: opened.cpu });
      timeline = opened.value;
    }
    if (!timeline) throw new Error('no timeline');
    const after = memory();

    const s = (n: number): string => `${fmt(n / 1000, 2).padStart(6)} s`;
    const medians = (samples: Took[]): Took => ({
      wall: median(samples.map((x) => x.wall)),
      cpu: median(samples.map((x) => x.cpu)),
    });
    const base = medians(baseline);
    const opened = medians(opens);
    out('\nopen (median of 3)                     wall       CPU');
    out(`  read + parse only (baseline)       ${s(base.wall)}  ${s(base.cpu)}`);
    out(`  TraceReader → Timeline             ${s(opened.wall)}  ${s(opened.cpu)}`);
    out(
      `  ratio open/baseline                ${fmt(opened.wall / base.wall, 2).padStart(6)} ×  ${fmt(opened.cpu / base.cpu, 2).padStart(6)} ×`,
    );
    const runs = (samples: Took[]): string =>
      samples.map((x) => `${fmt(x.wall / 1000, 2)}/${fmt(x.cpu / 1000, 2)}`).join(', ');
    out(`  runs (wall/CPU s): baseline ${runs(baseline)}; open ${runs(opens)}`);

    out('\nmemory after open, over the process before it (after GC)');
    const heap = after.heap - before.heap;
    out(
      `  heap (V8 + external)               ${MB(heap).padStart(10)}   ${fmt(heap / EVENTS, 1)} bytes/event`,
    );
    out(
      `  RSS                                ${MB(after.rss - before.rss).padStart(10)}   (${MB(after.rss)} in all)`,
    );

    const tl = timeline;
    const info = tl.info(2000);
    const { firstSeq, lastSeq, firstT, lastT } = info;
    const rand = new Rand(7);
    const seqs = Array.from({ length: SEEKS }, () => firstSeq + rand.int(lastSeq - firstSeq + 1));
    const times = Array.from({ length: SEEKS }, () => firstT + rand.next() * (lastT - firstT));
    const places = Array.from(
      { length: SEEKS / 10 },
      () => firstSeq + rand.int(lastSeq - firstSeq - 10),
    );
    out(
      `\nscrub (window ${fmt(WINDOW)} events; ${fmt(lastSeq)} events over ${fmt((lastT - firstT) / 1000)} s of lab time)`,
    );
    line(
      `seek by seq, ${SEEKS} random`,
      timeEach(seqs, (seq) => tl.seek(seq, WINDOW)),
    );
    line(
      `seek by time, ${SEEKS} random`,
      timeEach(times, (t) => tl.seekTime(t, WINDOW)),
    );
    const steps = places.flatMap((place) => {
      tl.seek(place, WINDOW);
      return timeEach([1, 2, 3, 4, 5, 4, 3, 2, 1, 0], (j) => tl.seek(place + j, WINDOW));
    });
    line(`step seq ± 1, ${steps.length} steps`, steps);
    line(
      'timeline info, 2,000 buckets, ×20',
      timeEach(Array.from({ length: 20 }), () => tl.info(2000)),
    );
    line(
      'find next marker, ×200',
      timeEach(seqs, (seq) => tl.find(seq, 1, 'marker')),
    );
    line(
      'find previous violation, ×200',
      timeEach(seqs, (seq) => tl.find(seq, -1, 'violation')),
    );
    // Messages named by the events at random seqs (those that name one).
    const messageIds = seqs
      .map((seq) => tl.seek(seq, 1).events[0])
      .flatMap((e) =>
        e && 'messageId' in e && typeof e.messageId === 'string' ? [e.messageId] : [],
      );
    line(
      `find next event of a message, ×${messageIds.length}`,
      timeEach(messageIds, (id) => tl.find(0, 1, 'message', id)),
    );

    out('\nwhat the timeline holds');
    const counts = Object.entries(info.markerCounts).map(([kind, n]) => `${kind} ${fmt(n)}`);
    out(`  markers: ${counts.join(', ')} (${info.markers.length} listed)`);
    const rules = Object.entries(tl.verdict().countByRule).filter(([, n]) => n > 0);
    out(
      `  violations by rule: ${rules.map(([rule, n]) => `${rule} ${fmt(n)}`).join(', ') || 'none'}`,
    );
    out(`  notes: ${tl.notes().length === 0 ? 'none' : tl.notes().join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:replay failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
