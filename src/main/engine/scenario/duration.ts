/**
 * Durations in scenario files: a number of seconds, or a string with a unit
 * (`250ms`, `90s`, `10m`, `2h`, `1d`, or combinations like `1h30m`).
 */
import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDurationMs(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const re = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(trimmed); m !== null; m = re.exec(trimmed)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    consumed = re.lastIndex;
  }
  return consumed === trimmed.length && consumed > 0 ? total : null;
}

/** A zod schema for a duration, giving milliseconds. */
const NOT_A_DURATION =
  'not a duration; allowed seconds (e.g. 90) or a string like "250ms", "90s", "10m", "1h30m"';

// The union's own message too: YAML's 1e400 is Infinity, which z.number() refuses before
// the transform could say what a duration is.
export const durationMs = z
  .union([z.number(), z.string()], { error: NOT_A_DURATION })
  .transform((value, ctx) => {
    const ms = typeof value === 'number' ? value * 1000 : parseDurationMs(value);
    if (ms === null || !Number.isFinite(ms) || ms < 0) {
      ctx.addIssue({ code: 'custom', message: NOT_A_DURATION });
      return z.NEVER;
    }
    return ms;
  });
