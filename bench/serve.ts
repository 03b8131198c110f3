/**
 * `npm run bench:serve`: how fast `push-lab serve` takes in and decrypts what an application
 * server sends — web-push's VAPID-signed aes128gcm, 200 B of text — with one built-in user
 * agent watching (it receives each message, decrypts it, acknowledges it and prints it), against
 * a floor measured in the same run: a bare node:http2 server that verifies the same VAPID
 * signature and decrypts the same kind of body on receipt, then answers 201 (what a mock push
 * service such as web-push-testing does, with nothing delivered). h2load -c 4 -m 10 sends to
 * each, each server in its own process, alternating rounds; medians.
 *
 * serve's rate counts the `message` lines its user agent printed, from h2load's start to the
 * last one; the floor's is h2load's own. Goal (issue 13): serve ≥ 10,000 msg/s.
 *
 * Each server's CPU time a message (user + system of its whole process, all threads, from
 * /proc) is printed beside its rate: on a machine shared with other work the rates move with
 * the neighbours' load, the CPU a message much less, so serve/floor is compared both ways.
 *
 *   npm run bench:serve [-- --json]      BENCH_SERVE_N (messages a round, default 20000),
 *                                        BENCH_SERVE_ROUNDS (default 3),
 *                                        BENCH_SERVE_PROFILE (a directory: the serve child's
 *                                        CPU profile is written there),
 *                                        BENCH_SERVE_ARGS (more serve flags, space-separated,
 *                                        e.g. "--decrypt-workers 0")
 *   tsx bench/serve.ts --floor           the floor server alone (what the bench starts)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import webpush from 'web-push';
import { b64uDecode } from '../src/main/engine/crypto/base64url';
import { verifyVapid } from '../src/main/engine/crypto/vapid';
import { createUaKeys, decryptFromPush } from '../src/main/engine/crypto/webpush';
import { binPath } from '../test/helpers/cli';
import { runH2load, type H2loadShape } from './h2load';
import { printJson } from './record';

const N = Number(process.env['BENCH_SERVE_N']) || 20_000;
const ROUNDS = Number(process.env['BENCH_SERVE_ROUNDS']) || 3;
const GOAL = 10_000;
const TEXT = 'x'.repeat(200);
/** As the issue measured it: h2load -c 4 -m 10. */
const SHAPE: H2loadShape = { clients: 4, streams: 10 };
const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

// ---- the floor: verify and decrypt on receipt, nothing kept --------------------------------

/** Keys the floor decrypts with, from the parent (its subscription's private half). */
interface FloorKeys {
  uaPrivate: string;
  uaPublic: string;
  authSecret: string;
}

async function floor(): Promise<void> {
  const keys = JSON.parse(process.env['BENCH_SERVE_KEYS']!) as FloorKeys;
  const decryptKeys = {
    uaPrivate: b64uDecode(keys.uaPrivate),
    uaPublic: b64uDecode(keys.uaPublic),
    authSecret: b64uDecode(keys.authSecret),
  };
  const server = http2.createServer();
  server.on('sessionError', () => {});
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const vapid = verifyVapid(headers['authorization'], {
        audience: `http://${headers[':authority']}`,
        nowSeconds: Math.floor(Date.now() / 1000),
      });
      let status = vapid.ok ? 201 : 401;
      if (vapid.ok) {
        try {
          decryptFromPush(Buffer.concat(chunks), decryptKeys);
        } catch {
          status = 400;
        }
      }
      if (!stream.destroyed) stream.respond({ ':status': status }, { endStream: true });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  out(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  process.stdin.resume();
  process.stdin.on('end', () => server.close(() => process.exit(0)));
}

/**
 * User + system CPU in µs, from /proc, of a process (all its threads) or, with `mainThread`,
 * of its main thread alone (the event loop; its task id is the pid); null where there is none.
 */
function cpuMicros(pid: number | undefined, mainThread = false): number | null {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    const file = mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
    const stat = readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
/** Linux's USER_HZ (getconf CLK_TCK), 100 on every architecture node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU µs a message between two readings, or null without /proc. */
function cpuPerMessage(
  before: number | null,
  after: number | null,
  messages: number,
): number | null {
  return before === null || after === null || messages === 0 ? null : (after - before) / messages;
}

const fmtCpu = (us: number | null): string =>
  us === null ? '' : `, ${fmt(us).padStart(5)} µs CPU/msg`;

// ---- the bench --------------------------------------------------------------------------

interface Sender {
  endpoint: string;
  dataFile: string;
  headers: string[];
}

/** One web-push request to `subscription`, its body in a file h2load sends each time. */
function request(
  subscription: webpush.PushSubscription,
  dir: string,
  name: string,
  vapid: { publicKey: string; privateKey: string },
): Sender {
  const details = webpush.generateRequestDetails(subscription, TEXT, {
    TTL: 60,
    vapidDetails: { subject: 'mailto:bench@example.com', ...vapid },
  });
  const dataFile = path.join(dir, `${name}.body`);
  writeFileSync(dataFile, details.body as Buffer);
  const headers = Object.entries(details.headers)
    .filter(([k]) => k.toLowerCase() !== 'content-length')
    .map(([k, v]) => `${k}: ${String(v)}`);
  return { endpoint: subscription.endpoint, dataFile, headers };
}

/** Lines of a child's stdout, one callback each. */
function lines(child: ChildProcess, onLine: (line: string) => void): void {
  createInterface({ input: child.stdout! }).on('line', onLine);
}

async function startFloor(): Promise<{ child: ChildProcess; url: string; keys: FloorKeys }> {
  const ua = createUaKeys();
  const keys = {
    uaPrivate: Buffer.from(ua.privateKey).toString('base64url'),
    uaPublic: ua.p256dh,
    authSecret: ua.auth,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--floor'], {
    env: { ...process.env, BENCH_SERVE_KEYS: JSON.stringify(keys) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    lines(child, (line) => line.startsWith('READY ') && resolve(line.slice(6)));
    child.on('exit', (code) => reject(new Error(`the floor server exited (${code})`)));
  });
  return { child, url, keys };
}

interface Serve {
  child: ChildProcess;
  subscription: webpush.PushSubscription;
  /** Messages its user agent printed so far. */
  received(): number;
  /** Resolves once `count` messages were printed. */
  until(count: number): Promise<void>;
}

/**
 * BENCH_SERVE_PROFILE=DIR: the serve child writes a V8 CPU profile there when it stops
 * (node refuses --cpu-prof in NODE_OPTIONS, so the bench passes it itself).
 */
function profileArgs(): string[] {
  const dir = process.env['BENCH_SERVE_PROFILE'];
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

async function startServe(dataDir: string): Promise<Serve> {
  const child = spawn(
    process.execPath,
    [
      ...profileArgs(),
      binPath,
      'serve',
      '--h2c',
      '--port',
      '0',
      '--subscriptions',
      '1',
      '--json',
      ...(process.env['BENCH_SERVE_ARGS']?.split(' ').filter(Boolean) ?? []),
    ],
    { env: { ...process.env, HOME: dataDir }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let received = 0;
  let waiter: { count: number; resolve(): void } | null = null;
  const subscription = await new Promise<webpush.PushSubscription>((resolve, reject) => {
    lines(child, (line) => {
      if (line.startsWith('{"type":"message"')) {
        received += 1;
        if (waiter && received >= waiter.count) waiter.resolve();
        return;
      }
      if (line.startsWith('{"type":"subscription"')) {
        resolve(JSON.parse(line) as webpush.PushSubscription);
      }
    });
    child.on('exit', (code) => reject(new Error(`push-lab serve exited (${code})`)));
  });
  return {
    child,
    subscription,
    received: () => received,
    until: (count) =>
      received >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => (waiter = { count, resolve })),
  };
}

async function main(): Promise<void> {
  if (spawnSync('h2load', ['--version']).status !== 0) {
    out('h2load is not installed (apt-get install nghttp2-client): nothing measured');
    printJson({
      bench: 'serve',
      figures: [
        {
          label: 'serve: app server → decrypted by its user agent',
          value: null,
          unit: 'msg/s',
          goal: { op: '>=', value: GOAL },
          reason: 'h2load is not installed',
        },
      ],
    });
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'push-lab-bench-serve-'));
  const vapid = webpush.generateVAPIDKeys();
  const floorServer = await startFloor();
  const serve = await startServe(dir);
  try {
    const toFloor = request(
      {
        endpoint: `${floorServer.url}/push/floor`,
        keys: { p256dh: floorServer.keys.uaPublic, auth: floorServer.keys.authSecret },
      },
      dir,
      'floor',
      vapid,
    );
    const toServe = request(serve.subscription, dir, 'serve', vapid);
    out(
      `${N} messages a round (${TEXT.length} B of text, aes128gcm, VAPID), h2load -c 4 -m 10, ${ROUNDS} rounds alternating\n`,
    );
    const floorRates: number[] = [];
    const serveRates: number[] = [];
    const floorCpu: number[] = [];
    const serveCpu: number[] = [];
    const serveLoopCpu: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const floorBefore = cpuMicros(floorServer.child.pid);
      const f = await runH2load(toFloor.endpoint, N, toFloor.dataFile, toFloor.headers, SHAPE);
      const fCpu = cpuPerMessage(floorBefore, cpuMicros(floorServer.child.pid), f.status2xx);
      floorRates.push(f.reqPerSec);
      if (fCpu !== null) floorCpu.push(fCpu);
      out(
        `  round ${round}  floor (verify + decrypt, 201)  ${fmt(f.reqPerSec).padStart(7)} msg/s${fmtCpu(fCpu)}`,
      );

      const before = serve.received();
      const serveBefore = cpuMicros(serve.child.pid);
      const loopBefore = cpuMicros(serve.child.pid, true);
      const started = performance.now();
      const s = await runH2load(toServe.endpoint, N, toServe.dataFile, toServe.headers, SHAPE);
      await Promise.race([
        serve.until(before + s.status2xx),
        new Promise((resolve) => setTimeout(resolve, 60_000)),
      ]);
      const got = serve.received() - before;
      const rate = got / ((performance.now() - started) / 1000);
      const sCpu = cpuPerMessage(serveBefore, cpuMicros(serve.child.pid), got);
      const loopCpu = cpuPerMessage(loopBefore, cpuMicros(serve.child.pid, true), got);
      serveRates.push(rate);
      if (sCpu !== null) serveCpu.push(sCpu);
      if (loopCpu !== null) serveLoopCpu.push(loopCpu);
      const missing =
        got < N ? `   !! ${N - got} not received (${s.other}; ${s.status2xx} 2xx)` : '';
      out(
        `  round ${round}  serve (201, pushed, decrypted)  ${fmt(rate).padStart(7)} msg/s${fmtCpu(sCpu)}${loopCpu === null ? '' : ` (${fmt(loopCpu)} on its event loop)`}${missing}`,
      );
    }
    const floorMedian = median(floorRates);
    const serveMedian = median(serveRates);
    const cpuRatio =
      floorCpu.length && serveCpu.length ? median(serveCpu) / median(floorCpu) : null;
    out(
      `\nmedians: floor ${fmt(floorMedian)} msg/s, serve ${fmt(serveMedian)} msg/s; serve/floor ${(serveMedian / floorMedian).toFixed(2)}; goal ≥ ${fmt(GOAL)} msg/s: ${serveMedian >= GOAL ? 'met' : 'NOT met'}`,
    );
    if (cpuRatio !== null)
      out(
        `CPU a message (medians): floor ${fmt(median(floorCpu))} µs, serve ${fmt(median(serveCpu))} µs (${fmt(median(serveLoopCpu))} on its event loop); serve/floor ${cpuRatio.toFixed(2)}`,
      );
    printJson({
      bench: 'serve',
      figures: [
        {
          label: 'serve: app server → decrypted by its user agent',
          value: Math.round(serveMedian),
          unit: 'msg/s',
          goal: { op: '>=', value: GOAL },
        },
        {
          label: 'serve / a bare server that verifies and decrypts on receipt',
          value: Number((serveMedian / floorMedian).toFixed(2)),
          unit: '×',
          goal: null,
        },
        ...(cpuRatio === null
          ? []
          : [
              {
                label: 'serve: CPU a message (all threads)',
                value: Math.round(median(serveCpu)),
                unit: 'µs',
                goal: null,
              },
              {
                label: "serve: its event loop's CPU a message",
                value: Math.round(median(serveLoopCpu)),
                unit: 'µs',
                goal: null,
              },
              {
                label: 'serve / the bare server, CPU a message',
                value: Number(cpuRatio.toFixed(2)),
                unit: '×',
                goal: null,
              },
            ]),
      ],
    });
  } finally {
    serve.child.kill('SIGTERM');
    floorServer.child.stdin!.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--floor')) void floor();
else
  main().catch((error: unknown) => {
    process.stderr.write(`bench:serve failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
