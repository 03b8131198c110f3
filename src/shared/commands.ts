/**
 * Commands the UI (or any client) can give the lab, with runtime validation: every command
 * that arrives over IPC or WebSocket is parsed here before the engine sees it.
 */
import { z } from 'zod';
import type { LabModel } from './model';
import { fail, ok, type Result } from './result';

const id = z.string().min(1).max(200);

export const commandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot') }).strict(),
  z.object({ type: z.literal('info') }).strict(),
  z
    .object({
      type: z.literal('send'),
      /** The subscription to send to; the lab's application server does the sending. */
      subscriptionId: id,
      ttlSeconds: z
        .number()
        .int()
        .min(0)
        .max(2 ** 31),
      urgency: z.enum(['very-low', 'low', 'normal', 'high']).optional(),
      topic: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,32}$/, '1 to 32 characters of the base64url alphabet')
        .optional(),
      text: z.string().max(3993).optional(),
      receipt: z.boolean().optional(),
    })
    .strict(),
  z.object({ type: z.literal('subscribe'), agentId: id.optional() }).strict(),
  /** The lab's report so far (the engine's ReportBuilder over every event since start). */
  z.object({ type: z.literal('report'), format: z.enum(['html', 'json']) }).strict(),
]);

export type Command = z.infer<typeof commandSchema>;
export type CommandType = Command['type'];

export interface SendOutcome {
  /** HTTP status the push service answered the application server with. */
  status: number;
  messageId: string | null;
  detail: string | null;
}

export interface LabInfo {
  version: string;
  services: { id: string; url: string; profile: string }[];
}

/** The value each command answers with. */
export interface CommandResults {
  snapshot: LabModel;
  info: LabInfo;
  send: SendOutcome;
  subscribe: { subscriptionId: string };
  report: { format: 'html' | 'json'; content: string };
}

export type ResultOf<C extends Command> = CommandResults[C['type']];

/** Turns untrusted input into a Command or an error that names what is wrong. */
export function parseCommand(input: unknown): Result<Command> {
  const parsed = commandSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  return fail('ERR_BAD_COMMAND', describeIssues(parsed.error.issues, input));
}

/** `path.to.field: what is wrong (got X)` for each problem, joined with '; '. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  return issueLines(issues, input).join('; ');
}

/** One line per problem: `path.to.field: what is wrong (got X)`. */
export function issueLines(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${[...issue.path.map(String), key].join('.')}: unknown key`);
    }
    const path = issue.path.map(String).join('.') || '(root)';
    // Nested validators (e.g. a fault spec) already say what they got.
    if (issue.message.includes('(got ')) return [`${path}: ${issue.message}`];
    return [`${path}: ${issue.message} (got ${preview(valueAt(input, issue.path))})`];
  });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
