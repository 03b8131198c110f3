/**
 * Runs a virtual-clock lab whose agents speak real HTTP/2: between two clock steps the real
 * event loop is allowed to settle (bytes cross in-memory links, sessions parse frames), and
 * time jumps to the next timer only once nothing moves any more. So a message in flight at
 * 10:00:00.000 arrives at 10:00:00.000 plus the link's simulated delay, never later because
 * the clock ran ahead of the I/O.
 *
 * Settled means: inside an immediate's callback (ticks and microtasks have all run before it),
 * no other immediate is queued — node:http2 schedules its writes as immediates, streams pass
 * bytes on in ticks — and no socket is open that could bring bytes from outside the event
 * loop. Most clock steps (a device waking, a radio timer, a sample) start no I/O at all and
 * settle in one turn; work that moves no bytes for a few turns is still waited for. With a
 * real socket open, `quietTurns` turns in a row with no activity also count as settled (the
 * bytes may be on the wire, where no queue shows them).
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
  /** With a real socket open: consecutive quiet event-loop turns that count as settled (default 3). */
  quietTurns?: number;
  /** Real event-loop turns allowed per clock step before giving up on settling (default 10,000). */
  turnsMax?: number;
  /** Called after each clock step with the time reached. */
  onStep?: (nowMs: number) => void;
  /** Checked between steps; true ends the run early. */
  cancelled?: () => boolean;
}

/**
 * Active resources (`process.getActiveResourcesInfo()` names) that bring no bytes into a lab
 * by themselves: real timers (the engine's run on its Clock), listening servers, stdio, a
 * worker's port, handles closing, file requests (trace writes). Any other — a TCP or TLS
 * socket, a connect, a write in flight — may, so quiet turns decide while one is open.
 */
const IDLE_RESOURCES: ReadonlySet<string> = new Set([
  'Timeout',
  'TCPServerWrap',
  'PipeWrap',
  'PipeServerWrap',
  'TTYWrap',
  'MessagePort',
  'SignalWrap',
  'ProcessWrap',
  'FSEventWrap',
  'StatWatcher',
  'CloseReq',
  'FSReqCallback',
  'FSReqPromise',
  'FileHandle',
]);

/**
 * What is left behind the caller (call it from an immediate's callback, where every tick and
 * microtask has run): nothing, queued work only, or a socket that may bring more.
 */
function pending(): 'nothing' | 'queued' | 'socket' {
  let queued = false;
  for (const resource of process.getActiveResourcesInfo()) {
    if (resource === 'Immediate') queued = true;
    else if (!IDLE_RESOURCES.has(resource)) return 'socket';
  }
  return queued ? 'queued' : 'nothing';
}

/** One event-loop turn; resolves with what was left at its end. */
const turn = (): Promise<ReturnType<typeof pending>> =>
  new Promise((resolve) => {
    // eslint-disable-next-line no-restricted-globals -- yielding to I/O, not timing anything
    setImmediate(() => resolve(pending()));
  });

/**
 * Lets pending I/O run until nothing is left (see the header), at most `turnsMax` turns; with
 * a real socket open, also ends after `quietTurns` turns in a row with no activity.
 */
export async function settle(
  activity: () => number,
  quietTurns = 3,
  turnsMax = 10_000,
): Promise<void> {
  let quiet = 0;
  let last = activity();
  for (let i = 0; i < turnsMax; i++) {
    const left = await turn();
    if (left === 'nothing') return;
    const now = activity();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
    if (left === 'socket' && quiet >= quietTurns) return;
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
