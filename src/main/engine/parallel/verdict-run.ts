/**
 * One scenario run to its verdict, with nothing written: the report and the checker's result,
 * small enough to send back from a worker. What a sweep's seed and each file of a batch
 * `push-lab run` are (the single-file run, with its trace and bundle, stays in cli/run.ts).
 */
import { reportExtras, runScenario } from '../scenario/run';
import type { Scenario } from '../scenario/schema';
import type { CheckResult } from '../trace/checker';
import { ReportBuilder, type Report } from '../trace/report';
import { VERSION } from '../version';

export interface RunProgress {
  elapsedMs: number;
  durationMs: number;
}

export interface RunVerdict {
  scenario: string;
  seed: number | string;
  eventCount: number;
  scheduleHash: string;
  startT: number;
  endT: number;
  cancelled: boolean;
  /** The whole report; null when not asked for (a sweep keeps thousands of verdicts). */
  report: Report | null;
  check: CheckResult;
}

export async function runToVerdict(
  scenario: Scenario,
  hooks: {
    onProgress?: (progress: RunProgress) => void;
    cancelled?: () => boolean;
    /** Send the report back (default true). */
    withReport?: boolean;
  } = {},
): Promise<RunVerdict> {
  const meta = {
    scenario: scenario.name,
    seed: scenario.seed,
    clockMode: scenario.clock.mode,
    pushLabVersion: VERSION,
  };
  const builder = new ReportBuilder({ meta });
  const outcome = await runScenario(
    scenario,
    {},
    {
      onEvent: (event) => builder.add(event),
      onProgress: (elapsedMs, durationMs) => hooks.onProgress?.({ elapsedMs, durationMs }),
      ...(hooks.cancelled ? { cancelled: hooks.cancelled } : {}),
    },
  );
  const { report, check } = builder.finish(outcome.endT, reportExtras(outcome));
  return {
    scenario: scenario.name,
    seed: scenario.seed,
    eventCount: outcome.eventCount,
    scheduleHash: outcome.scheduleHash,
    startT: outcome.startT,
    endT: outcome.endT,
    cancelled: outcome.cancelled,
    report: hooks.withReport === false ? null : report,
    check,
  };
}
