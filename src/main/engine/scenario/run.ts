/**
 * Runs a scenario from start to end on its clock: virtual (discrete-event, exact and as fast
 * as the machine allows), scaled (×1–×1000 of real time) or real. Every event goes to the
 * caller as it happens (for the trace, the checker and the report); the outcome carries the
 * schedule hash, energy and link counters.
 */
import type { LabEvent } from '../../../shared/events';
import type { Clock } from '../clock/clock';
import { driveVirtual, settle } from '../clock/driver';
import { RealClock } from '../clock/real';
import { VirtualClock } from '../clock/virtual';
import type { EnergyReport } from '../energy';
import type { LinkCounters } from '../net/types';
import { EventBus } from '../trace/bus';
import type { Scenario } from './schema';
import { World } from './world';

/** Virtual runs start at a fixed instant so traces do not depend on when they ran. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 1);

export interface RunOverrides {
  seed?: number | string;
  /** Clock speed for scaled runs; a speed above 1 on a real-clock scenario makes it scaled. */
  speed?: number;
  durationMs?: number;
  mode?: Scenario['clock']['mode'];
}

export interface RunHooks {
  onEvent?: (event: LabEvent) => void;
  /** Called at most every `progressEveryMs` of lab time with the time elapsed. */
  onProgress?: (elapsedMs: number, durationMs: number) => void;
  /** Polled between steps; true stops the run early (what ran is kept). */
  cancelled?: () => boolean;
}

export interface RunOutcome {
  scenario: Scenario;
  scheduleHash: string;
  mode: Scenario['clock']['mode'];
  speed: number;
  startT: number;
  endT: number;
  eventCount: number;
  energy: EnergyReport;
  links: Record<string, LinkCounters>;
  cancelled: boolean;
}

/** The scenario with the command line's overrides applied. */
export function applyOverrides(scenario: Scenario, overrides: RunOverrides): Scenario {
  const mode =
    overrides.mode ??
    (overrides.speed && scenario.clock.mode === 'real' ? 'scaled' : scenario.clock.mode);
  return {
    ...scenario,
    seed: overrides.seed ?? scenario.seed,
    duration: overrides.durationMs ?? scenario.duration,
    clock: { mode, speed: overrides.speed ?? scenario.clock.speed },
  };
}

/**
 * The same overrides applied to the scenario as written (for a bundle, which stores the
 * input: the parsed form is not valid input again — durations are converted to ms).
 */
export function applyOverridesToInput(
  input: unknown,
  scenario: Scenario,
  overrides: RunOverrides,
): unknown {
  const applied = applyOverrides(scenario, overrides);
  return {
    ...(input as Record<string, unknown>),
    seed: applied.seed,
    duration: `${applied.duration}ms`,
    clock: applied.clock,
  };
}

export function makeClock(scenario: Scenario): Clock {
  if (scenario.clock.mode === 'virtual') return new VirtualClock(VIRTUAL_EPOCH_MS);
  return new RealClock(scenario.clock.mode === 'real' ? 1 : scenario.clock.speed);
}

export async function runScenario(
  input: Scenario,
  overrides: RunOverrides = {},
  hooks: RunHooks = {},
): Promise<RunOutcome> {
  const scenario = applyOverrides(input, overrides);
  const clock = makeClock(scenario);
  const bus = new EventBus(clock);
  let eventCount = 0;
  let world: World | null = null;
  // Subscribe first: building the world already emits (application servers start).
  bus.subscribe((event) => {
    eventCount += 1;
    world?.observe(event);
    hooks.onEvent?.(event);
  });
  world = new World(scenario, clock, bus);
  const built = world;
  const activity = (): number => eventCount + built.bytesMoved;
  const startT = clock.now();
  let cancelled = false;
  // Assigned in the finally block below, whatever happens in the run.
  let endT: number;
  let energy: EnergyReport;
  let links: Record<string, LinkCounters>;

  /** On the virtual clock, time must be driven while `work` (starting, stopping) needs it. */
  const alongside = async (work: Promise<void>): Promise<void> => {
    if (!(clock instanceof VirtualClock)) return work;
    let done = false;
    let failure: unknown = null;
    work.then(
      () => (done = true),
      (error: unknown) => {
        done = true;
        failure = error;
      },
    );
    while (!done) await driveVirtual(clock, { untilMs: clock.now() + 100, activity });
    if (failure) throw failure;
  };

  try {
    await alongside(built.start());
    built.go();
    const endMs = startT + scenario.duration;
    let lastProgress = -Infinity;
    const progress = (now: number): void => {
      if (now - lastProgress >= 1000) {
        lastProgress = now;
        hooks.onProgress?.(now - startT, scenario.duration);
      }
    };
    if (clock instanceof VirtualClock) {
      await driveVirtual(clock, {
        untilMs: endMs,
        activity,
        onStep: progress,
        cancelled: () => (cancelled = hooks.cancelled?.() ?? false),
      });
    } else {
      await new Promise<void>((resolve) => {
        const tick = (): void => {
          progress(clock.now());
          if (clock.now() >= endMs || (cancelled = hooks.cancelled?.() ?? false)) resolve();
          else clock.schedule(Math.min(1000 * clock.speed, endMs - clock.now()), tick);
        };
        tick();
      });
    }
    hooks.onProgress?.(Math.min(clock.now() - startT, scenario.duration), scenario.duration);
  } finally {
    endT = clock.now();
    energy = built.energy();
    links = built.linkCounters();
    const stopping = built.stop();
    if (clock instanceof VirtualClock) await alongside(stopping);
    else await stopping;
    await settle(activity);
  }
  return {
    scenario,
    scheduleHash: built.scheduleHash,
    mode: scenario.clock.mode,
    speed: scenario.clock.speed,
    startT,
    endT,
    eventCount,
    energy,
    links,
    cancelled,
  };
}
