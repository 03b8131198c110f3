/** Starting shows that run (the sandbox, a scenario run) and a run's controls. */
import type { Command } from '../../../../shared/commands';
import { fail, ok, type Result } from '../../../../shared/result';
import type { RunStatus } from '../../../../shared/workbench';
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
  const name = command.path ? await scenarioName(context, command.path) : null;
  if (name !== null) await context.recent.add(name).catch(() => undefined);
  await context.showRun(loaded.scenario, loaded.input, {
    path: name,
    ...(command.seed !== undefined ? { seed: command.seed } : {}),
    speed: command.speed ?? defaultSpeed(loaded.scenario),
    paused: command.paused ?? false,
  });
  return ok(context.status());
}

/** What the UI calls the scenario file `ref` (it may not exist yet); refuses outside files. */
async function scenarioName({ files }: CommandContext, ref: string): Promise<string> {
  let file: string;
  try {
    file = await files.resolve(ref, 'scenario', 'read');
  } catch (error) {
    if (error instanceof FileAccessError) throw error;
    file = await files.resolve(ref, 'scenario', 'write');
  }
  return files.nameFor(ref, file, 'scenario');
}

/** A real-time scenario runs at 1×, a scaled one at its speed, a virtual one at 10×. */
function defaultSpeed(scenario: Scenario): number {
  if (scenario.clock.mode === 'real') return 1;
  if (scenario.clock.mode === 'scaled') return scenario.clock.speed;
  return 10;
}
