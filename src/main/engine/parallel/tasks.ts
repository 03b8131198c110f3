/**
 * The engine's task table: what its workers (worker.ts) run. Each task is a whole, independent
 * run on its own virtual clock — nothing is shared with the process that asked but the input
 * and the answer, both plain data (structured clone).
 */
import type { Profile } from '../../../shared/events';
import type { CompareRow } from '../../../shared/workbench';
import type { Scenario } from '../scenario/schema';
import { compareProfile, type CompareSettings } from '../workbench/compare';
import type { TaskHandlers, TaskSpec } from './protocol';
import { runToVerdict, type RunProgress, type RunVerdict } from './verdict-run';

export type EngineTasks = {
  /** A scenario (overrides applied) run to its verdict: a sweep's seed, a batch's file. */
  'scenario.run': TaskSpec<{ scenario: Scenario; withReport: boolean }, RunProgress, RunVerdict>;
  /** One profile of a comparison (workbench/compare.ts). */
  'compare.profile': TaskSpec<
    { scenario: Scenario; profile: Profile; settings: CompareSettings },
    RunProgress,
    CompareRow
  >;
};

export const ENGINE_TASKS: TaskHandlers<EngineTasks> = {
  'scenario.run': ({ scenario, withReport }, { progress, cancelled }) =>
    runToVerdict(scenario, { onProgress: progress, cancelled, withReport }),
  'compare.profile': ({ scenario, profile, settings }, { progress, cancelled }) =>
    compareProfile(scenario, profile, settings, { onProgress: progress, cancelled }),
};
