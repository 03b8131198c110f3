/**
 * A scenario run the UI can drive: on the virtual clock (so it can be paused, stepped and
 * sped up, and a rerun repeats it event for event), paced against the wall clock at `speed`
 * simulated ms per real ms (0 = as fast as the machine allows) — unless it talks to a push
 * service the lab does not run (an external service: `services[].url`), which lives in real
 * time: such a run keeps its scenario's real or scaled clock, runs by itself, and can only be
 * stopped (`pausable` is false).
 *
 *   start ─▶ starting ─▶ running ⇄ paused ─▶ finished
 *                           │        │ step: the next timer instants, stays paused
 *                           └────────┴─▶ stopped (by the user)      any ─▶ failed
 */
import type { LabEvent } from '../../../shared/events';
import type { RunState, StartProgress } from '../../../shared/workbench';
import type { Clock } from '../clock/clock';
import { externalServiceIndex } from '../scenario/external-schema';
import { ScenarioRun, reportExtras, type RunOutcome } from '../scenario/run';
import type { Scenario } from '../scenario/schema';
import { scenarioTotals } from '../scenario/totals';
import type { ReportExtras } from '../trace/report-types';

/** How often the pacer looks at the wall clock while running. */
export const PACE_TICK_MS = 50;
/** Lab time one slice covers at speed 0 (as fast as possible) before yielding. */
export const MAX_SPEED_SLICE_MS = 5_000;

export interface PacedRunOptions {
  scenario: Scenario;
  seed?: number | string;
  speed: number;
  /** Start paused once built (a run on its own clock starts running). */
  paused?: boolean;
  /** Times the pacing (real time). */
  wall: Clock;
  onEvent: (event: LabEvent) => void;
  /** The state changed (or a failure happened). */
  onChange: () => void;
}

export class PacedRun {
  readonly run: ScenarioRun;
  state: RunState = 'starting';
  error: string | null = null;
  speed: number;
  private outcome: RunOutcome | null = null;
  private finishFailed = false;
  private driving: Promise<void> | null = null;
  private starting: Promise<void> | null = null;
  private wallAnchor = 0;
  private labAnchor = 0;
  private readonly wall: Clock;
  private readonly startProgress: StartProgress;

  constructor(private readonly options: PacedRunOptions) {
    this.wall = options.wall;
    this.speed = options.speed;
    // Before the run: building it may already tell of agents.
    const totals = scenarioTotals(options.scenario);
    this.startProgress = {
      agents: 0,
      agentsTotal: totals.agents,
      subscriptions: 0,
      subscriptionsTotal: totals.subscriptions,
    };
    this.run = new ScenarioRun(
      options.scenario,
      {
        mode: ownClock(options.scenario) ? options.scenario.clock.mode : 'virtual',
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
      },
      (event) => {
        if (this.state === 'starting') this.countStart(event);
        options.onEvent(event);
      },
    );
    // Its clock sets the pace: 1 in real time, the scenario's speed when scaled.
    if (!this.pausable) this.speed = this.run.clock.speed;
  }

  /**
   * How far the fleet's start has come, while `starting`: agents connected and subscriptions
   * made, of the scenario's totals. Agents settle together at the end (their subscribe
   * answers cross their links at one lab instant), so these are what move while it starts.
   */
  progress(): StartProgress | null {
    return this.state === 'starting' ? { ...this.startProgress } : null;
  }

  private countStart(event: LabEvent): void {
    const p = this.startProgress;
    // Capped: an agent that reconnects while the fleet starts is counted once at most overall.
    if (event.kind === 'agent.connected') p.agents = Math.min(p.agentsTotal, p.agents + 1);
    else if (event.kind === 'subscription.created')
      p.subscriptions = Math.min(p.subscriptionsTotal, p.subscriptions + 1);
  }

  /** Pause, step and speed work: the run is on the virtual clock. */
  get pausable(): boolean {
    return this.run.virtual !== null;
  }

  /** Builds the world (services, agents, subscriptions), then runs or waits paused. */
  async start(): Promise<void> {
    try {
      await (this.starting = this.run.start());
    } catch (error) {
      await this.fail(error);
      return;
    }
    if (this.state !== 'starting') return; // Stopped while starting.
    if (this.options.paused && this.pausable) this.set('paused');
    else this.resume();
  }

  /**
   * Where pacing has reached in lab time. Only the pacer reads it: what the lab shows as
   * "now" is its last recorded event (Timeline.spanMs), never this estimate.
   */
  private position(): number {
    if (this.state !== 'running' || this.speed === 0) return this.labAnchor;
    return this.labAnchor + (this.wall.now() - this.wallAnchor) * this.speed;
  }

  /** The run has ended and its world has stopped: no event will follow. */
  get settled(): boolean {
    return this.outcome !== null || this.finishFailed;
  }

  get ended(): boolean {
    return this.state === 'finished' || this.state === 'stopped' || this.state === 'failed';
  }

  pause(): void {
    if (this.state !== 'running' || !this.pausable) return;
    this.labAnchor = Math.max(this.position(), this.run.clock.now());
    this.set('paused');
  }

  resume(): void {
    if (this.state !== 'paused' && this.state !== 'starting') return;
    this.anchor();
    this.set('running');
    this.driving ??= this.drive().finally(() => (this.driving = null));
  }

  setSpeed(speed: number): void {
    if (!this.pausable) return;
    this.anchor();
    this.speed = speed;
    this.options.onChange();
  }

  /** Runs the next `count` timer instants; only while paused. */
  async step(count: number): Promise<void> {
    if (this.state !== 'paused') return;
    await this.driving;
    await this.guard(() => this.run.step(count));
    this.labAnchor = Math.max(this.labAnchor, this.run.clock.now());
    if (this.run.done && this.state === 'paused') await this.end('finished');
    else this.options.onChange();
  }

  /** Ends the run early; what ran is kept. */
  async stop(): Promise<void> {
    if (this.ended) return;
    this.set('stopped');
    // One driver of the clock at a time: let the start (or the pacer) finish its step first.
    await this.starting?.catch(() => undefined);
    // The pacer sees the state between clock steps and returns; only then is the world stopped.
    await this.driving;
    await this.end('stopped');
  }

  /** The report's extras (energy, link counters) once the run has ended; live figures before. */
  extras(): ReportExtras {
    if (this.outcome) return reportExtras(this.outcome);
    const { world } = this.run;
    return reportExtras({
      energy: world.energy(),
      links: world.linkCounters(),
      scheduleHash: world.scheduleHash,
    });
  }

  /** Pacing restarts from here: the position shown now, at the wall clock's now. */
  private anchor(): void {
    this.labAnchor = Math.max(this.position(), this.run.clock.now());
    this.wallAnchor = this.wall.now();
  }

  private async drive(): Promise<void> {
    if (!this.pausable) return this.watch();
    while (this.state === 'running') {
      // As fast as possible: a slice of lab time, then a breath for the hosts.
      const target = this.speed === 0 ? this.nextInstant() + MAX_SPEED_SLICE_MS : this.position();
      const ok = await this.guard(() => this.advanceTimers(target));
      if (!ok) return;
      if (this.run.done) {
        await this.end('finished');
        return;
      }
      if (this.state !== 'running') return;
      await new Promise<void>((resolve) =>
        this.wall.schedule(this.speed === 0 ? 0 : PACE_TICK_MS, resolve),
      );
    }
  }

  /** A run on its own clock: its time runs by itself; look at it until it ends or is stopped. */
  private async watch(): Promise<void> {
    while (this.state === 'running' && !this.run.done) {
      await new Promise<void>((resolve) => this.wall.schedule(PACE_TICK_MS, resolve));
    }
    if (this.state === 'running') await this.end('finished');
  }

  /**
   * Runs timer instants up to `target`, never stopping the clock between two of them: a
   * run paced in slices then takes exactly the steps a run driven at once takes.
   */
  private async advanceTimers(target: number): Promise<void> {
    for (;;) {
      const at = this.nextInstant();
      if (at > target || this.state !== 'running') return;
      await this.run.advance(at);
      if (this.speed === 0) this.labAnchor = this.run.clock.now();
      if (this.run.done) return;
    }
  }

  /** The next timer instant, or the end of the run when none comes before it. */
  private nextInstant(): number {
    const next = this.run.virtual!.nextAt();
    return next === null || next > this.run.endMs ? this.run.endMs : next;
  }

  /** Runs `work`; a failure ends the run as failed. */
  private async guard(work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (error) {
      await this.fail(error);
      return false;
    }
  }

  /** Stops the world; called by the one async path that drives the clock at that moment. */
  /**
   * Stops the world, then says so: 'finished' (or 'failed') is announced only once the
   * world has stopped, so a finished run's timeline and bundle hold every event.
   */
  private async end(state: 'finished' | 'stopped'): Promise<void> {
    if (!this.outcome) {
      this.outcome = await this.run.finish(state === 'stopped').catch((error: unknown) => {
        this.error = `stopping the world: ${(error as Error).message}`;
        this.finishFailed = true;
        return null;
      });
    }
    this.set(state);
    this.options.onChange();
  }

  private async fail(error: unknown): Promise<void> {
    this.error = (error as Error).message ?? String(error);
    if (!this.outcome) {
      this.outcome = await this.run.finish(true).catch(() => {
        this.finishFailed = true;
        return null;
      });
    }
    this.set('failed');
    this.options.onChange();
  }

  private set(state: RunState): void {
    if (this.state === state) return;
    this.state = state;
    this.options.onChange();
  }
}

/**
 * A scenario with a push service the lab does not run keeps its own clock (real or scaled:
 * the schema refuses virtual for it): that service does not follow a virtual clock.
 */
export function ownClock(scenario: Scenario): boolean {
  return externalServiceIndex(scenario) >= 0;
}
