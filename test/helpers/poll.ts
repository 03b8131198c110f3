/**
 * The one way a test waits for something it cannot drive: poll a condition until it holds.
 * Where the injected clock can drive the engine (a virtual clock, `clock.advance`), a test
 * drives it instead of polling; this is for real sockets, child processes and paced runs.
 */

export interface PollOptions {
  /** Give up after this many milliseconds of wall time (bounded: every test ends). */
  timeoutMs?: number;
  /** Time between checks. */
  intervalMs?: number;
}

/**
 * Resolves with the first truthy value `probe` returns; rejects naming `what` (and the last
 * value seen) once `timeoutMs` passes.
 */
export async function eventually<T>(
  what: string,
  probe: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 10 }: PollOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) {
      throw new Error(`waited ${timeoutMs} ms for ${what}; last seen: ${describe(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
