/**
 * Runs a virtual-clock lab whose agents speak real HTTP/2: between two clock steps the real
 * event loop is allowed to settle (bytes cross in-memory links, sessions parse frames), and
 * time jumps to the next timer only once nothing moves any more. So a message in flight at
 * 10:00:00.000 arrives at 10:00:00.000 plus the link's simulated delay, never later because
 * the clock ran ahead of the I/O.
 *
 * This is the one engine file that yields to the real event loop (setImmediate); it never
 * reads the wall clock.
 */
import type { VirtualClock } from './virtual';

export interface DriveOptions {
  /** Stop at this clock time (ms). */
  untilMs: number;
  /** Something that changes whenever work happens (bytes moved, events emitted). */
  activity: () => number;
  /** Consecutive quiet event-loop turns that count as settled (default 3). */
  quietTurns?: number;
  /** Real event-loop turns allowed per clock step before giving up on settling (default 10,000). */
  turnsMax?: number;
  /** Called after each clock step with the time reached. */
  onStep?: (nowMs: number) => void;
  /** Checked between steps; true ends the run early. */
  cancelled?: () => boolean;
}

const turn = (): Promise<void> =>
  new Promise((resolve) => {
    // eslint-disable-next-line no-restricted-globals -- yielding to I/O, not timing anything
    setImmediate(resolve);
  });

/** Lets pending I/O run until `quietTurns` turns pass with no activity. */
export async function settle(
  activity: () => number,
  quietTurns = 3,
  turnsMax = 10_000,
): Promise<void> {
  let quiet = 0;
  let last = activity();
  for (let i = 0; i < turnsMax && quiet < quietTurns; i++) {
    await turn();
    const now = activity();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}

/** Drives `clock` to `untilMs`, settling I/O before every step. Returns the steps taken. */
export async function driveVirtual(clock: VirtualClock, options: DriveOptions): Promise<number> {
  let steps = 0;
  for (;;) {
    await settle(options.activity, options.quietTurns, options.turnsMax);
    if (options.cancelled?.()) return steps;
    const next = clock.nextAt();
    if (next === null || next > options.untilMs) {
      clock.runUntil(options.untilMs);
      await settle(options.activity, options.quietTurns, options.turnsMax);
      options.onStep?.(clock.now());
      return steps + 1;
    }
    clock.runUntil(next);
    steps += 1;
    options.onStep?.(clock.now());
  }
}
