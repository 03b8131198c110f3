/**
 * What a batch `push-lab run` prints, from its runs' answers: a file's block, a seed's line,
 * the sweep's summary naming the failing seeds, and the exit code. Pure (lines in, lines out).
 */
import type { RunVerdict } from '../engine/parallel/verdict-run';
import type { Scenario } from '../engine/scenario/schema';
import { printRunText } from './run';
import { formatCount } from '../../shared/format';

export interface Job {
  file: string;
  scenario: Scenario;
  /** The swept seed; undefined for a plain file run. */
  seed: number | undefined;
}

export type Answer =
  | { ok: true; verdict: RunVerdict }
  /** `notRun`: cancelled by an interrupt before it finished. */
  | { ok: false; error: string; notRun: boolean };

/** 0: ran to the end with every invariant holding; 1: violations, a failure, or stopped. */
export const exitOf = (answer: Answer): number =>
  answer.ok && answer.verdict.check.violationCount === 0 && !answer.verdict.cancelled ? 0 : 1;

/** `seed 7: 281 events, 0 violations; exit 0` (a file's name first when several are swept). */
export function seedLine(job: Job, answer: Answer, several: boolean): string {
  const who = `${several ? `${job.file} ` : ''}seed ${job.seed}`;
  if (!answer.ok)
    return answer.notRun
      ? `${who}: not run (interrupted)`
      : `${who}: failed: ${answer.error}; exit 1`;
  const { eventCount, check, cancelled } = answer.verdict;
  const rules = Object.entries(check.countByRule)
    .filter(([, n]) => n > 0)
    .map(([rule, n]) => `${rule} ×${n}`);
  const broke = rules.length > 0 ? ` (${rules.join(', ')})` : '';
  const stopped = cancelled ? ', stopped early' : '';
  return `${who}: ${formatCount(eventCount)} events, ${formatCount(check.violationCount)} violations${broke}${stopped}; exit ${exitOf(answer)}`;
}

/** The sweep's closing lines (text and JSON) and the batch's exit code. */
export function summarize(
  jobs: readonly Job[],
  answers: readonly Answer[],
  several: boolean,
): { lines: string[]; json: string; exit: number } {
  const notRun = answers.filter((a) => !a.ok && a.notRun).length;
  const failing = jobs.filter((_, i) => {
    const answer = answers[i]!;
    return exitOf(answer) !== 0 && (answer.ok || !answer.notRun);
  });
  const names = failing.map((job) => (several ? `${job.file}@${job.seed}` : String(job.seed)));
  const interrupted = notRun > 0 ? ` (interrupted: ${notRun} not run)` : '';
  const lines = [
    failing.length === 0
      ? `sweep: all ${jobs.length - notRun} runs hold${interrupted}`
      : `sweep: ${jobs.length - notRun - failing.length} of ${jobs.length - notRun} runs hold; failing seeds: ${names.join(', ')}${interrupted}`,
  ];
  const first = failing[0];
  if (first) lines.push(`reproduce with: push-lab run ${first.file} --seed ${first.seed}`);
  const json = JSON.stringify({
    type: 'sweep',
    runs: jobs.length,
    failed: failing.length,
    failingSeeds: failing.map((job) => ({ file: job.file, seed: job.seed })),
    notRun,
  });
  // Interrupted: not every run is known to hold.
  return { lines, json, exit: failing.length > 0 || notRun > 0 ? 1 : 0 };
}

/** One run's output: its seed line (sweep), its block as a single run prints it, or JSON. */
export function printAnswer(
  job: Job,
  answer: Answer,
  how: { sweep: boolean; json: boolean; several: boolean },
): void {
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  const exit = exitOf(answer);
  if (how.json) {
    out(
      JSON.stringify(
        answer.ok
          ? {
              type: 'result',
              file: job.file,
              scheduleHash: answer.verdict.scheduleHash,
              seed: answer.verdict.seed,
              violations: answer.verdict.check.violationCount,
              exit,
              ...(how.sweep
                ? { events: answer.verdict.eventCount }
                : { report: answer.verdict.report }),
            }
          : {
              type: 'result',
              file: job.file,
              seed: job.seed ?? job.scenario.seed,
              error: answer.error,
              exit,
            },
      ),
    );
    return;
  }
  if (how.sweep) {
    out(seedLine(job, answer, how.several));
    return;
  }
  out(`${job.file}:`);
  if (!answer.ok) {
    out(`  failed: ${answer.error}`);
    return;
  }
  const { report } = answer.verdict;
  if (report === null) throw new Error('a file run answered without its report');
  printRunText(
    { ...answer.verdict, report },
    `push-lab run ${job.file} --seed ${String(job.scenario.seed)}`,
  );
}
