/** Starting shows that run (the sandbox, a scenario run) and a run's controls. */
import type { Command } from '../../../../shared/commands';
import { fail, ok, type Result } from '../../../../shared/result';
import type { RunStatus } from '../../../../shared/workbench';
import path from 'node:path';
import { resolveCaFiles } from '../../scenario/external-schema';
import { parseScenario } from '../../scenario/load';
import type { Scenario } from '../../scenario/schema';
import { FileAccessError } from '../../fs/confined';
import type { RunControl } from '../shows/show';
import type { CommandContext, Handlers } from './handler';

/** Every run control is the show's to do (or refuse): the answer is the status after it. */
async function control(command: RunControl, context: CommandContext): Promise<Result<RunStatus>> {
  await context.show.control(command);
  return ok(context.status());
}

export const runHandlers: Handlers<
  'sandbox' | 'run.start' | 'run.pause' | 'run.resume' | 'run.step' | 'run.speed' | 'run.stop'
> = {
  sandbox: async (_, context) => {
    await context.showSandbox();
    return ok(context.status());
  },
  'run.start': startRun,
  'run.pause': control,
  'run.resume': control,
  'run.step': control,
  'run.speed': control,
  'run.stop': control,
};

async function startRun(
  command: Extract<Command, { type: 'run.start' }>,
  context: CommandContext,
): Promise<Result<RunStatus>> {
  const loaded = parseScenario(command.text, command.path ?? 'scenario');
  if (!loaded.ok) {
    return fail('ERR_SCENARIO_INVALID', `the scenario is not valid: ${loaded.problems.join('; ')}`);
  }
  const file = command.path ? await scenarioFile(context, command.path) : null;
  const folder = file ? path.dirname(file.real) : null;
  const scenario = await withCaFiles(loaded.scenario, folder);
  if (!scenario.ok) return scenario;
  if (file !== null) await context.recent.add(file.name).catch(() => undefined);
  await context.showRun(scenario.value, loaded.input, {
    path: file?.name ?? null,
    folder,
    ...(command.seed !== undefined ? { seed: command.seed } : {}),
    speed: command.speed ?? defaultSpeed(scenario.value),
    paused: command.paused ?? false,
  });
  return ok(context.status());
}

/**
 * The scenario file `ref` (it may not exist yet): its real path and what the UI calls it;
 * refuses outside files.
 */
async function scenarioFile(
  { files }: CommandContext,
  ref: string,
): Promise<{ real: string; name: string }> {
  let real: string;
  try {
    real = await files.resolve(ref, 'scenario', 'read');
  } catch (error) {
    if (error instanceof FileAccessError) throw error;
    real = await files.resolve(ref, 'scenario', 'write');
  }
  return { real, name: await files.nameFor(ref, real, 'scenario') };
}

/**
 * The scenario with each external service's `ca` resolved in `folder` (the scenario file's,
 * where the file names it relative to; confined there as `push-lab run` confines it), or why
 * not: a scenario typed in the editor and never saved has no folder.
 */
export async function withCaFiles(
  scenario: Scenario,
  folder: string | null,
): Promise<Result<Scenario>> {
  const named = scenario.services.findIndex((s) => s.ca !== undefined);
  if (named < 0) return ok(scenario);
  if (folder === null) {
    return fail(
      'ERR_SCENARIO_INVALID',
      `services.${named}.ca: a CA file is named relative to the scenario's file; save the scenario first (or reach the service over http:, or with insecure: true)`,
    );
  }
  const resolved = await resolveCaFiles(scenario, folder);
  return resolved.ok
    ? ok(resolved.scenario)
    : fail('ERR_SCENARIO_INVALID', `the scenario is not valid: ${resolved.problems.join('; ')}`);
}

/** A real-time scenario runs at 1×, a scaled one at its speed, a virtual one at 10×. */
function defaultSpeed(scenario: Scenario): number {
  if (scenario.clock.mode === 'real') return 1;
  if (scenario.clock.mode === 'scaled') return scenario.clock.speed;
  return 10;
}
