/**
 * `npm run bench:sweep` — what the engine's worker pool buys on this machine's cores.
 *
 * 1. Sweep: N seeds of a scenario, each a full virtual run to its verdict (what
 *    `push-lab run FILE --seeds 1..N` does), on a fresh pool of 1 worker, then of 2 (or
 *    `--jobs-max`), alternating, R rounds. Reports the median wall time of each and the ratio.
 * 2. Compare: three profiles of a scenario (commute, shortened), in process one after another
 *    (the path Compare took before) against one worker per profile on a fresh pool,
 *    alternating, R rounds.
 *
 * Medians of alternating runs in one process, as the shared machine asks: read the ratios.
 * `--base DIR` takes the in-process side from another checkout (e.g. the commit before Compare
 * had workers), so before and after run alternately in one process.
 *   npm run bench:sweep -- [--seeds 8] [--rounds 3] [--compare-minutes 5] [--only=sweep|compare]
 *                          [--base /path/to/checkout]
 */
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { WorkerPool } from '../src/main/engine/parallel/pool';
import type { EngineTasks } from '../src/main/engine/parallel/tasks';
import { engineWorkerUrl } from '../src/main/engine/parallel/worker-url';
import { loadScenario } from '../src/main/engine/scenario/load';
import type { Scenario } from '../src/main/engine/scenario/schema';
import { compareProfiles } from '../src/main/engine/workbench/compare';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const SEEDS = flag('seeds', 8);
const ROUNDS = flag('rounds', 3);
const JOBS_MAX = flag('jobs-max', Math.min(2, availableParallelism()));
const COMPARE_MS = flag('compare-minutes', 5) * 60_000;
const PROFILES = ['rfc8030', 'draft-thomson', 'draft-damaggio'] as const;
const baseDir = args.includes('--base') ? args[args.indexOf('--base') + 1] : undefined;

const scenarios = path.resolve(import.meta.dirname, '../resources/scenarios');
async function scenario(name: string): Promise<Scenario> {
  const loaded = await loadScenario(path.join(scenarios, `${name}.yaml`));
  if (!loaded.ok) throw new Error(`${name}: ${loaded.problems.join('; ')}`);
  return loaded.scenario;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/**
 * Wall time and the cores the run kept busy on average: the process's CPU time (every thread,
 * workers included) over its wall time. On a shared machine the speed-up is bounded by the
 * cores the others leave; this says how many the run actually got.
 */
async function measured(run: () => Promise<unknown>): Promise<{ ms: number; cores: number }> {
  const cpu = process.cpuUsage();
  const ms = await timed(run);
  const used = process.cpuUsage(cpu);
  return { ms, cores: (used.user + used.system) / 1000 / ms };
}

/** Every seed of the sweep on a fresh pool of `jobs` workers (worker start-up included). */
async function sweep(base: Scenario, jobs: number): Promise<void> {
  const pool = new WorkerPool<EngineTasks>({ workerUrl: engineWorkerUrl(), workers: jobs });
  try {
    const verdicts = await Promise.all(
      Array.from({ length: SEEDS }, (_, i) =>
        pool.run('scenario.run', { scenario: { ...base, seed: i + 1 }, withReport: false }),
      ),
    );
    if (verdicts.some((v) => v.eventCount === 0)) throw new Error('a run with no events');
  } finally {
    await pool.close();
  }
}

/** `compareProfiles` of the `--base` checkout, or this one's. */
const inProcessCompare: typeof compareProfiles = baseDir
  ? (
      (await import(path.resolve(baseDir, 'src/main/engine/workbench/compare.ts'))) as {
        compareProfiles: typeof compareProfiles;
      }
    ).compareProfiles
  : compareProfiles;

/** The comparison in process (no pool) or on `pool` (kept warm, as the workbench keeps it). */
async function compare(base: Scenario, pool?: WorkerPool<EngineTasks>): Promise<void> {
  const run = pool ? compareProfiles : inProcessCompare;
  const result = await run(base, {
    profiles: PROFILES,
    durationMs: COMPARE_MS,
    ...(pool ? { pool } : {}),
  });
  if (result.rows.length !== PROFILES.length) throw new Error('rows missing');
}

/** A fresh pool's first answer to a 100 ms run: what starting a worker costs here. */
async function coldStart(base: Scenario): Promise<number> {
  const pool = new WorkerPool<EngineTasks>({ workerUrl: engineWorkerUrl(), workers: 1 });
  try {
    return await timed(() =>
      pool.run('scenario.run', { scenario: { ...base, duration: 100 }, withReport: false }),
    );
  } finally {
    await pool.close();
  }
}

async function alternate(
  title: string,
  a: { name: string; run: () => Promise<void> },
  b: { name: string; run: () => Promise<void> },
): Promise<void> {
  const times: [number[], number[]] = [[], []];
  const cores: [number[], number[]] = [[], []];
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const [i, side] of [a, b].entries()) {
      const m = await measured(side.run);
      times[i]!.push(m.ms);
      cores[i]!.push(m.cores);
      console.log(
        `  round ${round}: ${side.name} ${seconds(m.ms)}, ${m.cores.toFixed(2)} cores busy (load ${loadavg()[0]!.toFixed(1)})`,
      );
    }
  }
  const [ma, mb] = [median(times[0]), median(times[1])];
  // CPU seconds (all threads) each side spent: the work, whatever share of the cores it got.
  const cpu = (i: 0 | 1): string =>
    (median(times[i].map((t, r) => t * cores[i][r]!)) / 1000).toFixed(2);
  const byRound = times[0].map((t, i) => (t / times[1][i]!).toFixed(2));
  console.log(`${title}`);
  console.log(
    `  median ${a.name}: ${seconds(ma)} (${median(cores[0]).toFixed(2)} cores); median ${b.name}: ${seconds(mb)} (${median(cores[1]).toFixed(2)} cores)`,
  );
  console.log(`  speed-up ${(ma / mb).toFixed(2)}× (rounds: ${byRound.join(', ')})`);
  console.log(`  CPU time, median: ${a.name} ${cpu(0)} s; ${b.name} ${cpu(1)} s`);
}

console.log(
  `bench:sweep — ${new Date().toISOString()}, ${availableParallelism()} cores, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}, node ${process.version}`,
);
if (only !== 'compare') {
  const smoke = await scenario('smoke');
  console.log(`sweep: ${SEEDS} seeds of smoke (${smoke.duration / 1000} s lab time each)`);
  await alternate(
    `sweep of ${SEEDS} seeds`,
    { name: '--jobs 1', run: () => sweep(smoke, 1) },
    { name: `--jobs ${JOBS_MAX}`, run: () => sweep(smoke, JOBS_MAX) },
  );
}
if (only !== 'sweep') {
  const commute = await scenario('commute');
  const starts = [await coldStart(commute), await coldStart(commute), await coldStart(commute)];
  console.log(`worker start (a fresh pool's first 100 ms run): median ${seconds(median(starts))}`);
  console.log(`compare: commute, ${PROFILES.length} profiles, ${COMPARE_MS / 60_000} min each`);
  const pool = new WorkerPool<EngineTasks>({
    workerUrl: engineWorkerUrl(),
    workers: PROFILES.length,
  });
  // Warm, as the workbench's pool is after its first comparison.
  await Promise.all(
    PROFILES.map(() =>
      pool.run('scenario.run', { scenario: { ...commute, duration: 100 }, withReport: false }),
    ),
  );
  try {
    await alternate(
      'compare of three profiles',
      {
        name: `in process, in turn${baseDir ? ` (${path.basename(baseDir)})` : ''}`,
        run: () => compare(commute),
      },
      { name: `a worker per profile (${pool.size} workers)`, run: () => compare(commute, pool) },
    );
  } finally {
    await pool.close();
  }
}
