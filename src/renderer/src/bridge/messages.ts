/**
 * Minimal checks on what a host sends: the envelope must be an object with a known `type`
 * and the fields the renderer reads must have the right primitive types. The model and the
 * events themselves are trusted (they come from the lab's own reducer and bus).
 */
import type { ErrorInfo, Result } from '../../../shared/result';
import type { ServerMessage } from '../../../shared/wire';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isErrorInfo(value: unknown): value is ErrorInfo {
  return isObject(value) && typeof value.code === 'string' && typeof value.message === 'string';
}

/** `{ok: true, value}` or `{ok: false, error: {code, message}}`, else null. */
export function parseResult(value: unknown): Result<unknown> | null {
  if (!isObject(value)) return null;
  if (value.ok === true) return { ok: true, value: value.value };
  if (value.ok === false && isErrorInfo(value.error)) {
    return { ok: false, error: { code: value.error.code, message: value.error.message } };
  }
  return null;
}

/** Returns the message when its envelope looks right, null when it should be ignored. */
export function parseServerMessage(value: unknown): ServerMessage | null {
  if (!isObject(value)) return null;
  switch (value.type) {
    case 'result': {
      if (typeof value.id !== 'number' || !Number.isInteger(value.id)) return null;
      const result = parseResult(value.result);
      return result ? { type: 'result', id: value.id, result } : null;
    }
    case 'snapshot': {
      const model = value.model;
      if (!isObject(model) || typeof model.seq !== 'number') return null;
      return value as ServerMessage;
    }
    case 'events': {
      if (!Array.isArray(value.events)) return null;
      const events: unknown[] = value.events;
      if (!events.every((e) => isObject(e) && typeof e.seq === 'number')) return null;
      return value as ServerMessage;
    }
    case 'status': {
      const status = value.status;
      if (!isObject(status) || typeof status.epoch !== 'number' || typeof status.mode !== 'string')
        return null;
      return value as ServerMessage;
    }
    default:
      return null;
  }
}

export const disconnected = (message: string): Result<never> => ({
  ok: false,
  error: { code: 'ERR_DISCONNECTED', message },
});
