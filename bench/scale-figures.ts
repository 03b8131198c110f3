/**
 * bench:scale's pure parts: reading Redis's INFO text, the medians and ratios of its
 * configurations, and the figures it hands to `npm run bench` (bench/record.ts). Kept apart
 * from bench/scale.ts (which starts processes) so test/unit/bench/scale-figures.test.ts checks
 * them without running anything.
 */
import type { BenchFigure } from './record';

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * Commands Redis ran, by name, from `INFO commandstats` (`cmdstat_hset:calls=12,usec=…`).
 * The bench's own INFO calls are left out: they are the measuring, not the load.
 */
export function parseCommandstats(info: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (m[1] === 'info') continue;
    calls.set(m[1]!, Number(m[2]));
  }
  return calls;
}

/** What ran between two `parseCommandstats` readings, by command, most first. */
export function commandDelta(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): [string, number][] {
  return [...after]
    .map(([name, calls]): [string, number] => [name, calls - (before.get(name) ?? 0)])
    .filter(([, calls]) => calls > 0)
    .sort((a, b) => b[1] - a[1]);
}

/** `used_memory:123` from `INFO memory`, in bytes. */
export function parseUsedMemory(info: string): number {
  const m = /^used_memory:(\d+)/m.exec(info);
  if (!m)
    throw new Error(`INFO memory: no used_memory line in ${JSON.stringify(info.slice(0, 80))}`);
  return Number(m[1]);
}

/**
 * Several h2loads at once (one per instance): the requests they all got 2xx over the longest
 * one's time. Summing their rates would overstate when one finishes first.
 */
export function combinedRate(
  runs: readonly { status2xx: number; reqPerSec: number; total: number }[],
) {
  const seconds = Math.max(...runs.map((r) => (r.reqPerSec > 0 ? r.total / r.reqPerSec : 0)));
  const ok = runs.reduce((sum, r) => sum + r.status2xx, 0);
  return seconds > 0 ? ok / seconds : 0;
}

/** One configuration's medians over its runs. */
export interface ConfigFigures {
  /** "(a) 1 instance, memory" and so on. */
  label: string;
  instances: number;
  redis: boolean;
  /** h2load 2xx per second, over all instances. */
  accept: number;
  /** Messages delivered (and acked) per second, app server → service → user agents. */
  e2e: number;
  /** serve processes' CPU (user + system) per delivered message, all instances, µs. */
  serveMicrosPerMessage: number;
  /** The bench's own CPU per delivered message (its application server and user agents), µs. */
  clientMicrosPerMessage: number;
  /** redis-server's CPU per delivered message, µs (null in memory). */
  redisMicrosPerMessage: number | null;
  /** Redis commands per accepted message (h2load) and per delivered message (end to end). */
  redisOpsPerAccept: number | null;
  redisOpsPerMessage: number | null;
  /** used_memory growth per message left outstanding by an accept run, bytes. */
  redisBytesPerMessage: number | null;
}

/** What losing an instance mid-run cost: every 201-accepted message must still arrive. */
export interface KillFigures {
  accepted: number;
  delivered: number;
  /** Accepted (201) and never delivered by the end: the figure that must be 0. */
  lost: number;
  /** Sends that got no 201 (the killed instance's in-flight POSTs): the sender knows. */
  refused: number;
  /** Deliveries of a message already delivered (pushed by the dead one, not yet acked). */
  duplicates: number;
}

/** Ratio of two figures, null when either is missing or the base is 0. */
export const ratio = (value: number | null | undefined, base: number | null | undefined) =>
  value === null || value === undefined || !base ? null : value / base;

/**
 * The capacity model's check (docs/scale.md). Every process of an end-to-end run shares this
 * machine's cores (the bench's application server and user agents, each serve, redis-server),
 * so the rate is what the cores give divided by the CPU a message costs all of them:
 * rate(n) = rate(1) × cpu(1) / cpu(n).
 */
export function predictRate(rateOne: number, cpuOne: number, cpuN: number): number {
  return cpuN > 0 ? (rateOne * cpuOne) / cpuN : 0;
}

/**
 * The CPU a message costs n instances together, from one instance and two: every instance
 * holds every subscription and message (it reads each from the change stream), so each one
 * past the first adds what the second added. With shared-nothing instances that addition
 * would be 0 and n instances would cost what one costs.
 */
export function cpuForInstances(cpuOne: number, cpuTwo: number, instances: number): number {
  return cpuOne + (instances - 1) * (cpuTwo - cpuOne);
}

export const LOST_GOAL = { op: '<', value: 1 } as const;

/** The figures for `npm run bench`; a part not measured is null with its reason. */
export function scaleFigures(
  configs: readonly ConfigFigures[],
  kill: KillFigures | null,
  reason: string,
  hold: { homeBytes: number; replicaBytes: number; redisBytes: number } | null = null,
): BenchFigure[] {
  const [memory, redis, ...more] = configs;
  const fig = (label: string, value: number | null, unit: string, note?: string): BenchFigure => ({
    label,
    value,
    unit,
    goal: null,
    ...(note ? { note } : {}),
    ...(value === null ? { reason } : {}),
  });
  const pct = (v: number | null) => (v === null ? null : v * 100);
  const figures: BenchFigure[] = [
    fig('accept, 1 instance in memory', memory?.accept ?? null, 'req/s'),
    fig('accept, 1 instance on Redis / in memory', pct(ratio(redis?.accept, memory?.accept)), '%'),
    fig('end to end, 1 instance in memory', memory?.e2e ?? null, 'msg/s'),
    fig('end to end, 1 instance on Redis / in memory', pct(ratio(redis?.e2e, memory?.e2e)), '%'),
  ];
  for (const c of more) {
    figures.push(
      fig(
        `accept, ${c.instances} instances on one Redis / 1 in memory`,
        pct(ratio(c.accept, memory?.accept)),
        '%',
      ),
      fig(
        `end to end, ${c.instances} instances on one Redis / 1 in memory`,
        pct(ratio(c.e2e, memory?.e2e)),
        '%',
      ),
    );
  }
  figures.push(
    fig('Redis commands per message end to end', redis?.redisOpsPerMessage ?? null, 'ops'),
    fig('Redis memory per outstanding 3 KB message', redis?.redisBytesPerMessage ?? null, 'B'),
    fig('serve RSS per connected user agent (2 instances)', hold?.homeBytes ?? null, 'B'),
    fig('serve RSS per user agent on the other instance', hold?.replicaBytes ?? null, 'B'),
    {
      label: 'messages lost when one of 2 instances is killed with -9',
      value: kill?.lost ?? null,
      unit: 'msg',
      goal: LOST_GOAL,
      ...(kill ? { note: `${kill.accepted} accepted` } : { reason }),
    },
  );
  return figures;
}
