/**
 * What the workbench serves: one show at a time — the sandbox lab, a paced scenario run, or
 * an opened recording — through this one interface. The workbench asks the show what it can
 * do; a show that cannot do something answers with a NotInThisShowError (a stable code),
 * so no command handler branches on which show it is.
 *
 * Every show has one Recorder (trace/recorder.ts): its events are folded, checked, written
 * and reported once, and its snapshot, timeline, status counts and report are read from it.
 */
import type { Command, LabInfo } from '../../../../shared/commands';
import type { LabEvent } from '../../../../shared/events';
import type { LabModel } from '../../../../shared/model';
import type { Result } from '../../../../shared/result';
import type { RunStatus } from '../../../../shared/workbench';
import type { Clock } from '../../clock/clock';
import { LabError } from '../../errors';
import type { Lab } from '../../lab';
import type { Link } from '../../net/link';
import type { PushService } from '../../push/service';
import type { TraceMeta } from '../../trace/format';
import type { Recorder } from '../../trace/recorder';
import type { Timeline, TimelineOptions } from '../../trace/timeline';
import { VERSION } from '../../version';
import type { Holder } from '../inspect';

export const SHOW_ERROR_CODES = {
  /** The show on screen cannot do this command (run controls in the sandbox, send in a recording, …). */
  NOT_IN_THIS_SHOW: 'ERR_NOT_AVAILABLE',
} as const;

export class NotInThisShowError extends LabError {
  override name = 'NotInThisShowError';

  constructor(message: string) {
    super(SHOW_ERROR_CODES.NOT_IN_THIS_SHOW, message);
  }
}

export type LabCommand = Extract<Command, { type: 'send' | 'subscribe' }>;
export type RunControl = Extract<
  Command,
  { type: 'run.pause' | 'run.resume' | 'run.step' | 'run.speed' | 'run.stop' }
>;

/** What a show says of itself in its status; the rest comes from its recorder. */
export type ShowStatus = Omit<
  RunStatus,
  'epoch' | 'events' | 'elapsedMs' | 'clockMode' | 'seed' | 'scenario' | 'warning' | 'error'
> &
  Partial<Pick<RunStatus, 'warning' | 'error'>>;

/** What the workbench lends a show it makes. */
export interface Stage {
  /** Real time: paces runs, times bundle flushes. */
  readonly wall: Clock;
  /** Options for the show's timeline (its bound). */
  readonly timeline: TimelineOptions;
  /** An event of the show with this epoch: relayed to the clients while it is on screen. */
  relay(epoch: number, event: LabEvent): void;
  /** The state of the show with this epoch changed: its status goes out while it is on screen. */
  changed(epoch: number): void;
  /**
   * The show with this epoch moved on without relaying its events (a recording indexed in
   * the background): while it is on screen, every client gets a fresh snapshot and status.
   */
  refreshed(epoch: number): void;
}

/** A scenario the show can run again, as written, at the speed it ran. */
export interface Rerunnable {
  input: unknown;
  speed: number;
  /** Where the scenario's file was (an external service's `ca` is named there); null if unknown. */
  folder?: string | null;
}

export abstract class Show {
  constructor(
    readonly epoch: number,
    readonly recorder: Recorder,
  ) {}

  get timeline(): Timeline {
    return this.recorder.timeline;
  }

  get meta(): TraceMeta {
    return this.recorder.meta;
  }

  /** What this show is called in a "not in this show" answer. */
  protected abstract readonly described: string;

  protected abstract ownStatus(): ShowStatus;

  /** The show's report (a recording still being indexed answers once it is whole). */
  abstract report(format: 'html' | 'json'): string | Promise<string>;

  /** Stops whatever the show runs; what it recorded stays readable. */
  abstract dispose(): Promise<void>;

  /** Called once the show is on screen (a run starts then, so clients see it from its start). */
  begin(): void {}

  status(): RunStatus {
    const { timeline, meta } = this;
    const own = this.ownStatus();
    return {
      ...own,
      epoch: this.epoch,
      events: timeline.count,
      // The lab time of the last event recorded, as the timeline ends: one "now" for both bars.
      elapsedMs: timeline.spanMs,
      clockMode: meta.clockMode,
      seed: meta.seed,
      scenario: meta.scenario,
      warning:
        own.warning ??
        (timeline.truncated
          ? `the timeline keeps the first ${timeline.count} events; later ones are in the recording only`
          : null),
      error: own.error ?? null,
    };
  }

  snapshot(): LabModel {
    return this.recorder.snapshot();
  }

  info(): LabInfo {
    return {
      version: VERSION,
      services: this.services().map((s) => ({ id: s.id, url: s.url, profile: s.profileName })),
    };
  }

  /** The live sandbox lab behind the show, if that is what it is (`push-lab web` prints its URL). */
  get sandboxLab(): Lab | null {
    return null;
  }

  /** The push services the show runs (a recording has none: it keeps events only). */
  services(): PushService[] {
    return [];
  }

  /** Every subscription a lab agent holds, with the agent (user agents and gateways). */
  holders(): Holder[] {
    return [];
  }

  links(): Link[] {
    return [];
  }

  /** Send and subscribe: the sandbox lab's Send form. */
  labCommand(command: LabCommand): Promise<Result<unknown>> {
    return Promise.reject(
      new NotInThisShowError(
        `${command.type}: works in the sandbox lab; a scenario's application servers send on their plan (go back with "sandbox")`,
      ),
    );
  }

  /** Pause, resume, step, speed, stop: a scenario run's controls. */
  control(command: RunControl): Promise<void> {
    return Promise.reject(
      new NotInThisShowError(
        `${command.type}: nothing to control; run controls work on a scenario run (this is the ${this.described})`,
      ),
    );
  }

  /** The scenario to run again. */
  rerunnable(): Rerunnable {
    throw new NotInThisShowError(
      'bundle.rerun: what is open is not a scenario run (a plain trace or the sandbox has no scenario to run again)',
    );
  }

  /**
   * Saving the show as a bundle at `file`: a finished file to copy, or null to write it from
   * the timeline under `header()`.
   */
  async savedFile(_file: string): Promise<string | null> {
    return null;
  }

  /** Lets go of the sandbox's durable store, when this show holds it (before a new sandbox takes it). */
  async releaseStore(): Promise<void> {}

  /** The header a bundle written from the timeline carries. */
  header(): TraceMeta {
    return this.meta;
  }
}
