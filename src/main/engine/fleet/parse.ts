/**
 * The fleet engine's input checked once, at load: a bad option or step is one sentence naming
 * the field, the value and what is allowed (Artillery prints it and the run does not start).
 */
import { check, preview, type Checked } from '../validate';
import { parseFaultSpecs, type FaultSpec } from '../net/spec';
import { presetFaults } from '../net/presets';
import {
  FLEET_STEP_BODIES,
  FLEET_STEPS_MAX,
  STEP_KINDS,
  fleetOptionsSchema,
  targetSchema,
  type FleetOptions,
  type FleetStep,
} from './options';

/** Where the options live in an Artillery script, for messages. */
export const OPTIONS_FIELD = 'config.engines.push-lab';

export interface FleetConfig {
  /** The service URL (config.target). */
  target: string;
  options: FleetOptions;
  /** The link's faults: the preset's, then the script's, validated. */
  faults: FaultSpec[];
}

export function parseFleetConfig(target: unknown, options: unknown): Checked<FleetConfig> {
  const url = check(targetSchema, target, 'config.target');
  if (!url.ok) return url;
  const parsed = check(fleetOptionsSchema, options ?? {}, OPTIONS_FIELD);
  if (!parsed.ok) return parsed;
  const { link } = parsed.value;
  // The script's faults alone first, so a problem's index is the script's own.
  const own = parseFaultSpecs(link.faults);
  const faults = own.ok
    ? parseFaultSpecs([...(link.preset ? presetFaults(link.preset) : []), ...link.faults])
    : own;
  if (!faults.ok)
    return {
      ok: false,
      message: `${OPTIONS_FIELD}.link${own.ok ? ' (with its preset)' : '.faults'}${faults.problems[0]}`,
    };
  return { ok: true, value: { target: url.value, options: parsed.value, faults: faults.value } };
}

/** A scenario's flow: each step `{ <kind>: body }` with exactly one kind. */
export function parseFlow(flow: unknown, where = 'flow'): Checked<FleetStep[]> {
  if (!Array.isArray(flow) || flow.length === 0 || flow.length > FLEET_STEPS_MAX)
    return {
      ok: false,
      message: `${where}: got ${preview(flow)}; allowed a list of 1 to ${FLEET_STEPS_MAX} steps`,
    };
  const steps: FleetStep[] = [];
  for (const [i, step] of flow.entries()) {
    const keys =
      step !== null && typeof step === 'object' && !Array.isArray(step) ? Object.keys(step) : [];
    const kind = keys[0] as keyof typeof FLEET_STEP_BODIES;
    if (keys.length !== 1 || !STEP_KINDS.includes(kind))
      return {
        ok: false,
        message: `${where}.${i}: got ${preview(step)}; allowed one of ${STEP_KINDS.map((k) => `{ ${k}: … }`).join(', ')}`,
      };
    const body = (step as Record<string, unknown>)[kind];
    const checked = check(
      FLEET_STEP_BODIES[kind],
      kind === 'think' ? body : (body ?? {}),
      `${where}.${i}.${kind}`,
    );
    if (!checked.ok) return checked;
    steps.push({ [kind]: checked.value } as FleetStep);
  }
  return { ok: true, value: steps };
}
