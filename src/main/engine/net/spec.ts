/**
 * Fault specs: what a scenario file, a command or a preset says about a fault, validated by
 * zod. The shape follows Toxiproxy's JSON (`type`, `stream`, `toxicity`, `attributes`), plus
 * a `schedule`. Exported so scenario files can embed `faultSpecSchema` in their own schema.
 */
import { z } from 'zod';
import {
  FAULT_NAME_CHARS_MAX,
  FAULT_NAME_PATTERN,
  FAULT_TOXICITY_MAX,
  FAULT_TOXICITY_MIN,
} from '../../../shared/fault-bounds';
import { STAGE_DEFINITIONS } from './registry';
import type { StreamSelector } from './types';
import { describeIssues, problem, strict } from './validation';

/** A year: the furthest a timeline reaches and the longest Markov mean. */
export const SCHEDULE_MS_MAX = 31_536_000_000;
/** Most windows in one timeline. */
export const WINDOWS_MAX = 1000;
/** Most faults on one link. */
export const FAULTS_MAX = 64;

const scheduleMs = z.number().min(0).max(SCHEDULE_MS_MAX);

const timelineSchema = strict({
  kind: z.literal('timeline'),
  /** On from `fromMs` to `toMs`, in ms of clock time since the link started; sorted, apart. */
  windows: z
    .array(strict({ fromMs: scheduleMs, toMs: scheduleMs }))
    .min(1)
    .max(WINDOWS_MAX),
}).superRefine((schedule, ctx) => {
  let previousEndMs = 0;
  schedule.windows.forEach((w, i) => {
    if (w.toMs <= w.fromMs) {
      problem(ctx, ['windows', i, 'toMs'], w.toMs, 'must be after fromMs', `> ${w.fromMs}`);
    }
    if (w.fromMs < previousEndMs) {
      const allowed = `≥ ${previousEndMs} (windows sorted, not overlapping)`;
      problem(ctx, ['windows', i, 'fromMs'], w.fromMs, 'overlaps the window before', allowed);
    }
    previousEndMs = Math.max(previousEndMs, w.fromMs, w.toMs);
  });
});

/** When a fault is on: always, in scripted windows, or by a seeded on/off Markov process. */
export const scheduleSchema = z.discriminatedUnion('kind', [
  strict({ kind: z.literal('always') }),
  timelineSchema,
  strict({
    kind: z.literal('markov'),
    /** Mean time on, in ms (exponentially distributed). */
    onMeanMs: z.number().min(1).max(SCHEDULE_MS_MAX),
    /** Mean time off, in ms (exponentially distributed). */
    offMeanMs: z.number().min(1).max(SCHEDULE_MS_MAX),
    /** State when the fault is added. */
    initially: z.enum(['on', 'off']).default('off'),
  }),
]);

export type Schedule = z.output<typeof scheduleSchema>;

const nameSchema = z
  .string()
  .regex(FAULT_NAME_PATTERN, { error: `letters, digits, _ . - (1 to ${FAULT_NAME_CHARS_MAX})` });

/** The spec schema of one stage type. */
function specOf<const T extends string, S extends z.ZodType>(def: {
  type: T;
  schema: S;
  defaultStream: StreamSelector;
}) {
  return strict({
    type: z.literal(def.type),
    /** Unique on its link; default `${type}_${stream}` (Toxiproxy's default). */
    name: nameSchema.optional(),
    stream: z.enum(['upstream', 'downstream', 'both']).default(def.defaultStream),
    /** Share of connections the fault applies to, decided per connection by the seeded Rng. */
    toxicity: z.number().min(FAULT_TOXICITY_MIN).max(FAULT_TOXICITY_MAX).default(1),
    attributes: def.schema.prefault({} as z.input<S>),
    schedule: scheduleSchema.prefault({ kind: 'always' }),
  });
}

/** specOf of each registered definition, kept a tuple so the union stays discriminated. */
type SpecSchemas<D extends readonly unknown[]> = {
  -readonly [K in keyof D]: D[K] extends {
    type: infer T extends string;
    schema: infer S extends z.ZodType;
  }
    ? ReturnType<typeof specOf<T, S>>
    : never;
};

/** One fault, normalised: defaults filled in, `name` always set. Lists every registered type. */
export const faultSpecSchema = z
  .discriminatedUnion(
    'type',
    STAGE_DEFINITIONS.map((def) => specOf<string, z.ZodType>(def)) as unknown as SpecSchemas<
      typeof STAGE_DEFINITIONS
    >,
  )
  .transform((spec) => ({ ...spec, name: spec.name ?? `${spec.type}_${spec.stream}` }));

export type FaultSpec = z.output<typeof faultSpecSchema>;
/** What a caller may write: attributes with defaults, stream, toxicity, name and schedule optional. */
export type FaultSpecInput = z.input<typeof faultSpecSchema>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** Validates one spec; problems are `path: what (got X, allowed Y)`, under `prefix`. */
export function parseFaultSpec(
  input: unknown,
  prefix: readonly PropertyKey[] = [],
): ParseResult<FaultSpec> {
  const parsed = faultSpecSchema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, problems: describeIssues(parsed.error.issues, input, prefix) };
}

/**
 * Validates a list of specs: each one, at most FAULTS_MAX, names unique. A name given twice is
 * refused; a fault without one takes its default (`${type}_${stream}`), or the first of
 * `…_2`, `…_3`, … that no other fault of the list uses — so a second latency added to a link
 * (or beside a preset's) is not refused for a name nobody chose.
 */
export function parseFaultSpecs(inputs: readonly unknown[]): ParseResult<FaultSpec[]> {
  const problems: string[] = [];
  const specs: FaultSpec[] = [];
  if (inputs.length > FAULTS_MAX) {
    problems.push(`(root): too many faults (got ${inputs.length}, allowed at most ${FAULTS_MAX})`);
  }
  const parsed = inputs.map((input, i) => parseFaultSpec(input, [i]));
  const chosen = new Set<string>();
  parsed.forEach((result, i) => {
    if (result.ok && hasName(inputs[i])) chosen.add(result.value.name);
  });
  const seen = new Set<string>();
  parsed.forEach((result, i) => {
    if (!result.ok) {
      problems.push(...result.problems);
      return;
    }
    const spec = hasName(inputs[i])
      ? result.value
      : { ...result.value, name: freeName(result.value.name, (n) => chosen.has(n) || seen.has(n)) };
    if (seen.has(spec.name)) {
      problems.push(
        `[${i}].name: already used by another fault (got "${spec.name}", allowed a name not in use)`,
      );
    }
    seen.add(spec.name);
    specs.push(spec);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: specs };
}

/** Whether a fault's input names it (else its name is the default `${type}_${stream}`). */
export function hasName(input: unknown): boolean {
  return (
    typeof input === 'object' && input !== null && (input as { name?: unknown }).name !== undefined
  );
}

/** `base`, or the first of `base_2`, `base_3`, … not `taken` (within the name's 64 characters). */
export function freeName(base: string, taken: (name: string) => boolean): string {
  if (!taken(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `_${n}`;
    const name = `${base.slice(0, FAULT_NAME_CHARS_MAX - suffix.length)}${suffix}`;
    if (!taken(name)) return name;
  }
}
