/**
 * A scenario run on screen: paced on the virtual clock (PacedRun) with run controls — or, with
 * an external push service, on its scenario's real or scaled clock with stop alone — and
 * streamed to a bundle file in the recordings folder as it goes — the bundle is the show
 * recorder's trace writer.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Link } from '../../net/link';
import type { PushService } from '../../push/service';
import type { Scenario } from '../../scenario/schema';
import { openBundleWriter, type BundleWriter } from '../../trace/bundle';
import type { TraceMeta } from '../../trace/format';
import { each, Recorder } from '../../trace/recorder';
import type { TraceClose } from '../../trace/writer';
import { VERSION } from '../../version';
import type { Holder } from '../inspect';
import { ownClock, PacedRun } from '../paced-run';
import { userAgentHolders } from './sandbox';
import {
  NotInThisShowError,
  Show,
  type Rerunnable,
  type RunControl,
  type ShowStatus,
  type Stage,
} from './show';

export interface RunSettings {
  /** What the UI calls the scenario file, if it has one. */
  path: string | null;
  /** The scenario file's folder (where an external service's `ca` is named), if it has one. */
  folder: string | null;
  seed?: number | string;
  speed: number;
  paused: boolean;
}

export class RunShow extends Show {
  protected readonly described = 'scenario run';
  readonly paced: PacedRun;
  /** The scenario as written (with seed and clock as run): what a bundle stores. */
  private readonly input: unknown;
  private readonly path: string | null;
  private readonly folder: string | null;
  private readonly bundle: { file: string; writer: BundleWriter; closed: boolean };

  /** Builds the run (not started: `begin` starts it once it is on screen). */
  constructor(
    epoch: number,
    stage: Stage,
    scenario: Scenario,
    input: unknown,
    settings: RunSettings & { recordingsDir: string },
  ) {
    const seed = settings.seed ?? scenario.seed;
    // The run is on the virtual clock whatever the file says (that is what a rerun repeats),
    // unless a service of it lives in real time: then on the clock the file names.
    const clock = ownClock(scenario) ? scenario.clock : ({ mode: 'virtual' } as const);
    const asRun = { ...(input as Record<string, unknown>), seed, clock };
    const meta: TraceMeta = {
      scenario: scenario.name,
      seed,
      clockMode: clock.mode,
      pushLabVersion: VERSION,
    };
    const file = path.join(
      settings.recordingsDir,
      `${safeName(scenario.name)}-${stamp(epoch)}.jsonl.gz`,
    );
    const writer = openBundleWriter(
      file,
      { ...meta, durationMs: scenario.duration, run: { scenario: asRun, speed: settings.speed } },
      stage.wall,
    );
    const recorder = new Recorder({ meta, timeline: stage.timeline, writer: writer.writer });
    super(epoch, recorder);
    this.input = asRun;
    this.path = settings.path;
    this.folder = settings.folder;
    this.bundle = { file, writer, closed: false };
    this.paced = new PacedRun({
      scenario,
      ...(settings.seed !== undefined ? { seed: settings.seed } : {}),
      speed: settings.speed,
      paused: settings.paused,
      wall: stage.wall,
      // Fed by the run's own listener, which sees the events of building the world too.
      onEvent: each(recorder.record, (event) => stage.relay(epoch, event)),
      onChange: () => {
        if (this.paced.settled && !this.bundle.closed) void this.closeBundle();
        stage.changed(epoch);
      },
    });
  }

  override begin(): void {
    void this.paced.start();
  }

  protected ownStatus(): ShowStatus {
    const { paced } = this;
    return {
      mode: 'run',
      name: paced.run.scenario.name,
      state: paced.state,
      speed: paced.speed,
      durationMs: paced.run.scenario.duration,
      controllable: paced.pausable && !paced.ended && paced.state !== 'starting',
      path: this.path,
      canSave: true,
      canRerun: true,
      error: paced.error,
      ...(paced.pausable ? {} : { warning: OWN_CLOCK_WARNING }),
      starting: paced.progress(),
    };
  }

  report(format: 'html' | 'json'): string {
    return this.recorder.reportText(format, {
      title: `Push Lab — ${this.paced.run.scenario.name}`,
      endT: this.paced.run.clock.now(),
      extras: this.paced.extras(),
    });
  }

  override services(): PushService[] {
    return [...this.paced.run.world.services.values()];
  }

  override holders(): Holder[] {
    const { world } = this.paced.run;
    return [
      ...userAgentHolders(world.userAgents),
      ...world.gateways.flatMap((g) =>
        g.heldSubscriptions().map((subscription) => ({ agentId: g.id, subscription })),
      ),
    ];
  }

  override links(): Link[] {
    return this.paced.run.world.links;
  }

  override async control(command: RunControl): Promise<void> {
    const { paced } = this;
    if (paced.ended && command.type !== 'run.stop') {
      throw new NotInThisShowError(`${command.type}: the run has ${paced.state}`);
    }
    if (!paced.pausable && command.type !== 'run.stop') {
      throw new NotInThisShowError(`${command.type}: ${OWN_CLOCK_WARNING}`);
    }
    switch (command.type) {
      case 'run.pause':
        paced.pause();
        return;
      case 'run.resume':
        paced.resume();
        return;
      case 'run.step':
        if (paced.state !== 'paused') {
          throw new NotInThisShowError(`run.step: pause first (the run is ${paced.state})`);
        }
        await paced.step(command.count ?? 1);
        return;
      case 'run.speed':
        paced.setSpeed(command.speed);
        return;
      case 'run.stop':
        await paced.stop();
        return;
    }
  }

  override rerunnable(): Rerunnable {
    return { input: this.input, speed: this.paced.speed, folder: this.folder };
  }

  /** Once the run has settled, its streamed bundle is whole: that file is what is saved. */
  override async savedFile(): Promise<string | null> {
    if (!this.paced.settled) return null;
    await this.bundle.writer.close();
    return this.bundle.file;
  }

  override header(): TraceMeta {
    return { ...this.meta, run: { scenario: this.input, speed: this.paced.speed } };
  }

  async dispose(): Promise<void> {
    await this.paced.stop();
    if (!this.bundle.closed) await this.closeBundle();
  }

  /** Closes the bundle with its closing record: the reason and the lab time it covered. */
  private closeBundle(): Promise<unknown> {
    this.bundle.closed = true;
    const { paced } = this;
    const end: TraceClose = {
      reason: paced.state === 'finished' || paced.state === 'failed' ? paced.state : 'stopped',
      labTimeMs: paced.run.clock.now() - paced.run.startT,
    };
    return this.bundle.writer.close(end);
  }
}

/** Why a run against an external service has stop alone (its status's warning). */
export const OWN_CLOCK_WARNING =
  'this run talks to an external push service, which lives in real time: it runs on its scenario’s clock and can be stopped, not paused, stepped or sped up';

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'run';
}

function stamp(epoch: number): string {
  return `${String(epoch).padStart(4, '0')}-${randomBytes(4).toString('hex')}`;
}
