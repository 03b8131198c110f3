/**
 * `npm run bench:fleet` — how big a fleet one process holds, and how fast virtual time runs.
 *
 * 1. Memory per user agent: N simulated user agents, each with its own real HTTP/2 session
 *    (over an in-memory link) to one push service, subscribed and holding a monitoring GET.
 *    RSS and heap are measured after a forced GC, against the same process before the fleet
 *    (the baseline), for growing N. Goal: 10,000 user agents at < 40 kB RSS each.
 * 2. Virtual time: 24 h of a 1,000-device fleet (20 field gateways × 50 sensors waking every
 *    5 minutes, plus 100 phones, with traffic) on the virtual clock. Reports wall-clock
 *    seconds and the speed-up (lab time / wall time). Goal: < 60 s.
 *
 * Run with `node --expose-gc` (the npm script does) so memory figures are after GC.
 *
 * --short (what `npm run bench -- --short` runs): 1,000 user agents only (FLEET_SIZES still
 * wins), and 2 h of the fleet's day instead of 24 h, its speed-up measured against the goal's
 * (24 h in 60 s is ×1,440); the memory goal, set at 10,000 UAs, is then not judged.
 * --json: ends with its figures as one line (bench/record.ts).
 * Environment: FLEET_SIZES (fleets to measure, default 1000,5000,10000; add 50000 for the big
 * one), FLEET_DAY_HOURS (lab hours of part 2 without --short, default 24: a shorter day for
 * quick before/after pairs), FLEET_PARTS (memory,day: which parts run). FLEET_DIGEST=1 has
 * part 2 print a sha256 of its event stream (every event as JSON), so a change that must not
 * change a run can show that it did not (it costs time: off by default).
 * FLEET_PROFILE_FROM_HOUR=h (with FLEET_PROFILE_DIR, default .) writes a CPU profile of the main
 * thread from lab hour h of part 2 to its end: `--cpu-prof` sees the whole run, startup included,
 * so it cannot tell a later hour of the day from the first ones.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import { driveVirtual } from '../src/main/engine/clock/driver';
import { VirtualClock } from '../src/main/engine/clock/virtual';
import { UserAgent } from '../src/main/engine/agents/user-agent';
import { Link } from '../src/main/engine/net/link';
import { PushService } from '../src/main/engine/push/service';
import { CLOSED_WORLD_LIMITS } from '../src/main/engine/push/types';
import { Rng } from '../src/main/engine/rng/rng';
import { validateScenario } from '../src/main/engine/scenario/load';
import { runScenario } from '../src/main/engine/scenario/run';
import { EventBus } from '../src/main/engine/trace/bus';
import { printJson, type BenchFigure } from './record';

const SHORT = process.argv.includes('--short');
/** Lab time of the fleet's day the bench runs: the whole day, or two hours of it (--short). */
const DAY_HOURS = SHORT ? 2 : Number(process.env['FLEET_DAY_HOURS'] ?? '24');
/** The goal: 24 h of lab time in under 60 s of wall time. */
const DAY_GOAL_SECONDS = 60;
const SPEED_UP_GOAL = 86_400 / DAY_GOAL_SECONDS;
/** Less than the whole day: judged by its speed-up against the goal's. */
const PART_OF_DAY = DAY_HOURS !== 24;

const gc = (globalThis as { gc?: () => void }).gc;

function memory(): { rss: number; heap: number } {
  for (let i = 0; i < 3; i++) gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external + m.arrayBuffers };
}

/**
 * CPU seconds of the main thread alone (Linux: /proc/self/task/<pid>/stat), or null elsewhere:
 * process.cpuUsage() also counts worker threads (the sender-secret worker, V8's GC helpers).
 */
function mainThreadCpuSeconds(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime: fields 14 and 15 of stat(5), 12 and 13 after the name; in clock ticks.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * A CPU profile of the main thread over part of a run, started and stopped by the bench
 * (node:inspector's Profiler, the same format as --cpu-prof; bench/cpuprofile.ts reads both).
 */
class WindowProfiler {
  private session: Session | null = null;

  start(): void {
    this.session = new Session();
    this.session.connect();
    this.session.post('Profiler.enable');
    this.session.post('Profiler.start');
  }

  get started(): boolean {
    return this.session !== null;
  }

  /** Stops and writes the profile into `dir`; resolves with its path. */
  stop(dir: string, name: string): Promise<string> {
    const session = this.session;
    if (!session) return Promise.resolve('');
    return new Promise((resolve, reject) => {
      session.post('Profiler.stop', (error, result) => {
        session.disconnect();
        if (error) return reject(error);
        mkdirSync(dir, { recursive: true });
        const file = path.join(dir, name);
        writeFileSync(file, JSON.stringify(result.profile));
        resolve(file);
      });
    });
  }
}

const kB = (bytes: number): string => `${(bytes / 1024).toFixed(1)} kB`;

async function fleetMemory(
  count: number,
): Promise<{ perUaRss: number; perUaHeap: number; startSeconds: number }> {
  const clock = new VirtualClock(0);
  const bus = new EventBus(clock);
  let activity = 0;
  bus.subscribe(() => (activity += 1));
  const rng = new Rng(1);
  const service = new PushService(
    {
      serviceId: 'ps1',
      profile: 'rfc8030',
      host: '127.0.0.1',
      port: 0,
      tls: null,
      // A closed world (in-memory links, one lab): no per-address subscribe rate or idle
      // expiry, as a scenario's service has; the stranger-facing limits would refuse the fleet.
      limits: { ...CLOSED_WORLD_LIMITS, subscriptionCountMax: count + 10 },
    },
    clock,
    bus,
  );
  await service.start();
  const before = memory();
  const started = performance.now();
  const agents: UserAgent[] = [];
  const links: Link[] = [];
  // Start in waves so the event loop is never handed thousands of handshakes at once.
  const wave = 500;
  for (let i = 0; i < count; i += wave) {
    const starting: Promise<void>[] = [];
    for (let j = i; j < Math.min(count, i + wave); j++) {
      const link = new Link({ id: `l${j}` }, clock, rng.fork(`l${j}`));
      links.push(link);
      link.onTraffic(() => (activity += 1));
      const ua = new UserAgent(
        {
          agentId: `ua${j}`,
          serviceUrl: service.url,
          serviceId: 'ps1',
          subscribePath: '/subscribe',
          createConnection: () => link.connectInMemory((s) => service.acceptConnection(s)),
        },
        clock,
        bus,
        rng.fork(`ua${j}`),
      );
      agents.push(ua);
      starting.push(ua.start(1));
    }
    let done = false;
    void Promise.all(starting).then(() => (done = true));
    while (!done)
      await driveVirtual(clock, { untilMs: clock.now() + 100, activity: () => activity });
  }
  const startSeconds = (performance.now() - started) / 1000;
  const after = memory();
  const held = agents.filter((a) => a.connected).length;
  if (held !== count) throw new Error(`only ${held} of ${count} user agents connected`);
  const result = {
    perUaRss: (after.rss - before.rss) / count,
    perUaHeap: (after.heap - before.heap) / count,
    startSeconds,
  };
  let done = false;
  void Promise.all(agents.map((a) => a.stop())).then(() => (done = true));
  while (!done)
    await driveVirtual(clock, { untilMs: clock.now() + 1000, activity: () => activity });
  await Promise.all(links.map((l) => l.close()));
  await service.stop();
  return result;
}

async function dayOfFleet(
  hours: number,
  withDigest: boolean,
): Promise<{
  wallSeconds: number;
  cpuSeconds: number;
  mainCpuSeconds: number | null;
  events: number;
  digest: string | null;
}> {
  const loaded = validateScenario({
    name: 'bench: a day of 1,000 devices',
    seed: 1,
    duration: `${hours}h`,
    services: [{ id: 'ps1' }],
    links: [
      { id: 'backhaul', faults: [{ type: 'latency', attributes: { latency: 60, jitter: 20 } }] },
      { id: 'cell', preset: 'fast-4g' },
    ],
    gateways: [
      {
        id: 'gw',
        count: 18,
        service: 'ps1',
        link: 'backhaul',
        ackMode: 'end-to-end',
        devices: {
          count: 50,
          wakeEvery: '5m',
          awake: '2s',
          localLink: { latency: '40ms', loss: 0.05 },
        },
      },
    ],
    userAgents: [{ id: 'phone', count: 100, service: 'ps1', link: 'cell', radio: 'lte' }],
    appServers: [
      {
        id: 'telemetry-config',
        service: 'ps1',
        targets: ['gw'],
        traffic: { pattern: 'poisson', ratePerSecond: 0.2 },
        mix: { ttl: [{ value: 21600, share: 1 }], topicShare: 0.5, topics: 10 },
      },
      {
        id: 'app',
        service: 'ps1',
        targets: ['phone'],
        traffic: { pattern: 'poisson', ratePerSecond: 0.5 },
        mix: { ttl: [{ value: 3600, share: 1 }], receiptShare: 0.2 },
      },
    ],
  });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const mainBefore = mainThreadCpuSeconds();
  let events = 0;
  const digest = createHash('sha256');
  const profileFromHour = process.env['FLEET_PROFILE_FROM_HOUR'];
  const profiler = profileFromHour === undefined ? null : new WindowProfiler();
  const profileFromMs = Number(profileFromHour) * 3_600_000;
  let firstMs: number | null = null;
  if (
    profileFromHour !== undefined &&
    !(Number(profileFromHour) >= 0 && Number(profileFromHour) < hours)
  )
    throw new Error(
      `FLEET_PROFILE_FROM_HOUR: got ${profileFromHour}, allowed a number of hours from 0 to below FLEET_DAY_HOURS (${hours})`,
    );
  await runScenario(
    loaded.scenario,
    {},
    {
      onEvent: (event) => {
        events += 1;
        if (withDigest) digest.update(`${JSON.stringify(event)}\n`);
        if (profiler && !profiler.started) {
          // Lab hours count from the run's first event (the virtual clock's epoch).
          firstMs ??= event.t;
          if (event.t - firstMs >= profileFromMs) profiler.start();
        }
      },
    },
  );
  if (profiler?.started) {
    const file = await profiler.stop(
      process.env['FLEET_PROFILE_DIR'] ?? '.',
      `fleet-h${profileFromHour}-${hours}.cpuprofile`,
    );
    process.stdout.write(`   profile of lab hours ${profileFromHour}–${hours}: ${file}\n`);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const mainAfter = mainThreadCpuSeconds();
  return {
    wallSeconds: (performance.now() - started) / 1000,
    // On a shared machine wall time follows the load; CPU time (user + system) much less.
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    mainCpuSeconds: mainBefore !== null && mainAfter !== null ? mainAfter - mainBefore : null,
    events,
    digest: withDigest ? digest.digest('hex') : null,
  };
}

/** Part 2: runs the fleet's day, prints its lines, returns its wall time and speed-up. */
async function runDay(): Promise<{ wallSeconds: number; speedUp: number }> {
  if (!(DAY_HOURS > 0 && DAY_HOURS <= 24))
    throw new Error(
      `FLEET_DAY_HOURS: got ${DAY_HOURS}, allowed a number of hours above 0, at most 24`,
    );
  process.stdout.write(
    `2. ${DAY_HOURS} h of a 1,000-device fleet (18 gateways × 50 sensors + 100 phones) on the virtual clock\n`,
  );
  const day = await dayOfFleet(DAY_HOURS, process.env['FLEET_DIGEST'] === '1');
  const labSeconds = DAY_HOURS * 3600;
  const speedUp = labSeconds / day.wallSeconds;
  process.stdout.write(
    `   ${day.wallSeconds.toFixed(1)} s wall clock for ${labSeconds.toLocaleString('en-US')} s of lab time (×${speedUp.toFixed(0)}), ${day.cpuSeconds.toFixed(1)} s CPU${day.mainCpuSeconds !== null ? ` (${day.mainCpuSeconds.toFixed(1)} s on the main thread)` : ''}, ${day.events} events${day.digest ? `, digest ${day.digest.slice(0, 16)}` : ''}\n`,
  );
  process.stdout.write(
    PART_OF_DAY
      ? `   goal ×${SPEED_UP_GOAL} (24 h in < ${DAY_GOAL_SECONDS} s): ${speedUp >= SPEED_UP_GOAL ? 'met' : 'not met'}\n`
      : `   goal < ${DAY_GOAL_SECONDS} s: ${day.wallSeconds < DAY_GOAL_SECONDS ? 'met' : 'not met'}\n`,
  );
  return { wallSeconds: day.wallSeconds, speedUp };
}

async function main(): Promise<void> {
  if (!gc)
    process.stdout.write(
      'note: run with node --expose-gc for memory after GC (npm run bench:fleet does)\n',
    );
  process.stdout.write('Push Lab fleet benchmark (in-memory links, real HTTP/2 sessions)\n\n');
  process.stdout.write(
    '1. memory per user agent (RSS and heap growth over the baseline process, after GC)\n',
  );
  const parts = (process.env['FLEET_PARTS'] ?? 'memory,day').split(',');
  const counts = parts.includes('memory')
    ? (process.env['FLEET_SIZES'] ?? (SHORT ? '1000' : '1000,5000,10000')).split(',').map(Number)
    : [];
  let last = null as null | { count: number; perUaRss: number };
  let fifty = false;
  for (const count of counts) {
    const r = await fleetMemory(count);
    process.stdout.write(
      `   ${String(count).padStart(6)} UAs: ${kB(r.perUaRss)} RSS/UA, ${kB(r.perUaHeap)} heap/UA, started in ${r.startSeconds.toFixed(1)} s\n`,
    );
    // The goal is judged on the 10,000 fleet wherever it is in the list, else on the last.
    if (last?.count !== 10_000) last = { count, perUaRss: r.perUaRss };
    if (count >= 50_000) fifty = true; // fleetMemory throws unless every one connected
  }
  if (last) {
    const met = last.count >= 10_000 && last.perUaRss < 40 * 1024;
    process.stdout.write(
      `   goal 10,000 UAs at < 40 kB RSS each: ${met ? 'met' : 'not met'} (${last.count} at ${kB(last.perUaRss)})\n`,
    );
  }
  if (counts.length > 0)
    process.stdout.write(
      `   goal 50,000 UAs in one process: ${fifty ? 'met' : 'not measured (FLEET_SIZES=…,50000)'}\n\n`,
    );
  const day = parts.includes('day') ? await runDay() : null;

  const figures: BenchFigure[] = [];
  if (last) {
    const judged = last.count >= 10_000;
    figures.push({
      label: `RSS per user agent, ${last.count.toLocaleString('en-US')} UAs in one process`,
      value: last.perUaRss / 1024,
      unit: 'kB',
      goal: judged ? { op: '<', value: 40 } : null,
      ...(judged ? {} : { note: 'the goal is set at 10,000 UAs' }),
    });
  }
  if (day)
    figures.push(
      PART_OF_DAY
        ? {
            label: 'fleet day on the virtual clock: speed-up',
            value: day.speedUp,
            unit: '×',
            goal: { op: '>=', value: SPEED_UP_GOAL },
            note: `${SHORT ? '--short' : 'FLEET_DAY_HOURS'}: ${DAY_HOURS} h of lab time`,
          }
        : {
            label: '24 h of the 1,000-device fleet, wall',
            value: day.wallSeconds,
            unit: 's',
            goal: { op: '<', value: DAY_GOAL_SECONDS },
          },
    );
  printJson({ bench: 'fleet', figures });
}

await main();
