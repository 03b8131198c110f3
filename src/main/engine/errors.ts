/**
 * The one base of every error the engine throws on purpose (undici's style): a stable string
 * `code` that callers branch on, a `message` that is one sentence for a person. Each module
 * keeps its own codes next to its subclass (crypto/errors.ts, net/errors.ts, …), each code
 * with a one-line doc comment. Anything thrown that is not a LabError is a bug: it travels
 * as ERR_INTERNAL with its message.
 */
import type { ErrorInfo } from '../../shared/result';

/** Codes that belong to no one module. */
export const ENGINE_ERROR_CODES = {
  /** An error no LabError describes: a bug, reported with its message. */
  INTERNAL: 'ERR_INTERNAL',
  /** The work was cancelled before it finished (a compare stopped by a newer one). */
  CANCELLED: 'ERR_CANCELLED',
} as const;

export class LabError extends Error implements ErrorInfo {
  override name = 'LabError';

  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** `{code, message}` of anything thrown: a LabError's own code, else ERR_INTERNAL. */
export function describeError(error: unknown): ErrorInfo {
  if (error instanceof LabError) return { code: error.code, message: error.message };
  return {
    code: ENGINE_ERROR_CODES.INTERNAL,
    message: error instanceof Error ? error.message : String(error),
  };
}
