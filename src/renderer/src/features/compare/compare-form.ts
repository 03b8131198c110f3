/**
 * The Compare form: the scenario (an example or pasted text), the profiles, and the optional
 * seed and duration, turned into a `compare` command. Problems name the field, the value and
 * what is allowed. Pure.
 */
import type { Command } from '../../../../shared/commands';
import { PROFILES, type Profile } from '../../../../shared/events';
import type { ScenarioExample } from '../../../../shared/workbench';

export type CompareCommand = Extract<Command, { type: 'compare' }>;

/** The scenario source that means "the pasted text" rather than an example. */
export const PASTED = '';
/** Examples chosen first when present, in order. */
export const PREFERRED_EXAMPLES = ['compare-rfc8030', 'smoke'];
export const PROFILES_MAX = 3;
/** The `compare` command's bounds for `durationMs` and `seed`. */
export const DURATION_MS_MAX = 7 * 24 * 3_600_000;
export const SEED_CHARS_MAX = 200;

export interface CompareForm {
  /** An example's id, or PASTED. */
  source: string;
  pasted: string;
  profiles: Profile[];
  /** Empty: the scenario's own seed. */
  seed: string;
  /** Empty: the scenario's own duration. Like '90s', '2m', '1h' or plain seconds. */
  duration: string;
}

export type Built =
  { ok: true; command: CompareCommand } | { ok: false; field: string; message: string };

export const initialForm = (): CompareForm => ({
  source: PASTED,
  pasted: '',
  profiles: [...PROFILES],
  seed: '',
  duration: '',
});

/** The example to start with: a preferred one when present, else the first, else PASTED. */
export function defaultSource(examples: readonly ScenarioExample[]): string {
  for (const id of PREFERRED_EXAMPLES) if (examples.some((e) => e.id === id)) return id;
  return examples[0]?.id ?? PASTED;
}

/** `profiles` with `profile` added or taken out, kept in the order of PROFILES. */
export function toggleProfile(profiles: readonly Profile[], profile: Profile): Profile[] {
  const on = profiles.includes(profile);
  return PROFILES.filter((p) => (p === profile ? !on : profiles.includes(p)));
}

const quote = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);

const problem = (field: string, what: string, got: string, allowed: string): Built => ({
  ok: false,
  field,
  message: `${field}: ${what} (got ${got}, allowed ${allowed})`,
});

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Milliseconds from '250ms', '90s', '2m', '1.5h', '1d' or plain seconds; null if unreadable. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return null;
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']!);
}

/** The scenario text the form stands for. */
export function scenarioText(form: CompareForm, examples: readonly ScenarioExample[]): string {
  if (form.source === PASTED) return form.pasted;
  return examples.find((e) => e.id === form.source)?.text ?? '';
}

export function buildCompare(form: CompareForm, examples: readonly ScenarioExample[]): Built {
  const text = scenarioText(form, examples);
  if (text.trim() === '') {
    return form.source === PASTED
      ? problem('scenario', 'no text', '""', 'scenario YAML or JSON, pasted or from an example')
      : problem('scenario', 'unknown example', quote(form.source), 'one of the listed examples');
  }
  const count = form.profiles.length;
  if (count < 1 || count > PROFILES_MAX) {
    return problem('profiles', 'wrong number chosen', String(count), `1 to ${PROFILES_MAX}`);
  }
  const command: CompareCommand = { type: 'compare', text, profiles: form.profiles };
  const seed = form.seed.trim();
  if (seed !== '') {
    if (seed.length > SEED_CHARS_MAX) {
      return problem(
        'seed',
        'too long',
        `${seed.length} characters`,
        `1 to ${SEED_CHARS_MAX} characters`,
      );
    }
    command.seed = /^-?\d+$/.test(seed) && Number.isSafeInteger(Number(seed)) ? Number(seed) : seed;
  }
  const duration = form.duration.trim();
  if (duration !== '') {
    const ms = parseDuration(duration);
    if (ms === null) {
      return problem(
        'duration',
        'not a duration',
        quote(duration),
        'a number with ms, s, m, h or d, e.g. 90s or 2m (plain numbers are seconds)',
      );
    }
    if (ms < 1 || ms > DURATION_MS_MAX) {
      return problem('duration', 'out of range', quote(duration), '1 ms to 7 days');
    }
    command.durationMs = ms;
  }
  return { ok: true, command };
}
