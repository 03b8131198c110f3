/**
 * `push-lab run` of more than one run at once, each in a worker thread (engine/parallel):
 * several scenario files (`run a.yaml b.yaml`), a seed sweep (`run a.yaml --seeds 1..100`,
 * as TigerBeetle's simulator sweeps seeds), or both. Nothing is written but the lines printed:
 * a file's block (as a single run prints it) or one line per seed, then a summary naming the
 * seeds whose invariants fail. Exit 0 all hold, 1 a run failed or broke an invariant, 2 bad input.
 */
import { InvalidArgumentError } from 'commander';
import { setMaxListeners } from 'node:events';
import { SEED_NUMBER_MAX } from '../../shared/commands';
import { describeError, ENGINE_ERROR_CODES } from '../engine/errors';
import { POOL_WORKERS_MAX, WorkerPool } from '../engine/parallel/pool';
import type { EngineTasks } from '../engine/parallel/tasks';
import { engineWorkerUrl } from '../engine/parallel/worker-url';
import { loadScenario } from '../engine/scenario/load';
import { applyOverrides } from '../engine/scenario/run';
import type { Scenario } from '../engine/scenario/schema';
import { totalsProblems } from '../engine/scenario/totals';
import { CliError } from './options';
import { printAnswer, summarize, type Answer, type Job } from './batch-output';
import { runOverrides, type RunCliOptions } from './run';
import { onStopSignal } from './signals';

/** Seeds one sweep runs at most. */
export const SWEEP_SEEDS_MAX = 10_000;
/** Scenario files one `run` takes at most. */
export const RUN_FILES_MAX = 100;
/** Runs (files × seeds) one batch holds at most: each answer is kept until the summary. */
export const BATCH_RUNS_MAX = 10_000;

const SEEDS_ALLOWED = `allowed seeds like 1..100 or 1,5,9 (whole numbers 0 to ${SEED_NUMBER_MAX}, at most ${SWEEP_SEEDS_MAX} of them, each once)`;

/** `--seeds 1..100`, `--seeds 1,5,9`, or both joined by commas (`1..10,20`). */
export function parseSeeds(value: string): number[] {
  const refuse = (why: string): InvalidArgumentError =>
    new InvalidArgumentError(`got "${value}"${why}; ${SEEDS_ALLOWED}`);
  const number = (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n > SEED_NUMBER_MAX) throw refuse(`: "${text}" is not a seed`);
    return n;
  };
  const seeds: number[] = [];
  const seen = new Set<number>();
  for (const item of value.split(',')) {
    const range = /^(\d+)\.\.(\d+)$/.exec(item.trim());
    const [from, to] = range ? [number(range[1]!), number(range[2]!)] : [number(item.trim()), -1];
    const last = range ? to : from;
    if (last < from) throw refuse(`: ${item.trim()} runs backwards`);
    if (seeds.length + (last - from + 1) > SWEEP_SEEDS_MAX)
      throw refuse(`: more than ${SWEEP_SEEDS_MAX} seeds`);
    for (let seed = from; seed <= last; seed += 1) {
      if (seen.has(seed)) throw refuse(`: ${seed} appears twice`);
      seen.add(seed);
      seeds.push(seed);
    }
  }
  return seeds;
}

/** `--jobs N`: worker threads, 1 to POOL_WORKERS_MAX (the pool also stops at the cores). */
export function parseJobs(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > POOL_WORKERS_MAX)
    throw new InvalidArgumentError(
      `got "${value}"; allowed a whole number from 1 to ${POOL_WORKERS_MAX}`,
    );
  return n;
}

export interface BatchCliOptions extends RunCliOptions {
  seeds?: number[];
  jobs?: number;
}

export async function runBatch(
  files: readonly string[],
  options: BatchCliOptions,
): Promise<number> {
  if (files.length > RUN_FILES_MAX)
    throw new CliError(
      `<files>: got ${files.length} scenario files; allowed at most ${RUN_FILES_MAX} in one run`,
      2,
    );
  const runs = files.length * (options.seeds?.length ?? 1);
  if (runs > BATCH_RUNS_MAX)
    throw new CliError(
      `--seeds: ${files.length} files × ${options.seeds?.length ?? 1} seeds = ${runs} runs; allowed at most ${BATCH_RUNS_MAX}`,
      2,
    );
  for (const [flag, given] of Object.entries({
    '--out': options.out,
    '--bundle': options.bundle,
    '--report': options.report,
  })) {
    if (given !== undefined)
      throw new CliError(
        `${flag}: writes one run's file; not with --seeds or several scenario files (run one of them on its own for it)`,
        2,
      );
  }
  if (options.seed !== undefined && options.seeds !== undefined)
    throw new CliError('--seed: one seed; not with --seeds (put it in the list)', 2);
  const overrides = runOverrides(options);

  const scenarios: { file: string; scenario: Scenario }[] = [];
  let invalid = false;
  for (const file of files) {
    const loaded = await loadScenario(file);
    if (!loaded.ok) {
      process.stderr.write(`push-lab: ${file} is not a valid scenario:\n`);
      for (const problem of loaded.problems) process.stderr.write(`  ${problem}\n`);
      invalid = true;
      continue;
    }
    const scenario = applyOverrides(loaded.scenario, overrides);
    const totals = totalsProblems(scenario);
    if (totals.length > 0) {
      process.stderr.write(`push-lab: ${file} is too big to run:\n`);
      for (const problem of totals) process.stderr.write(`  ${problem}\n`);
      invalid = true;
      continue;
    }
    if (options.seeds !== undefined && scenario.clock.mode !== 'virtual') {
      process.stderr.write(
        `push-lab: --seeds: a sweep runs each seed on the virtual clock; ${file} has clock.mode "${scenario.clock.mode}" (allowed: virtual)\n`,
      );
      invalid = true;
      continue;
    }
    scenarios.push({ file, scenario });
  }
  if (invalid) return 2;

  const jobs = scenarios.flatMap(({ file, scenario }): Job[] =>
    options.seeds === undefined
      ? [{ file, scenario, seed: undefined }]
      : options.seeds.map((seed) => ({ file, scenario: { ...scenario, seed }, seed })),
  );
  const pool = new WorkerPool<EngineTasks>({
    workerUrl: engineWorkerUrl(),
    ...(options.jobs !== undefined ? { workers: options.jobs } : {}),
    queueMax: jobs.length,
  });
  const stop = new AbortController();
  // Every run listens to the one interrupt: as many listeners as runs is no leak.
  setMaxListeners(jobs.length + 1, stop.signal);
  const stopListening = onStopSignal(() => stop.abort());
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  const sweep = options.seeds !== undefined;
  if (sweep && !options.json) {
    const what = files.length === 1 ? scenarios[0]!.scenario.name : `${files.length} files`;
    out(`sweep: ${options.seeds!.length} seeds of ${what} on ${pool.size} worker(s)`);
  }
  const answers: (Answer | undefined)[] = jobs.map(() => undefined);
  let printed = 0;
  let done = 0;
  const progress = options.progress && process.stderr.isTTY && !options.json;
  // Printed in order as soon as every earlier run has answered, so the output reads the same
  // whatever order the workers finish in.
  const printReady = (): void => {
    while (printed < jobs.length && answers[printed] !== undefined) {
      printAnswer(jobs[printed]!, answers[printed]!, {
        sweep,
        json: options.json,
        several: files.length > 1,
      });
      printed += 1;
    }
  };
  try {
    await Promise.all(
      jobs.map((job, index) =>
        pool
          .run(
            'scenario.run',
            // A sweep prints a line per seed: its thousands of reports would only take memory.
            { scenario: job.scenario, withReport: !sweep },
            { signal: stop.signal },
          )
          .then(
            (verdict): Answer => ({ ok: true, verdict }),
            (error: unknown): Answer => ({
              ok: false,
              error: describeError(error).message,
              notRun:
                stop.signal.aborted && describeError(error).code === ENGINE_ERROR_CODES.CANCELLED,
            }),
          )
          .then((answer) => {
            answers[index] = answer;
            done += 1;
            if (progress) process.stderr.write(`\r[${done}/${jobs.length} runs]   `);
            if (progress && done === jobs.length) process.stderr.write('\n');
            printReady();
          }),
      ),
    );
  } finally {
    stopListening();
    await pool.close();
  }

  const summary = summarize(jobs, answers as Answer[], files.length > 1);
  if (sweep) for (const line of options.json ? [summary.json] : summary.lines) out(line);
  return summary.exit;
}
