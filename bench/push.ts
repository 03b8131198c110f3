/**
 * `npm run bench:push`: how fast the push service takes and delivers messages, on this
 * machine, in one run. Not a test: it prints numbers and whether they meet the goals, and
 * never fails on them.
 *
 *   (a) h2load → a bare node:http2 h2c server (POST → drain the body → 201)
 *   (b) h2load → the real PushService's send path (POST /push/…, TTL: 60, a 3 KB body)
 *   (d) the same with the durable store (push/store/wal.ts): 201 only after fdatasync; with
 *       --store=redis, in a redis-server the bench starts (push/store/redis.ts, appendonly
 *       with appendfsync always: 201 only after Redis wrote and fsynced its EXEC)
 *       (a), (b) and (d) alternate, BENCH_ACCEPT_RUNS rounds (default 6) after one warm-up
 *       each, a b d then d b a; the goal is judged on the median of each round's ours/bare
 *       (neighbours share the machine's load, rounds do not), with each server's CPU time
 *       per request beside it.
 *   (c) end to end: a node:http2 application server sends through the real service to a
 *       node:http2 user agent holding the monitoring GET and acknowledging each push with
 *       DELETE; deliveries per second, send → push-received latency (p50/p99), and the
 *       server process's CPU time per message (the figure load on a shared machine moves
 *       least). The same rig against the bare server (bench/server.ts: the same exchanges,
 *       nothing kept) is the node:http2 floor; 3 runs each alternating, then 3 each paced at
 *       half of (c)'s median rate for the latency goal.
 *
 * Each server runs in its own process (bench/server.ts); h2load, or the bench's application
 * server and user agent, in another, so a server has a CPU of its own.
 *
 * Options: --cpu-prof  profile the push service processes (node --cpu-prof) and print where
 *                      their CPU time goes (bench/cpuprofile.ts).
 *          --trace-gc  run both servers with node --trace-gc and say, for each end-to-end run,
 *                      how often their collector paused them and for how long (the latency
 *                      tail's usual suspect, next to the load the machine is under).
 *          --only=accept | --only=e2e   run one part only.
 *          --store=redis  (d) on Redis instead of the write-ahead log (needs redis-server).
 *          --json      end with the figures as one line (bench/record.ts, for `npm run bench`).
 * Environment: BENCH_REQUESTS (h2load -n, default 40000), BENCH_ACCEPT_RUNS, BENCH_E2E (messages, default 20000),
 *              BENCH_WINDOW (e2e messages in flight, default 100).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { summarizeProfiles } from './cpuprofile';
import { call, connect, subscribe } from './h2-client';
import { runH2load as h2load, withTimeout, type H2loadResult } from './h2load';
import { printJson, type BenchFigure } from './record';
import { startRedis } from '../test/helpers/redis';

const repoRoot = path.resolve(import.meta.dirname, '..');
const envInt = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
};

const BODY_BYTES = 3 * 1024;
const RUNS = 3;
/** Accept rounds: each is cheap (~1–2 s), and one round's ratio is the noisiest figure here. */
const ACCEPT_RUNS = envInt('BENCH_ACCEPT_RUNS', 6);
const H2LOAD = {
  requests: envInt('BENCH_REQUESTS', 40_000),
  clients: 4,
  streams: 32,
  warmup: 5_000,
};
const E2E = {
  messages: envInt('BENCH_E2E', 20_000),
  window: envInt('BENCH_WINDOW', 100),
  warmup: 2_000,
  /** Abort when no push arrives for this long. */
  stallMs: 15_000,
};
/** The bench user agent's connection-level receive window (see e2ePath). */
const UA_WINDOW_BYTES = 8 << 20;
// Issue 13's table: accept ≥ 60 % of bare node:http2, end to end ≥ 20,000 msg/s, p99 < 20 ms at half load.
const GOALS = { acceptRatio: 0.6, durableRatio: 0.7, e2eRate: 20_000, e2eP99Ms: 20 };
const CPU_PROF = process.argv.includes('--cpu-prof');
const TRACE_GC = process.argv.includes('--trace-gc');
/** Upper bounds (ms) of the latency histogram's buckets; one more bucket holds the rest. */
const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100] as const;
const ONLY = /^--only=(accept|e2e)$/.exec(
  process.argv.find((a) => a.startsWith('--only=')) ?? '',
)?.[1];

const STORE_REDIS = process.argv.includes('--store=redis');

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const percentile = (sorted: Float64Array, p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

// ---- server processes ----------------------------------------------------------------------

interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Rejects if the process ends before stop() was called (it crashed). */
  died: Promise<never>;
  /** The process's user + system CPU time so far, in µs. */
  cpuMicros(): Promise<number>;
  /** Its collector's pauses so far, read from --trace-gc (zeros without --trace-gc). */
  readonly gc: GcTally;
  stop(): Promise<void>;
}

/** What a server's collector did, summed from its --trace-gc lines. */
interface GcTally {
  scavenges: number;
  /** Full collections (Mark-Compact, Mark-sweep). */
  fulls: number;
  /** The pauses' sum and the longest, in ms (the main thread's time stopped). */
  pauseMs: number;
  pauseMsMax: number;
}

/** A --trace-gc line's kind and pause, e.g. `Scavenge 10.2 (12.3) -> 9.8 (13.3) MB, 1.23 / 0.00 ms`. */
const GC_LINE =
  /: (Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Compact)[^,]*, ([\d.]+) \/ [\d.]+ ms/;

function tallyGc(tally: GcTally, line: string): void {
  const m = GC_LINE.exec(line);
  if (!m) return;
  const pauseMs = Number(m[2]);
  if (m[1] === 'Scavenge' || m[1] === 'Minor Mark-Compact') tally.scavenges += 1;
  else tally.fulls += 1;
  tally.pauseMs += pauseMs;
  tally.pauseMsMax = Math.max(tally.pauseMsMax, pauseMs);
}

async function startServer(
  mode: 'bare' | 'push',
  profileDir: string | null,
  storeDir: string | null = null,
) {
  const nodeArgs = [
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ...(TRACE_GC ? ['--trace-gc'] : []),
  ];
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      '--import',
      'tsx',
      path.join('bench', 'server.ts'),
      mode,
      '10000000',
      ...(storeDir ? [storeDir] : []),
    ],
    { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let stopping = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const died = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => {
      if (!stopping) {
        reject(
          new Error(
            `the ${mode} server process died (exit ${code ?? signal}); see its stderr above`,
          ),
        );
      }
    }),
  );
  died.catch(() => {});
  const cpuAnswers: ((micros: number) => void)[] = [];
  const gc: GcTally = { scavenges: 0, fulls: 0, pauseMs: 0, pauseMsMax: 0 };
  const url = await withTimeout(
    new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const m = /^READY (\S+)/.exec(line);
        if (m) resolve(m[1]!);
        const cpu = /^CPU (\d+)/.exec(line);
        if (cpu) cpuAnswers.shift()?.(Number(cpu[1]));
        if (TRACE_GC) tallyGc(gc, line);
      });
      void exited.then(() => reject(new Error(`bench/server.ts ${mode} exited early`)));
    }),
    `start ${mode} server`,
    30_000,
  );
  const server: ServerProcess = {
    url,
    child,
    died,
    gc,
    cpuMicros() {
      const answer = new Promise<number>((resolve) => cpuAnswers.push(resolve));
      child.stdin!.write('cpu\n');
      return withTimeout(Promise.race([answer, died]), `CPU time of the ${mode} server`, 10_000);
    },
    async stop() {
      stopping = true;
      if (child.exitCode !== null) return;
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return server;
}

// ---- node:http2 client bits ----------------------------------------------------------------

// ---- h2load ----------------------------------------------------------------------------------

/** h2load with the accept path's shape. */
const runH2load = (url: string, requests: number, dataFile: string, headers: string[]) =>
  h2load(url, requests, dataFile, headers, H2LOAD);

function describeRun(label: string, r: H2loadResult): string {
  const bad = r.status2xx === r.total ? '' : `   !! ${r.total - r.status2xx} not 2xx (${r.other})`;
  return `  ${label.padEnd(22)} ${fmt(r.reqPerSec).padStart(8)} req/s   (${r.finished}; ${fmt(r.status2xx)}/${fmt(r.total)} 2xx)${bad}`;
}

interface AcceptResult {
  bare: number;
  ours: number;
  durable: number;
  /** Medians of each round's ratio (ours/bare, durable/ours): neighbours share the machine's load. */
  oursPaired: number;
  durablePaired: number;
  /** Every round's ours/bare, in round order: the spread the goal "in every run" is about. */
  oursRatios: number[];
  /** Server CPU time per accepted request (µs), median, and ours/bare run by run. */
  bareCpu: number;
  oursCpu: number;
  cpuPaired: number;
}

async function acceptPath(
  dataFile: string,
  storeDir: string,
  profileDir: string | null,
): Promise<AcceptResult> {
  const bare = await startServer('bare', null);
  const ours = await startServer('push', profileDir);
  const durable = await startServer('push', profileDir, storeDir);
  const controls = [await connect(ours.url), await connect(durable.url)] as const;
  const rate = { bare: [] as number[], ours: [] as number[], durable: [] as number[] };
  const cpu = { bare: [] as number[], ours: [] as number[], durable: [] as number[] };
  try {
    type Side = keyof typeof rate;
    const server = { bare, ours, durable } as const;
    const runSide = async (side: Side, requests: number): Promise<H2loadResult> => {
      const service = server[side];
      // A fresh subscription per service run, deleted afterwards: the queue holds one run at most.
      const control = side === 'bare' ? null : controls[side === 'ours' ? 0 : 1];
      const sub = control ? await subscribe(control) : null;
      const cpuBefore = await service.cpuMicros();
      const r = await Promise.race([
        runH2load(service.url + (sub?.pushPath ?? '/push/bare'), requests, dataFile, ['ttl: 60']),
        service.died,
      ]);
      cpu[side].push(((await service.cpuMicros()) - cpuBefore) / Math.max(1, r.status2xx));
      if (control && sub) await call(control, { ':method': 'DELETE', ':path': sub.subPath });
      return r;
    };
    out(`  warm-up: ${fmt(H2LOAD.warmup)} requests each`);
    for (const side of ['bare', 'ours', 'durable'] as const) {
      await runSide(side, H2LOAD.warmup);
      cpu[side].length = 0;
    }
    const label = { bare: '(a) bare   ', ours: '(b) ours   ', durable: '(d) durable' } as const;
    for (let run = 1; run <= ACCEPT_RUNS; run += 1) {
      // a b d, then d b a: a load that drifts through a round weighs on both ends alike.
      const order: Side[] = run % 2 ? ['bare', 'ours', 'durable'] : ['durable', 'ours', 'bare'];
      for (const side of order) {
        const r = await runSide(side, H2LOAD.requests);
        out(describeRun(`${label[side]}  run ${run}/${ACCEPT_RUNS}`, r));
        rate[side].push(r.reqPerSec);
      }
    }
  } finally {
    for (const control of controls) control.destroy();
    await bare.stop();
    await ours.stop();
    await durable.stop();
  }
  const oursRatios = rate.ours.map((o, i) => o / rate.bare[i]!);
  return {
    bare: median(rate.bare),
    ours: median(rate.ours),
    durable: median(rate.durable),
    oursPaired: median(oursRatios),
    durablePaired: median(rate.durable.map((d, i) => d / rate.ours[i]!)),
    oursRatios,
    bareCpu: median(cpu.bare),
    oursCpu: median(cpu.ours),
    cpuPaired: median(cpu.ours.map((c, i) => c / cpu.bare[i]!)),
  };
}

// ---- end to end ------------------------------------------------------------------------------

interface E2eResult {
  messages: number;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
  max: number;
  refused: number;
  ackFailures: number;
  /** The push service process's CPU time per delivered message, in µs. */
  serviceMicrosPerMessage: number;
  /** How many latencies fell at or under each of LATENCY_BUCKETS_MS, and over the last. */
  histogram: number[];
  /** This bench process's own event-loop delay over the run (p99, max; ms): its stalls are every message's. */
  benchLoopP99Ms: number;
  benchLoopMaxMs: number;
  /** The server's collector during the run (--trace-gc), or null. */
  gc: GcTally | null;
}

/**
 * Sends `total` messages AS → service → UA with at most `window` not yet received: each
 * reception sends the next, or, paced, sends follow `pacePerSecond` from the start.
 */
async function endToEnd(
  as: ClientHttp2Session,
  ua: ClientHttp2Session,
  pushPath: string,
  total: number,
  pacePerSecond: number | null = null,
): Promise<Omit<E2eResult, 'serviceMicrosPerMessage' | 'gc'>> {
  const sentAt = new Float64Array(total);
  const latency = new Float64Array(total);
  const seen = new Uint8Array(total);
  const template = Buffer.alloc(BODY_BYTES, 0x78);
  let next = 0;
  let received = 0;
  let refused = 0;
  let ackFailures = 0;
  let lastProgress = performance.now();
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));

  const sendNext = (): void => {
    if (next >= total) return;
    const i = next++;
    const body = Buffer.from(template);
    body.writeUInt32BE(i, 0);
    sentAt[i] = performance.now();
    const stream = as.request({ ':method': 'POST', ':path': pushPath, ttl: '60' });
    stream.on('response', (h) => {
      if (h[':status'] !== 201) refused += 1;
    });
    stream.on('error', () => (refused += 1));
    stream.resume();
    stream.end(body);
  };

  const onPush = (pushed: ClientHttp2Stream, requestHeaders: IncomingHttpHeaders): void => {
    const messagePath = String(requestHeaders[':path']);
    const chunks: Buffer[] = [];
    pushed.on('error', () => {});
    pushed.on('data', (c: Buffer) => chunks.push(c));
    pushed.on('end', () => {
      const now = performance.now();
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const ack = ua.request({ ':method': 'DELETE', ':path': messagePath });
      ack.on('response', (h) => {
        if (h[':status'] !== 204) ackFailures += 1;
      });
      ack.on('error', () => (ackFailures += 1));
      ack.resume();
      if (body.length < 4) return;
      const i = body.readUInt32BE(0);
      if (i >= total || seen[i]) return;
      seen[i] = 1;
      latency[received] = now - sentAt[i]!;
      received += 1;
      lastProgress = now;
      if (received === total) finish();
      else if (pacePerSecond === null) sendNext();
    });
  };
  ua.on('stream', onPush);
  const watchdog = setInterval(() => {
    if (performance.now() - lastProgress > E2E.stallMs) finish();
  }, 1000);
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const started = performance.now();
  let pacer: NodeJS.Timeout | undefined;
  if (pacePerSecond === null) {
    for (let k = 0; k < E2E.window; k += 1) sendNext();
  } else {
    pacer = setInterval(() => {
      const due = Math.min(total, ((performance.now() - started) / 1000) * pacePerSecond);
      while (next < due && next - received < E2E.window) sendNext();
    }, 1);
  }
  await done;
  const seconds = (performance.now() - started) / 1000;
  loopDelay.disable();
  clearInterval(watchdog);
  clearInterval(pacer);
  ua.off('stream', onPush);
  if (received < total) {
    throw new Error(
      `end to end: stalled at ${received}/${total} received (${refused} sends refused)`,
    );
  }
  const sorted = latency.subarray(0, received).sort();
  const histogram = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  for (const ms of sorted) {
    const bucket = LATENCY_BUCKETS_MS.findIndex((max) => ms <= max);
    histogram[bucket < 0 ? LATENCY_BUCKETS_MS.length : bucket]! += 1;
  }
  return {
    histogram,
    benchLoopP99Ms: loopDelay.percentile(99) / 1e6,
    benchLoopMaxMs: loopDelay.max / 1e6,
    messages: received,
    seconds,
    rate: received / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1]!,
    refused,
    ackFailures,
  };
}

/** One server's end-to-end rig: its user agent (monitoring) and application server. */
async function e2eRig(server: ServerProcess) {
  const ua = await connect(server.url, {
    settings: { enablePush: true, initialWindowSize: 1 << 20 },
  });
  // The user agent opens its connection window as browsers do (Chrome 15 MB, Firefox 12 MB).
  // At HTTP/2's initial 65,535 bytes the service's nghttp2 splits the ~22nd 3 KB push of each
  // window and leaves the rest waiting behind every newer push: 0.7 s stalls, a third of the
  // rate (issue 13). An earlier note here saw node 20.20.2 abort with this call; none of
  // issue 13's runs did (bench/RESULTS.md, "Issue 13, e2e part"), and an abort ends the run,
  // not skews it.
  ua.setLocalWindowSize(UA_WINDOW_BYTES);
  const as = await connect(server.url);
  const { subPath, pushPath } = await subscribe(ua);
  const monitor = ua.request({ ':method': 'GET', ':path': subPath });
  monitor.on('error', () => {});
  monitor.resume();
  return {
    async run(messages: number, pacePerSecond: number | null = null): Promise<E2eResult> {
      const cpuBefore = await server.cpuMicros();
      const gcBefore = { ...server.gc };
      const r = await Promise.race([
        endToEnd(as, ua, pushPath, messages, pacePerSecond),
        server.died,
      ]);
      const serviceMicrosPerMessage = ((await server.cpuMicros()) - cpuBefore) / r.messages;
      // The longest pause is the run's only when it grew during the run (else "≤" the earlier one).
      const gc = TRACE_GC
        ? {
            scavenges: server.gc.scavenges - gcBefore.scavenges,
            fulls: server.gc.fulls - gcBefore.fulls,
            pauseMs: server.gc.pauseMs - gcBefore.pauseMs,
            pauseMsMax: server.gc.pauseMsMax,
          }
        : null;
      return { ...r, serviceMicrosPerMessage, gc };
    },
    close(): void {
      monitor.close();
      ua.destroy();
      as.destroy();
    },
  };
}

function describeE2e(label: string, r: E2eResult): string {
  return `  ${label.padEnd(22)} ${fmt(r.rate).padStart(8)} msg/s   p50 ${fmt(r.p50, 2)} ms   p99 ${fmt(r.p99, 2)} ms   server CPU ${fmt(r.serviceMicrosPerMessage, 1)} µs/msg   (${r.refused} refused, ${r.ackFailures} acks failed)`;
}

/**
 * Where a run's latencies fell, and what else stalled meanwhile: this process's event loop
 * (the application server and user agent's side) and, with --trace-gc, the server's collector.
 */
function describeTail(r: E2eResult): string {
  const edges = LATENCY_BUCKETS_MS.map((max) => `≤${max}`).concat(`>${LATENCY_BUCKETS_MS.at(-1)}`);
  const buckets = r.histogram.map((n, i) => `${edges[i]} ms ${fmt(n)}`).join(', ');
  const gc = r.gc
    ? `; server GC ${r.gc.scavenges} scavenges + ${r.gc.fulls} full, paused ${fmt(r.gc.pauseMs, 1)} ms (longest so far ${fmt(r.gc.pauseMsMax, 1)} ms)`
    : '';
  return `      latency ${buckets}; max ${fmt(r.max, 1)} ms; bench loop delay p99 ${fmt(r.benchLoopP99Ms, 1)} ms, max ${fmt(r.benchLoopMaxMs, 1)} ms${gc}`;
}

/**
 * The same exchanges against (a) the bare node:http2 floor (bench/server.ts: nothing kept,
 * each body pushed on the held GET) and (c) the push service, alternating, RUNS each.
 */
async function e2ePath(profileDir: string | null) {
  const bare = await startServer('bare', null);
  const service = await startServer('push', profileDir);
  const rigs = { bare: await e2eRig(bare), ours: await e2eRig(service) };
  const runs = { bare: [] as E2eResult[], ours: [] as E2eResult[] };
  const paced = { bare: [] as E2eResult[], ours: [] as E2eResult[] };
  let pace: number;
  try {
    out(`  warm-up: ${fmt(E2E.warmup)} messages each`);
    await rigs.bare.run(E2E.warmup);
    await rigs.ours.run(E2E.warmup);
    for (let run = 1; run <= RUNS; run += 1) {
      const a = await rigs.bare.run(E2E.messages);
      out(describeE2e(`(a) bare     run ${run}/${RUNS}`, a));
      runs.bare.push(a);
      const c = await rigs.ours.run(E2E.messages);
      out(describeE2e(`(c) ours     run ${run}/${RUNS}`, c));
      runs.ours.push(c);
    }
    // The latency goal is at half the load: each server paced at half of our median rate.
    pace = Math.round(median(runs.ours.map((r) => r.rate)) / 2);
    for (let run = 1; run <= RUNS; run += 1) {
      const a = await rigs.bare.run(E2E.messages, pace);
      out(describeE2e(`(a) bare at ${fmt(pace)}/s`, a));
      out(describeTail(a));
      paced.bare.push(a);
      const c = await rigs.ours.run(E2E.messages, pace);
      out(describeE2e(`(c) ours at ${fmt(pace)}/s`, c));
      out(describeTail(c));
      paced.ours.push(c);
    }
  } finally {
    rigs.bare.close();
    rigs.ours.close();
    await bare.stop();
    await service.stop();
  }
  const of = (rs: E2eResult[], pick: (r: E2eResult) => number) => median(rs.map(pick));
  return {
    bare: {
      rate: of(runs.bare, (r) => r.rate),
      cpu: of(runs.bare, (r) => r.serviceMicrosPerMessage),
    },
    ours: {
      rate: of(runs.ours, (r) => r.rate),
      p50: of(runs.ours, (r) => r.p50),
      p99: of(runs.ours, (r) => r.p99),
      cpu: of(runs.ours, (r) => r.serviceMicrosPerMessage),
    },
    paced: {
      rate: pace,
      bareP99: of(paced.bare, (r) => r.p99),
      p50: of(paced.ours, (r) => r.p50),
      p99: of(paced.ours, (r) => r.p99),
    },
    // Each of ours against the bare run just before it (the load moves between rounds).
    ratePaired: median(runs.ours.map((r, i) => r.rate / runs.bare[i]!.rate)),
    cpuPaired: median(
      runs.ours.map((r, i) => r.serviceMicrosPerMessage / runs.bare[i]!.serviceMicrosPerMessage),
    ),
  };
}

// ---- main ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-push-'));
  const profileDir = CPU_PROF ? path.join(tmp, 'cpu-profiles') : null;
  const dataFile = path.join(tmp, 'body-3k.bin');
  writeFileSync(dataFile, Buffer.alloc(BODY_BYTES, 0x78));
  const h2load = spawnSync('h2load', ['--version'], { encoding: 'utf8' });
  const h2loadVersion = h2load.status === 0 ? h2load.stdout.trim() : null;

  out('push-lab bench:push');
  out(
    `machine: ${os.cpus().length} CPU × ${os.cpus()[0]?.model ?? '?'}, node ${process.version}, ${h2loadVersion ?? 'no h2load'}`,
  );
  out(
    `accept path: h2load -n ${H2LOAD.requests} -c ${H2LOAD.clients} -m ${H2LOAD.streams} -t 1 -d <${BODY_BYTES} B> -H 'ttl: 60'; ${ACCEPT_RUNS} rounds, a b d then d b a`,
  );
  out(
    `end to end: ${fmt(E2E.messages)} messages of ${BODY_BYTES} B, ${E2E.window} in flight, TTL 60, each acknowledged with DELETE`,
  );
  out();

  let accept: AcceptResult | null = null;
  let e2e: Awaited<ReturnType<typeof e2ePath>> | null = null;
  try {
    if (ONLY === 'e2e') {
      out('(a)/(b) SKIPPED: --only=e2e');
    } else if (h2loadVersion) {
      out('(a)/(b) accept path');
      if (STORE_REDIS) {
        const redis = await startRedis();
        try {
          out(`  (d) on Redis ${redis.url} (redis-server: appendonly yes, appendfsync always)`);
          accept = await acceptPath(dataFile, redis.url, profileDir);
        } finally {
          await redis.stop();
        }
      } else {
        accept = await acceptPath(dataFile, path.join(tmp, 'store'), profileDir);
      }
    } else {
      out(
        '(a)/(b) SKIPPED: h2load not found on PATH (Debian/Ubuntu: apt-get install nghttp2-client)',
      );
    }
    out();
    if (ONLY === 'accept') {
      out('(c) SKIPPED: --only=accept');
    } else {
      out('(a)/(c) end to end AS → server → UA');
      e2e = await e2ePath(profileDir);
    }

    out();
    out('results');
    if (accept) {
      out(`  (a) bare node:http2 accept     median ${fmt(accept.bare).padStart(8)} req/s`);
      out(`  (b) push service accept        median ${fmt(accept.ours).padStart(8)} req/s`);
      out(
        `  accept ratio ours/bare         ${fmt((accept.ours / accept.bare) * 100, 1).padStart(8)} %     (median over median)`,
      );
      out(
        `  accept ratio, run by run       ${fmt(accept.oursPaired * 100, 1).padStart(8)} %     goal ≥ ${GOALS.acceptRatio * 100} %: ${accept.oursPaired >= GOALS.acceptRatio ? 'MET' : 'NOT MET'}   (rounds: ${accept.oursRatios.map((r) => fmt(r * 100, 1)).join(', ')} %)`,
      );
      out(
        `      server CPU per request          ours ${fmt(accept.oursCpu, 1)} µs, bare ${fmt(accept.bareCpu, 1)} µs, ours/bare run by run ${fmt(accept.cpuPaired, 2)}×`,
      );
      const durableRatio = accept.durable / accept.ours;
      out(
        `  (d) durable accept (${STORE_REDIS ? 'Redis) ' : '--store)'}   median ${fmt(accept.durable).padStart(8)} req/s`,
      );
      out(
        `  durable/in-memory              ${fmt(durableRatio * 100, 1).padStart(8)} %     goal ≥ ${GOALS.durableRatio * 100} %: ${durableRatio >= GOALS.durableRatio ? 'MET' : 'NOT MET'}`,
      );
      out(
        `  durable/in-memory, run by run  ${fmt(accept.durablePaired * 100, 1).padStart(8)} %     (median of each round's ratio)`,
      );
    } else {
      out('  accept path                    skipped');
    }
    if (e2e) {
      out(`  (a) bare node:http2 end to end median ${fmt(e2e.bare.rate).padStart(8)} msg/s`);
      out(
        `  (c) end to end                 median ${fmt(e2e.ours.rate).padStart(8)} msg/s   goal ≥ ${fmt(GOALS.e2eRate)} msg/s: ${e2e.ours.rate >= GOALS.e2eRate ? 'MET' : 'NOT MET'}`,
      );
      out(
        `  end-to-end ratio ours/bare     ${fmt((e2e.ours.rate / e2e.bare.rate) * 100, 1).padStart(8)} %     run by run ${fmt(e2e.ratePaired * 100, 1)} %`,
      );
      out(
        `      latency send → push received  median p50 ${fmt(e2e.ours.p50, 2)} ms   p99 ${fmt(e2e.ours.p99, 2)} ms (${E2E.window} in flight)`,
      );
      out(
        `      at half that rate (${fmt(e2e.paced.rate)}/s)    median p50 ${fmt(e2e.paced.p50, 2)} ms   p99 ${fmt(e2e.paced.p99, 2)} ms   goal p99 < ${GOALS.e2eP99Ms} ms: ${e2e.paced.p99 < GOALS.e2eP99Ms ? 'MET' : 'NOT MET'}   (bare p99 ${fmt(e2e.paced.bareP99, 2)} ms)`,
      );
      out(
        `      server CPU per message          ours ${fmt(e2e.ours.cpu, 1)} µs, bare ${fmt(e2e.bare.cpu, 1)} µs, ours/bare run by run ${fmt(e2e.cpuPaired, 2)}× (each server process's user + system time: the figure a shared machine's load moves least)`,
      );
    } else {
      out('  end to end                     skipped');
    }
    if (profileDir) {
      out();
      out(`CPU profiles of the push service processes: ${profileDir}`);
      for (const line of summarizeProfiles(profileDir)) out(line);
    }
    printJson({ bench: 'push', figures: pushFigures(accept, e2e, h2loadVersion) });
  } finally {
    if (!profileDir) rmSync(tmp, { recursive: true, force: true });
  }
}

/** The figures for `npm run bench`; a part not run is "not measured" with its reason. */
function pushFigures(
  accept: AcceptResult | null,
  e2e: Awaited<ReturnType<typeof e2ePath>> | null,
  h2loadVersion: string | null,
): BenchFigure[] {
  const acceptReason =
    ONLY === 'e2e' ? '--only=e2e' : h2loadVersion === null ? 'h2load not found' : 'not run';
  const e2eReason = ONLY === 'accept' ? '--only=accept' : 'not run';
  const figure = (
    label: string,
    value: number | null,
    unit: string,
    goal: BenchFigure['goal'],
    reason: string,
  ): BenchFigure => ({ label, value, unit, goal, ...(value === null ? { reason } : {}) });
  return [
    figure(
      'accept path, ours / bare node:http2, run by run',
      accept ? accept.oursPaired * 100 : null,
      '%',
      { op: '>=', value: GOALS.acceptRatio * 100 },
      acceptReason,
    ),
    figure('accept path (b), median', accept?.ours ?? null, 'req/s', null, acceptReason),
    figure(
      'accept path, service CPU per request / bare node:http2',
      accept?.cpuPaired ?? null,
      '×',
      null,
      acceptReason,
    ),
    figure(
      STORE_REDIS ? 'durable (Redis) / in-memory accept' : 'durable / in-memory accept',
      accept ? (accept.durable / accept.ours) * 100 : null,
      '%',
      { op: '>=', value: GOALS.durableRatio * 100 },
      acceptReason,
    ),
    figure(
      'end to end AS → service → UA with ack',
      e2e?.ours.rate ?? null,
      'msg/s',
      { op: '>=', value: GOALS.e2eRate },
      e2eReason,
    ),
    figure(
      'end to end, service CPU per message / bare node:http2',
      e2e?.cpuPaired ?? null,
      '×',
      null,
      e2eReason,
    ),
    figure(
      'end to end latency p99 at half the rate',
      e2e?.paced.p99 ?? null,
      'ms',
      { op: '<', value: GOALS.e2eP99Ms },
      e2eReason,
    ),
  ];
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:push failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
