/**
 * zod's verdict on outside input (control API bodies and queries, `startPushService`
 * options, a PushSubscription file for `push-lab send`) as one sentence naming the field, the
 * value received and what is allowed. `where` names the input ('options'); '' for none.
 */
import type { z } from 'zod';

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

export function check<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: string,
): Checked<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0]!;
  const field = [where, ...issue.path.map(String)].filter((part) => part !== '').join('.');
  if (issue.code === 'unrecognized_keys') {
    const allowed = fieldsAt(schema, issue.path);
    return {
      ok: false,
      message: `${field}: unknown field(s) ${issue.keys.join(', ')}; allowed ${allowed.length > 0 ? allowed.join(', ') : 'none'}`,
    };
  }
  const received = issue.path.reduce<unknown>(
    (value, key) =>
      value !== null && typeof value === 'object'
        ? (value as Record<PropertyKey, unknown>)[key]
        : undefined,
    input,
  );
  return { ok: false, message: `${field}: got ${preview(received)}; ${issue.message}` };
}

/** A value as a sender wrote it, cut short: `nothing` when absent. */
export function preview(value: unknown): string {
  const text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

interface Inspectable {
  def?: { innerType?: Inspectable };
  shape?: Record<string, Inspectable>;
}

/** The field names of the object schema at `path` (through optional/nullable wrappers). */
function fieldsAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const unwrap = (s: Inspectable | undefined) => {
    while (s?.def?.innerType) s = s.def.innerType;
    return s;
  };
  let current = unwrap(schema as unknown as Inspectable);
  for (const key of path) current = unwrap(current?.shape?.[String(key)]);
  return Object.keys(current?.shape ?? {});
}
