/**
 * zod helpers for fault specs, and the formatter that turns zod issues into
 * `path.to.field: what is wrong (got X, allowed Y)`, one line per problem.
 */
import { z } from 'zod';
import type { FaultAttribute } from '../../../shared/workbench';

/**
 * A strict object whose unknown-key issue carries the allowed field names as its message, so
 * the formatter can say what was allowed (zod's own issue does not list them).
 */
export function strict<S extends z.ZodRawShape>(shape: S) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? allowed : undefined),
  });
}

type ValueOf<A extends FaultAttribute> = A extends { values: readonly (infer V)[] } ? V : number;
type Defaulted = { default: number | string } | { defaultFrom: string };

/** What a caller may write for a table's attributes: the required ones, the rest optional. */
export type AttributesInput<T extends readonly FaultAttribute[]> = {
  [A in T[number] as A extends Defaulted ? never : A['name']]: ValueOf<A>;
} & { [A in T[number] as A extends Defaulted ? A['name'] : never]?: ValueOf<A> };

/** A table's attributes once validated: fixed defaults filled in, computed ones maybe absent. */
export type AttributesOutput<T extends readonly FaultAttribute[]> = {
  [A in T[number] as A['name']]: A extends { defaultFrom: string }
    ? ValueOf<A> | undefined
    : ValueOf<A>;
};

export type AttributeSchema<T extends readonly FaultAttribute[]> = z.ZodType<
  AttributesOutput<T>,
  AttributesInput<T>
>;

/**
 * The strict zod schema of a stage's attribute table: the table is the one description of a
 * fault's attributes, so validation is built from it rather than written beside it.
 */
export function attributeSchema<const T extends readonly FaultAttribute[]>(
  table: T,
): AttributeSchema<T> {
  const shape: Record<string, z.ZodType> = {};
  for (const a of table) shape[a.name] = fieldSchema(a);
  return strict(shape) as unknown as AttributeSchema<T>;
}

function fieldSchema(a: FaultAttribute): z.ZodType {
  let schema: z.ZodType;
  if (a.type === 'enum') {
    schema = z.enum((a.values ?? []) as [string, ...string[]]);
  } else {
    let n = a.type === 'integer' ? z.number().int() : z.number();
    if (a.min !== undefined) n = a.minExclusive ? n.gt(a.min) : n.min(a.min);
    if (a.max !== undefined) n = n.max(a.max);
    schema = n;
  }
  if (a.default !== undefined) return schema.default(a.default as never);
  if (a.defaultFrom !== undefined) return schema.optional();
  return schema;
}

/** A probability, 0 to 1. */
export const probability = () => z.number().min(0).max(1);

/** Adds a custom issue whose `allowed` text the formatter shows. */
export function problem(
  ctx: z.core.$RefinementCtx,
  path: PropertyKey[],
  input: unknown,
  message: string,
  allowed: string,
): void {
  ctx.addIssue({ code: 'custom', path, input, message, params: { allowed } });
}

/** Every issue as `path: what (got X, allowed Y)`, paths relative to `input`, under `prefix`. */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  prefix: readonly PropertyKey[] = [],
): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const got = valueAt(input, issue.path);
    if (issue.code === 'unrecognized_keys') {
      const obj = (got ?? {}) as Record<string, unknown>;
      for (const key of issue.keys) {
        lines.push(line([...path, key], 'unknown field', obj[key], issue.message));
      }
      continue;
    }
    const [what, allowed] = explain(issue, got);
    lines.push(line(path, what, got, allowed));
  }
  return lines;
}

function explain(issue: z.core.$ZodIssue, got: unknown): [string, string] {
  switch (issue.code) {
    case 'invalid_type':
      return [got === undefined ? 'required' : 'wrong type', article(issue.expected)];
    case 'too_small': {
      const op = issue.inclusive ? '≥' : '>';
      if (issue.origin === 'array') return ['too few items', `at least ${issue.minimum} items`];
      if (issue.origin === 'string') return ['too short', `at least ${issue.minimum} characters`];
      return ['too small', `${op} ${issue.minimum}`];
    }
    case 'too_big': {
      const op = issue.inclusive ? '≤' : '<';
      if (issue.origin === 'array') return ['too many items', `at most ${issue.maximum} items`];
      if (issue.origin === 'string') return ['too long', `at most ${issue.maximum} characters`];
      return ['too big', `${op} ${issue.maximum}`];
    }
    case 'invalid_value':
      return ['not an allowed value', issue.values.map(String).join(', ')];
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (options) return ['unknown value', options.map(String).join(', ')];
      return ['matches none of the allowed forms', 'see docs/faults.md'];
    }
    case 'invalid_format':
      return ['wrong format', issue.pattern ? `text matching ${issue.pattern}` : issue.format];
    case 'custom': {
      const allowed = (issue.params as { allowed?: string } | undefined)?.allowed;
      return [issue.message, allowed ?? 'see docs/faults.md'];
    }
    default:
      return [issue.message, 'see docs/faults.md'];
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function line(path: readonly PropertyKey[], what: string, got: unknown, allowed: string): string {
  return `${formatPath(path)}: ${what} (got ${preview(got)}, allowed ${allowed})`;
}

/** `a.b[2].c`, or `(root)` for the empty path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '(root)' : text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** A short rendering of a value for an error message. */
export function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
