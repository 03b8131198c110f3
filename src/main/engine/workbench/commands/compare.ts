/** Running one scenario under each protocol profile, side by side. */
import type { Profile } from '../../../../shared/events';
import { fail, ok, type Result } from '../../../../shared/result';
import { externalServiceIndex } from '../../scenario/external-schema';
import { parseScenario } from '../../scenario/load';
import type { Scenario } from '../../scenario/schema';
import { totalsProblems } from '../../scenario/totals';
import type { Handlers } from './handler';

export const compareHandlers: Handlers<'compare' | 'compare.progress' | 'compare.cancel'> = {
  compare: async (command, { comparisons }) => {
    const scenario = scenarioFrom(command.text, 'compare.text');
    if (!scenario.ok) return scenario;
    const external = externalServiceIndex(scenario.value);
    if (external >= 0) {
      return fail(
        'ERR_SCENARIO_INVALID',
        `compare: services.${external} is an external push service (url): Compare switches the lab's own services between profiles; run this scenario from the Scenario view instead`,
      );
    }
    // A longer durationMs plans more messages than the text was checked for.
    const totals = totalsProblems({
      ...scenario.value,
      duration: command.durationMs ?? scenario.value.duration,
    });
    if (totals.length > 0) {
      return fail('ERR_SCENARIO_INVALID', `compare: too big to run: ${totals.join('; ')}`);
    }
    return ok(
      await comparisons.run(scenario.value, {
        profiles: command.profiles as Profile[],
        ...(command.seed !== undefined ? { seed: command.seed } : {}),
        ...(command.durationMs !== undefined ? { durationMs: command.durationMs } : {}),
      }),
    );
  },
  'compare.progress': (_command, { comparisons }) => ok(comparisons.progress()),
  'compare.cancel': (_command, { comparisons }) => ok({ cancelled: comparisons.cancel() }),
};

function scenarioFrom(text: string, field: string): Result<Scenario> {
  const loaded = parseScenario(text, field);
  return loaded.ok
    ? ok(loaded.scenario)
    : fail(
        'ERR_SCENARIO_INVALID',
        `${field}: the scenario is not valid: ${loaded.problems.join('; ')}`,
      );
}
