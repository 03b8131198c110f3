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
import type { ReportExtras } from '../trace/report-types';
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

/** What a report needs from a run besides its events: energy by agent and class, link counters. */
export function reportExtras(
  outcome: Pick<RunOutcome, 'energy' | 'links' | 'scheduleHash'>,
): ReportExtras {
  return {
    scheduleHash: outcome.scheduleHash,
    energy: {
      joulesByAgent: Object.fromEntries(outcome.energy.devices.map((d) => [d.deviceId, d.joules])),
      joulesByClass: Object.fromEntries(
        Object.entries(outcome.energy.byClass).map(([k, v]) => [k, v.joules]),
      ),
    },
    links: Object.fromEntries(
      Object.entries(outcome.links).map(([id, c]) => [id, c as unknown as Record<string, number>]),
    ),
  };
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

/**
 * One scenario run that can be driven in slices: built, started, advanced (to a time, or a
 * timer at a time on the virtual clock), then finished. `runScenario` drives it to the end in
 * one go; the workbench paces it against the wall clock with pause, step and speed. Driving a
 * virtual run in slices yields the same events as driving it at once: I/O is settled before
 * every clock step either way.
 */
export class ScenarioRun {
  readonly scenario: Scenario;
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly world: World;
  readonly startT: number;
  /** Lab time at which the scenario's duration is reached. */
  readonly endMs: number;
  eventCount = 0;
  private finished: Promise<RunOutcome> | null = null;

  constructor(input: Scenario, overrides: RunOverrides = {}, onEvent?: (event: LabEvent) => void) {
    this.scenario = applyOverrides(input, overrides);
    this.clock = makeClock(this.scenario);
    this.bus = new EventBus(this.clock);
    let world: World | null = null;
    // Subscribed before the world is built: building it already emits (application servers
    // start). The run's own bookkeeping (the count that settles virtual time, the energy
    // meter's deliveries) and the caller's consumer are separate listeners, so the bus keeps
    // a failing consumer from skipping the bookkeeping, and the other way round. Neither reads
    // what the other writes, so their order does not change a run.
    this.bus.subscribe((event) => {
      this.eventCount += 1;
      world?.observe(event);
    });
    if (onEvent) this.bus.subscribe(onEvent);
    this.world = world = new World(this.scenario, this.clock, this.bus);
    this.startT = this.clock.now();
    this.endMs = this.startT + this.scenario.duration;
  }

  /** The virtual clock, when the run has one (then it can be paused and stepped). */
  get virtual(): VirtualClock | null {
    return this.clock instanceof VirtualClock ? this.clock : null;
  }

  /** Lab time since the start. */
  get elapsedMs(): number {
    return Math.min(this.clock.now(), this.endMs) - this.startT;
  }

  get done(): boolean {
    return this.clock.now() >= this.endMs;
  }

  /** Starts services and agents (subscriptions included), then the planned traffic. */
  async start(): Promise<void> {
    await this.alongside(this.world.start());
    this.world.go();
  }

  /**
   * Virtual clock: runs every timer up to `untilMs` (at most the end), settling I/O between
   * steps. Other clocks: nothing to do, their time runs by itself.
   */
  async advance(
    untilMs: number,
    options: { onStep?: (nowMs: number) => void; cancelled?: () => boolean } = {},
  ): Promise<void> {
    const clock = this.virtual;
    if (!clock) return;
    await driveVirtual(clock, {
      untilMs: Math.min(untilMs, this.endMs),
      activity: this.activity,
      ...options,
    });
  }

  /** Virtual clock: runs the timers of the next `count` distinct instants (not past the end). */
  async step(count = 1): Promise<void> {
    const clock = this.virtual;
    if (!clock) return;
    for (let i = 0; i < count && !this.done; i++) {
      const next = clock.nextAt();
      await this.advance(next === null ? this.endMs : next);
    }
  }

  /** Stops the world (once) and reports what ran; `cancelled` says it ended early. */
  finish(cancelled = false): Promise<RunOutcome> {
    this.finished ??= this.stop(cancelled);
    return this.finished;
  }

  private async stop(cancelled: boolean): Promise<RunOutcome> {
    const endT = this.clock.now();
    const energy = this.world.energy();
    const links = this.world.linkCounters();
    await this.alongside(this.world.stop());
    await settle(this.activity);
    return {
      scenario: this.scenario,
      scheduleHash: this.world.scheduleHash,
      mode: this.scenario.clock.mode,
      speed: this.scenario.clock.speed,
      startT: this.startT,
      endT,
      eventCount: this.eventCount,
      energy,
      links,
      cancelled,
    };
  }

  private readonly activity = (): number => this.eventCount + this.world.bytesMoved;

  /** On the virtual clock, time must be driven while `work` (starting, stopping) needs it. */
  private async alongside(work: Promise<void>): Promise<void> {
    const clock = this.virtual;
    if (!clock) return work;
    let done = false;
    let failure: unknown = null;
    work.then(
      () => (done = true),
      (error: unknown) => {
        done = true;
        failure = error;
      },
    );
    while (!done)
      await driveVirtual(clock, { untilMs: clock.now() + 100, activity: this.activity });
    if (failure) throw failure;
  }
}

export async function runScenario(
  input: Scenario,
  overrides: RunOverrides = {},
  hooks: RunHooks = {},
): Promise<RunOutcome> {
  const run = new ScenarioRun(input, overrides, hooks.onEvent);
  const { clock, scenario, startT, endMs } = run;
  let cancelled = false;
  try {
    await run.start();
    let lastProgress = -Infinity;
    const progress = (now: number): void => {
      if (now - lastProgress >= 1000) {
        lastProgress = now;
        hooks.onProgress?.(now - startT, scenario.duration);
      }
    };
    if (run.virtual) {
      await run.advance(endMs, {
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
    // Whatever happened, the world is stopped and what ran is reported.
    await run.finish(cancelled).catch(() => undefined);
  }
  return run.finish(cancelled);
}
