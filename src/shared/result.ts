/**
 * What crosses a process boundary in answer to a command: never an exception. The engine's
 * `LabError` class (engine/errors.ts) implements this shape.
 */
export interface ErrorInfo {
  /** Stable machine-readable code, e.g. 'ERR_BAD_COMMAND'. */
  code: string;
  /** One sentence for a person: names the field, the value received and what is allowed. */
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: string, message: string): Result<never> => ({
  ok: false,
  error: { code, message },
});
