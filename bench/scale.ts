/**
 * `npm run bench:scale`: what sharing the push service's state in Redis costs, and whether
 * several `push-lab serve --store redis://… --instance NAME` processes lose anything when one
 * dies (issue 15). Real processes only: each configuration's `serve`s and a redis-server of
 * its own (test/helpers/redis.ts: a free port, appendonly with appendfsync always) are
 * started here; in one run, alternating, RUNS rounds, medians:
 *
 *   (a) 1 instance in memory   (b) 1 instance on Redis   (c) 2 instances on one Redis
 *   (d) 3 instances on one Redis (not with --short)
 *
 * For each: the accept rate (h2load as bench:push shapes it, 3 KB bodies, TTL 60: one h2load
 * per instance at once, to one subscription every instance knows) and the end-to-end rate
 * (an application server POSTing round-robin over the instances to UAS user agents, homed
 * round-robin on the instances, each holding its monitoring GET and acknowledging every
 * push with DELETE; WINDOW messages in flight). Per message: the serve processes' and
 * redis-server's CPU time (/proc), Redis commands (INFO commandstats), and Redis memory per
 * outstanding message (INFO memory's used_memory growth over an accept run / messages left).
 *
 * Then the kill run: 2 instances on a fresh Redis, the same end-to-end traffic; half-way,
 * instance 1 is killed with -9. Its user agents reconnect to the other and monitor there,
 * the application server sends to the survivor only; every message that got a 201 must be
 * delivered: "lost" must be 0.
 *
 * On this 2-core machine the point is the overhead and correctness, not a speed-up: the load
 * generators, every serve and redis-server share the same two cores.
 *
 * Options: --short  fewer messages, no (d): about a minute.
 *          --json   end with the figures as one line (bench/record.ts, for `npm run bench`).
 * Environment: BENCH_SCALE_REQUESTS (h2load -n a round, default 20000, short 6000),
 *              BENCH_SCALE_E2E (messages a round, default 8000, short 3000).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ClientHttp2Session } from 'node:http2';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCli, type Running } from '../test/helpers/cli';
import { noRedisReason, startRedis, type RedisServer } from '../test/helpers/redis';
import { call, connect, subscribe } from './h2-client';
import { runH2load, type H2loadResult } from './h2load';
import { printJson } from './record';
import {
  combinedRate,
  commandDelta,
  median,
  parseCommandstats,
  parseUsedMemory,
  predictRate,
  cpuForInstances,
  ratio,
  scaleFigures,
  type ConfigFigures,
  type KillFigures,
} from './scale-figures';

const SHORT = process.argv.includes('--short');
const envInt = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
};
const RUNS = 3;
const BODY_BYTES = 3 * 1024;
const REQUESTS = envInt('BENCH_SCALE_REQUESTS', SHORT ? 6_000 : 20_000);
const MESSAGES = envInt('BENCH_SCALE_E2E', SHORT ? 3_000 : 8_000);
const WARMUP = { requests: Math.min(2_000, REQUESTS), messages: Math.min(1_000, MESSAGES) };
const UAS = 6;
/** User agents opened at once to measure what holding one costs (memory). */
const HOLD_UAS = envInt('BENCH_SCALE_HOLD', SHORT ? 500 : 2_000);
const WINDOW = 100;
/** A run ends when nothing arrives for this long (then what was accepted and not delivered is lost). */
const STALL_MS = 20_000;
/** Connection-level receive window of each user agent, as bench:push (browsers open theirs). */
const UA_WINDOW_BYTES = 8 << 20;
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A process's resident memory now, bytes (Linux /proc; 0 once it is gone). */
function rssBytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** A process's user + system CPU time so far, µs (Linux /proc; 0 once it is gone). */
function cpuMicros(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / CLK_TCK) * 1e6;
  } catch {
    return 0;
  }
}

// ---- processes -------------------------------------------------------------------------------

interface Instance {
  name: string;
  url: string;
  run: Running;
  alive: boolean;
}

/**
 * One `serve`; `name` null on Redis is the single-holder mode (no --instance: no change
 * stream, what one instance alone runs with).
 */
async function startServe(dataDir: string, redis: RedisServer | null, name: string | null) {
  const run = startCli([
    'serve',
    '--h2c',
    '--port',
    '0',
    '--subscriptions',
    '0',
    // The bench's clients all come from 127.0.0.1, and one subscription takes a whole run.
    '--connections-per-address',
    '0',
    '--subscribe-rate',
    '0',
    '--queue-max',
    '1000000',
    '--max-stored-bytes',
    String(2 ** 31),
    '--data',
    dataDir,
    '--json',
    ...(redis ? ['--store', redis.url] : []),
    ...(redis && name !== null ? ['--instance', name] : []),
  ]);
  const listening = JSON.parse(await run.waitFor(/"type":"listening"/, 30_000)) as {
    url: string;
  };
  // Its output is not read past this point; keep the helper from holding every line.
  run.child.stdout!.on('data', () => run.lines.splice(0));
  const instance: Instance = { name: name ?? 'serve', url: listening.url, run, alive: true };
  run.child.once('exit', () => (instance.alive = false));
  return instance;
}

// ---- node:http2 client bits ----------------------------------------------------------------

/**
 * Waits until every instance answers 201 on `pushPath`: another instance learns of a
 * subscription from Redis a moment after the one that made it (README: the 404 window).
 * Each probe is a message left outstanding; returns how many were accepted.
 */
async function knownEverywhere(sessions: ClientHttp2Session[], pushPath: string, body: Buffer) {
  let accepted = 0;
  for (const session of sessions) {
    const deadline = performance.now() + 10_000;
    for (;;) {
      const r = await call(session, { ':method': 'POST', ':path': pushPath, ttl: '60' }, body);
      if (r.status === 201) break;
      if (performance.now() > deadline) throw new Error(`${pushPath}: ${r.status} after 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    accepted += 1;
  }
  return accepted;
}

// ---- a configuration: its processes, its user agents and application server ---------------

/** A user agent: one subscription, its monitoring GET on its current instance, acks there. */
class UserAgent {
  session: ClientHttp2Session | null = null;
  onMessage: (body: Buffer) => void = () => {};
  private closing = false;

  constructor(
    readonly subPath: string,
    readonly pushPath: string,
    /** Where to monitor after the current instance is gone (the kill run). */
    private readonly fallback: () => Instance | undefined,
  ) {}

  async monitor(url: string): Promise<void> {
    const session = await connect(url, {
      settings: { enablePush: true, initialWindowSize: 1 << 20 },
    });
    session.setLocalWindowSize(UA_WINDOW_BYTES);
    this.session = session;
    session.on('stream', (pushed, headers) => {
      const messagePath = String(headers[':path']);
      const chunks: Buffer[] = [];
      pushed.on('error', () => {});
      pushed.on('data', (c: Buffer) => chunks.push(c));
      pushed.on('end', () => {
        const ack = session.request({ ':method': 'DELETE', ':path': messagePath });
        ack.on('error', () => {});
        ack.resume();
        this.onMessage(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      });
    });
    session.once('close', () => {
      if (this.closing) return;
      const next = this.fallback();
      if (next) void this.reconnect(next);
    });
    const get = session.request({ ':method': 'GET', ':path': this.subPath });
    get.on('error', () => {});
    get.resume();
  }

  private async reconnect(instance: Instance): Promise<void> {
    for (let attempt = 0; attempt < 20 && !this.closing; attempt += 1) {
      try {
        return await this.monitor(instance.url);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  close(): void {
    this.closing = true;
    this.session?.destroy();
  }
}

interface Config {
  label: string;
  redis: RedisServer | null;
  instances: Instance[];
  /** The application server's connection to each instance. */
  senders: ClientHttp2Session[];
  uas: UserAgent[];
  runs: { accept: RunFigures[]; e2e: RunFigures[] };
  stopped: boolean;
}

interface RunFigures {
  rate: number;
  messages: number;
  serveMicros: number;
  /** The bench process's own CPU per message (end to end: its app server and user agents). */
  clientMicros: number;
  redisMicros: number;
  ops: [string, number][] | null;
  bytesPerMessage: number | null;
}

async function startConfig(
  label: string,
  count: number,
  useRedis: boolean,
  dataDir: string,
): Promise<Config> {
  const redis = useRedis ? await startRedis() : null;
  const instances: Instance[] = [];
  for (let k = 0; k < count; k += 1) {
    instances.push(await startServe(dataDir, redis, count > 1 ? `i${k + 1}` : null));
  }
  const senders = await Promise.all(instances.map((i) => connect(i.url)));
  const uas: UserAgent[] = [];
  const probe = Buffer.alloc(8, 0xff);
  for (let j = 0; j < UAS; j += 1) {
    const home = instances[j % count]!;
    const control = await connect(home.url);
    const { subPath, pushPath } = await subscribe(control);
    control.destroy();
    const ua = new UserAgent(subPath, pushPath, () => instances.find((i) => i.alive));
    await ua.monitor(home.url);
    await knownEverywhere(senders, pushPath, probe);
    uas.push(ua);
  }
  return { label, redis, instances, senders, uas, runs: { accept: [], e2e: [] }, stopped: false };
}

async function stopConfig(config: Config): Promise<void> {
  if (config.stopped) return;
  config.stopped = true;
  for (const ua of config.uas) ua.close();
  for (const s of config.senders) s.destroy();
  for (const i of config.instances) await i.run.stop();
  await config.redis?.stop();
}

const serveCpu = (c: Config) => c.instances.reduce((t, i) => t + cpuMicros(i.run.child.pid), 0);
const ownCpu = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const redisCpu = (c: Config) => cpuMicros(c.redis?.child.pid);
const commandstats = async (c: Config) =>
  c.redis ? parseCommandstats(String(await c.redis.command('info', 'commandstats'))) : null;
const usedMemory = async (c: Config) =>
  c.redis ? parseUsedMemory(String(await c.redis.command('info', 'memory'))) : null;

/** One accept round: a fresh subscription every instance knows, one h2load per instance. */
async function acceptRound(c: Config, requests: number, dataFile: string): Promise<RunFigures> {
  const control = await connect(c.instances[0]!.url);
  try {
    const memoryBefore = await usedMemory(c);
    const { subPath, pushPath } = await subscribe(control);
    const probes = await knownEverywhere(c.senders, pushPath, Buffer.alloc(8, 0xff));
    const opsBefore = await commandstats(c);
    const cpu = { serve: serveCpu(c), redis: redisCpu(c) };
    const n = c.instances.length;
    const clients = Math.max(1, Math.round(4 / n));
    const results: H2loadResult[] = await Promise.all(
      c.instances.map((i) =>
        runH2load(i.url + pushPath, Math.round(requests / n), dataFile, ['ttl: 60'], {
          clients,
          streams: 32,
        }),
      ),
    );
    const accepted = results.reduce((t, r) => t + r.status2xx, 0);
    const figures: RunFigures = {
      rate: combinedRate(results),
      messages: accepted,
      serveMicros: (serveCpu(c) - cpu.serve) / accepted,
      clientMicros: 0,
      redisMicros: (redisCpu(c) - cpu.redis) / accepted,
      ops: opsBefore ? commandDelta(opsBefore, (await commandstats(c))!) : null,
      bytesPerMessage: null,
    };
    const memoryAfter = await usedMemory(c);
    if (memoryBefore !== null && memoryAfter !== null) {
      figures.bytesPerMessage = (memoryAfter - memoryBefore) / (accepted + probes);
    }
    const bad = results.filter((r) => r.status2xx !== r.total).map((r) => r.other);
    if (bad.length > 0) out(`      !! not 2xx: ${bad.join('; ')}`);
    await call(control, { ':method': 'DELETE', ':path': subPath });
    return figures;
  } finally {
    control.destroy();
  }
}

/** What holding user agents costs: serve's memory per connection, each replica's, Redis's. */
interface HoldFigures {
  uas: number;
  /** RSS growth of the instance the user agents connected to, per user agent. */
  homeBytes: number;
  /** RSS growth of the other instance (it holds every subscription too), per user agent. */
  replicaBytes: number;
  redisBytes: number;
}

/** Opens `n` more user agents on instance 1 of a 2-instance configuration, each subscribed and monitoring. */
async function holdCost(c: Config, n: number): Promise<HoldFigures> {
  const [home, replica] = c.instances as [Instance, Instance];
  const before = {
    home: rssBytes(home.run.child.pid),
    replica: rssBytes(replica.run.child.pid),
    redis: (await usedMemory(c))!,
  };
  const uas: UserAgent[] = [];
  try {
    for (let j = 0; j < n; j += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, n - j) }, async () => {
          const control = await connect(home.url);
          const { subPath, pushPath } = await subscribe(control);
          control.destroy();
          const ua = new UserAgent(subPath, pushPath, () => undefined);
          uas.push(ua);
          await ua.monitor(home.url);
        }),
      );
    }
    // The other instance learns of them from the change stream: the last one known there.
    await knownEverywhere([c.senders[1]!], uas.at(-1)!.pushPath, Buffer.alloc(8, 0xff));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return {
      uas: n,
      homeBytes: (rssBytes(home.run.child.pid) - before.home) / n,
      replicaBytes: (rssBytes(replica.run.child.pid) - before.replica) / n,
      redisBytes: ((await usedMemory(c))! - before.redis) / n,
    };
  } finally {
    for (const ua of uas) ua.close();
  }
}

let runTag = 0;

interface Traffic {
  seconds: number;
  accepted: number;
  delivered: number;
  lost: number;
  refused: number;
  duplicates: number;
}

/**
 * `total` messages app server → instances (round-robin over the live ones) → user agents
 * (round-robin), at most WINDOW not yet delivered or refused. `killAt`: after that many
 * sends, instance 1 is killed with -9. Ends when every send is answered and every accepted
 * message delivered, or after STALL_MS without progress.
 */
async function traffic(c: Config, total: number, killAt: number | null = null): Promise<Traffic> {
  const tag = ++runTag;
  const accepted = new Uint8Array(total);
  const seen = new Uint8Array(total);
  const template = Buffer.alloc(BODY_BYTES, 0x78);
  template.writeUInt32BE(tag, 0);
  let next = 0;
  let settled = 0; // sends answered (201 or not)
  let refused = 0;
  let delivered = 0;
  let deliveredAccepted = 0;
  let acceptedCount = 0;
  let duplicates = 0;
  let lastProgress = performance.now();
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  const check = (): void => {
    if (next >= total && settled === total && deliveredAccepted === acceptedCount) finish();
  };

  const pump = (): void => {
    while (next < total && next - delivered - refused < WINDOW) send();
    check();
  };
  const send = (): void => {
    const i = next++;
    if (killAt !== null && i === killAt) {
      out(`      kill -9 ${c.instances[0]!.name} after ${fmt(i)} sends`);
      c.instances[0]!.run.child.kill('SIGKILL');
      c.instances[0]!.alive = false;
    }
    const live = c.instances.flatMap((inst, k) => (inst.alive ? [c.senders[k]!] : []));
    // Each user agent in turn, and each one's messages through every instance in turn: most
    // are POSTed to an instance other than the one its user agent monitors on.
    const sender = live[Math.floor(i / c.uas.length) % live.length]!;
    const body = Buffer.from(template);
    body.writeUInt32BE(i, 4);
    let status = 0;
    const stream = sender.request({
      ':method': 'POST',
      ':path': c.uas[i % c.uas.length]!.pushPath,
      ttl: '600',
    });
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('error', () => {});
    stream.on('close', () => {
      settled += 1;
      if (status === 201) {
        accepted[i] = 1;
        acceptedCount += 1;
        if (seen[i]) deliveredAccepted += 1;
      } else {
        refused += 1;
      }
      pump();
    });
    stream.resume();
    stream.end(body);
  };
  const onMessage = (body: Buffer): void => {
    if (body.length < 8 || body.readUInt32BE(0) !== tag) return;
    const i = body.readUInt32BE(4);
    if (i >= total) return;
    if (seen[i]) {
      duplicates += 1;
      return;
    }
    seen[i] = 1;
    delivered += 1;
    if (accepted[i]) deliveredAccepted += 1;
    lastProgress = performance.now();
    pump();
  };
  for (const ua of c.uas) ua.onMessage = onMessage;
  const watchdog = setInterval(() => {
    if (performance.now() - lastProgress > STALL_MS) finish();
  }, 500);
  const started = performance.now();
  pump();
  await done;
  clearInterval(watchdog);
  const seconds = (performance.now() - started) / 1000;
  let lost = 0;
  for (let i = 0; i < total; i += 1) if (accepted[i] && !seen[i]) lost += 1;
  return { seconds, accepted: acceptedCount, delivered, lost, refused, duplicates };
}

async function e2eRound(c: Config, messages: number): Promise<RunFigures> {
  const opsBefore = await commandstats(c);
  const cpu = { serve: serveCpu(c), redis: redisCpu(c), client: ownCpu() };
  const t = await traffic(c, messages);
  if (t.lost > 0 || t.refused > 0) {
    throw new Error(
      `${c.label}: end to end stalled: ${t.delivered}/${messages} delivered, ${t.refused} refused`,
    );
  }
  return {
    rate: t.delivered / t.seconds,
    messages: t.delivered,
    serveMicros: (serveCpu(c) - cpu.serve) / t.delivered,
    clientMicros: (ownCpu() - cpu.client) / t.delivered,
    redisMicros: (redisCpu(c) - cpu.redis) / t.delivered,
    ops: opsBefore ? commandDelta(opsBefore, (await commandstats(c))!) : null,
    bytesPerMessage: null,
  };
}

const opsTotal = (ops: [string, number][] | null) =>
  ops === null ? 0 : ops.reduce((t, [, n]) => t + n, 0);

function describe(kind: string, c: Config, r: RunFigures): string {
  const ops = r.ops ? `   Redis ${fmt(opsTotal(r.ops) / r.messages, 2)} ops/msg` : '';
  const mem = r.bytesPerMessage === null ? '' : `, ${fmt(r.bytesPerMessage)} B/msg`;
  const redisCpuText = c.redis ? `, redis ${fmt(r.redisMicros, 1)} µs` : '';
  return `    ${c.label.padEnd(30)} ${kind} ${fmt(r.rate).padStart(7)} /s   CPU/msg serve ${fmt(r.serveMicros, 1)} µs${redisCpuText}${ops}${mem}`;
}

/** Which Redis commands a message cost, over all of a configuration's end-to-end rounds. */
function opsBreakdown(c: Config): string {
  const calls = new Map<string, number>();
  let messages = 0;
  for (const r of c.runs.e2e) {
    messages += r.messages;
    for (const [name, n] of r.ops ?? []) calls.set(name, (calls.get(name) ?? 0) + n);
  }
  const each = [...calls]
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${fmt(n / messages, 3)}`)
    .join(', ');
  return `    ${c.label}: Redis commands per message end to end: ${each}`;
}

function summarize(c: Config): ConfigFigures {
  const m = (rs: RunFigures[], pick: (r: RunFigures) => number) => median(rs.map(pick));
  const { accept, e2e } = c.runs;
  return {
    label: c.label,
    instances: c.instances.length,
    redis: c.redis !== null,
    accept: m(accept, (r) => r.rate),
    e2e: m(e2e, (r) => r.rate),
    serveMicrosPerMessage: m(e2e, (r) => r.serveMicros),
    clientMicrosPerMessage: m(e2e, (r) => r.clientMicros),
    redisMicrosPerMessage: c.redis ? m(e2e, (r) => r.redisMicros) : null,
    redisOpsPerAccept: c.redis ? m(accept, (r) => opsTotal(r.ops) / r.messages) : null,
    redisOpsPerMessage: c.redis ? m(e2e, (r) => opsTotal(r.ops) / r.messages) : null,
    redisBytesPerMessage: c.redis ? m(accept, (r) => r.bytesPerMessage ?? Number.NaN) : null,
  };
}

// ---- main ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  out('push-lab bench:scale');
  out(
    `machine: ${os.cpus().length} CPU × ${os.cpus()[0]?.model ?? '?'}, node ${process.version}, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const h2loadOk = spawnSync('h2load', ['--version']).status === 0;
  const reason = noRedisReason ?? (h2loadOk ? '' : 'h2load is not installed (nghttp2-client)');
  if (reason) {
    out(`nothing measured: ${reason}`);
    printJson({ bench: 'scale', figures: scaleFigures([], null, reason) });
    return;
  }
  out(
    `accept: h2load, ${fmt(REQUESTS)} requests a round over the instances (3 KB, TTL 60); end to end: ${fmt(MESSAGES)} messages a round to ${UAS} user agents, ${WINDOW} in flight, each acked; ${RUNS} rounds, alternating`,
  );
  out('Redis: redis-server with appendonly yes, appendfsync always (a 201 is on its disk)');
  out();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
  const dataFile = path.join(tmp, 'body-3k.bin');
  writeFileSync(dataFile, Buffer.alloc(BODY_BYTES, 0x78));
  const configs: Config[] = [];
  try {
    const shapes: [string, number, boolean][] = [
      ['(a) 1 instance, memory', 1, false],
      ['(b) 1 instance, Redis', 1, true],
      ['(c) 2 instances, one Redis', 2, true],
      ...(SHORT ? [] : ([['(d) 3 instances, one Redis', 3, true]] as [string, number, boolean][])),
    ];
    for (const [label, count, useRedis] of shapes) {
      configs.push(await startConfig(label, count, useRedis, tmp));
    }
    out(`warm-up: ${fmt(WARMUP.requests)} requests and ${fmt(WARMUP.messages)} messages each`);
    for (const c of configs) {
      await acceptRound(c, WARMUP.requests, dataFile);
      await e2eRound(c, WARMUP.messages);
    }
    for (let run = 1; run <= RUNS; run += 1) {
      out(`  round ${run}/${RUNS}`);
      for (const c of configs) {
        const r = await acceptRound(c, REQUESTS, dataFile);
        c.runs.accept.push(r);
        out(describe('accept    ', c, r));
      }
      for (const c of configs) {
        const r = await e2eRound(c, MESSAGES);
        c.runs.e2e.push(r);
        out(describe('end to end', c, r));
      }
    }
    for (const c of configs) await stopConfig(c);

    const hold = await holdRun(tmp);
    const kill = await killRun(tmp);
    const figures = configs.map(summarize);
    report(figures, kill);
    for (const c of configs) if (c.redis) out(opsBreakdown(c));
    printJson({ bench: 'scale', figures: scaleFigures(figures, kill, 'not run', hold) });
  } finally {
    for (const c of configs) await stopConfig(c).catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Fresh processes (RSS that grew in earlier rounds would hide what holding costs). */
async function holdRun(dataDir: string): Promise<HoldFigures> {
  out();
  out(
    `holding: ${fmt(HOLD_UAS)} user agents subscribe and monitor on instance 1 of 2 fresh instances on a fresh Redis`,
  );
  const h = await startConfig('(h) 2 instances, holding', 2, true, dataDir);
  try {
    const hold = await holdCost(h, HOLD_UAS);
    out(
      `    per user agent: serve RSS ${fmt(hold.homeBytes)} B where it is connected, ${fmt(hold.replicaBytes)} B on the other instance; Redis ${fmt(hold.redisBytes)} B`,
    );
    return hold;
  } finally {
    await stopConfig(h);
  }
}

/**
 * Two instances on a fresh Redis, end-to-end traffic, instance 1 killed with -9 half-way:
 * its user agents monitor on the other from then on; every 201-accepted message must come.
 */
async function killRun(dataDir: string): Promise<KillFigures> {
  out();
  out(
    `kill run: 2 instances on a fresh Redis, ${fmt(MESSAGES)} messages, instance 1 killed with -9 half-way`,
  );
  const k = await startConfig('(k) 2 instances, one killed', 2, true, dataDir);
  try {
    const t = await traffic(k, MESSAGES, Math.floor(MESSAGES / 2));
    out(
      `    ${fmt(t.accepted)} accepted (201), ${fmt(t.delivered)} delivered, ${t.refused} sends refused (the killed instance's), ${t.duplicates} delivered twice, LOST ${t.lost}`,
    );
    const { accepted, delivered, lost, refused, duplicates } = t;
    return { accepted, delivered, lost, refused, duplicates };
  } finally {
    await stopConfig(k);
  }
}

function report(figures: ConfigFigures[], kill: KillFigures | null): void {
  const [memory, redis] = figures;
  out();
  out('results (medians)');
  out(
    `    ${'configuration'.padEnd(30)} ${'accept'.padStart(9)} ${'÷ (a)'.padStart(7)} ${'end to end'.padStart(11)} ${'÷ (a)'.padStart(7)}  serve µs/msg  redis µs/msg  ops/accept  ops/msg  B/msg`,
  );
  for (const f of figures) {
    const r = (v: number | null) => (v === null ? '' : `${fmt(v * 100, 1)} %`);
    out(
      `    ${f.label.padEnd(30)} ${fmt(f.accept).padStart(9)} ${r(ratio(f.accept, memory?.accept)).padStart(7)} ${fmt(f.e2e).padStart(11)} ${r(ratio(f.e2e, memory?.e2e)).padStart(7)}  ${fmt(f.serveMicrosPerMessage, 1).padStart(12)}  ${(f.redisMicrosPerMessage === null ? '' : fmt(f.redisMicrosPerMessage, 1)).padStart(12)}  ${(f.redisOpsPerAccept === null ? '' : fmt(f.redisOpsPerAccept, 2)).padStart(10)}  ${(f.redisOpsPerMessage === null ? '' : fmt(f.redisOpsPerMessage, 2)).padStart(7)}  ${f.redisBytesPerMessage === null ? '' : fmt(f.redisBytesPerMessage)}`,
    );
  }
  const [, , two] = figures;
  if (redis && two) {
    // The capacity model's check (docs/scale.md): first shared-nothing (n instances cost a
    // message what one costs: on a CPU-bound machine, (b)'s rate), then with the extra CPU
    // the second instance added per message, carried to the third.
    const cpu = (f: ConfigFigures) =>
      f.serveMicrosPerMessage + (f.redisMicrosPerMessage ?? 0) + f.clientMicrosPerMessage;
    out(
      `    CPU per message end to end (serve + redis + the bench's clients): ${figures.map((f) => `${f.label.slice(0, 3)} ${fmt(cpu(f), 0)} µs`).join(', ')}`,
    );
    for (const f of figures.slice(2)) {
      const naive = predictRate(redis.e2e, cpu(redis), cpu(redis));
      const fitted = predictRate(
        redis.e2e,
        cpu(redis),
        cpuForInstances(cpu(redis), cpu(two), f.instances),
      );
      out(
        `    ${f.label}: end to end measured ${fmt(f.e2e)}/s; shared-nothing prediction ${fmt(naive)}/s (${fmt((f.e2e / naive) * 100)} %)${f === two ? '' : `; with (c)'s per-instance CPU ${fmt(fitted)}/s (${fmt((f.e2e / fitted) * 100)} %)`}`,
      );
    }
  }
  out(
    kill
      ? `    messages lost with one of 2 instances killed -9: ${kill.lost} of ${fmt(kill.accepted)} accepted   goal 0: ${kill.lost === 0 ? 'MET' : 'NOT MET'}`
      : '    kill run: not run',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:scale failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
