/**
 * The workbench: what the UI's engine host serves. It holds one show at a time — the
 * sandbox lab (a live service, a user agent and the Send form), a scenario run with run
 * controls, or an opened recording (shows/) — and relays its events, snapshot and status to
 * the hosts. Each show records itself once (its Recorder: fold, checker, trace, report), so
 * any moment of it can be travelled to. Commands are looked up in one table of handlers
 * (commands/); what a command can do is asked of the show.
 *
 *   hosts ──commands──▶ Workbench ──▶ COMMAND_HANDLERS[type](command, context) ──▶ Show
 *         ◀─events, snapshot, status── (one epoch per show; a new show resets the views)
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from '../../../shared/commands';
import type { LabEvent } from '../../../shared/events';
import type { LabModel } from '../../../shared/model';
import { fail, type Result } from '../../../shared/result';
import { BUNDLE_BYTES_MAX, type RunStatus } from '../../../shared/workbench';
import type { Clock } from '../clock/clock';
import { RealClock } from '../clock/real';
import { describeError } from '../errors';
import { checkRegularFile } from '../fs/bounded-read';
import { FileAccess } from '../fs/confined';
import type { Lab, LabOptions } from '../lab';
import type { ProxySet } from '../net/proxy-set';
import type { Scenario } from '../scenario/schema';
import { deliver } from '../trace/recorder';
import type { TimelineOptions } from '../trace/timeline';
import { COMMAND_HANDLERS, type CommandContext, type Handler } from './commands';
import { Comparisons, type ComparisonsOptions } from './comparisons';
import { RecentFiles } from './scenario-files';
import { RecordingShow } from './shows/recording';
import { RunShow, type RunSettings } from './shows/run';
import { SandboxShow } from './shows/sandbox';
import type { Show, Stage } from './shows/show';
import { SentSeeks } from './sent-seeks';
import { Uploads } from './uploads';

export { SANDBOX_STORE_DIR } from './shows/sandbox';

export interface WorkbenchOptions {
  /** Where recent files and recordings are kept. */
  dataDir: string;
  /** The folder scenarios are opened from and saved to (default `<dataDir>/scenarios`). */
  workspaceDir?: string;
  /** The example scenarios (resources/scenarios). */
  examplesDir: string;
  /** The sandbox lab's options (port, TLS, …). */
  sandbox?: LabOptions;
  /** Paces runs and throttles status messages (real time by default). */
  wall?: Clock;
  /** Recordings kept in `<dataDir>/recordings` (oldest deleted first). Default 5. */
  recordingsKept?: number;
  /** Events a show's timeline keeps (default: the Timeline's own bound). */
  timelineEventsMax?: number;
  /**
   * TCP proxies (`push-lab web --proxy`) whose links the sandbox shows, so their faults change
   * from the Links view. The caller owns them: it closes them after the workbench stops.
   */
  proxies?: ProxySet;
  /** Where comparisons run (default: a worker thread per profile, at most the cores). */
  compare?: ComparisonsOptions;
}

/** Status messages carry the elapsed time at most this often while nothing else changes. */
export const STATUS_INTERVAL_MS = 250;
/** Recordings kept in the recordings folder when the options say nothing. */
export const RECORDINGS_KEPT_DEFAULT = 5;

type Listener<T> = (value: T) => void;

export class Workbench {
  private show!: Show;
  private epoch = 0;
  private readonly eventListeners = new Set<Listener<LabEvent>>();
  private readonly statusListeners = new Set<Listener<RunStatus>>();
  private readonly resetListeners = new Set<() => void>();
  private readonly wall: Clock;
  private readonly recent: RecentFiles;
  /** The only files commands may name (engine/fs/confined.ts). */
  readonly files: FileAccess;
  private readonly uploads: Uploads;
  private readonly seeks = new SentSeeks();
  private readonly comparisons: Comparisons;
  /** What a show borrows from the workbench: real time, its timeline's bound, the relay. */
  private readonly stage: Stage;
  private lastStatusKey = '';
  private statusTimer: { cancel(): void } | null = null;
  /** Serializes show changes (a start while another is starting waits its turn). */
  private switching: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: WorkbenchOptions) {
    this.wall = options.wall ?? new RealClock();
    this.files = new FileAccess({
      workspace: path.resolve(options.workspaceDir ?? path.join(options.dataDir, 'scenarios')),
      recordings: path.resolve(options.dataDir, 'recordings'),
      examples: path.resolve(options.examplesDir),
    });
    // A handle from an earlier process names nothing now: it is not listed.
    this.recent = new RecentFiles(
      path.join(options.dataDir, 'recent.json'),
      (name) => !this.files.isHandle(name) || this.files.knows(name),
    );
    this.uploads = new Uploads(() => this.recordingsDir(), this.wall);
    this.comparisons = new Comparisons(options.compare);
    const timeline: TimelineOptions =
      options.timelineEventsMax !== undefined ? { eventsMax: options.timelineEventsMax } : {};
    this.stage = {
      wall: this.wall,
      timeline,
      relay: (epoch, event) => {
        if (this.show?.epoch === epoch) this.shown(event);
      },
      changed: (epoch) => {
        if (this.show?.epoch === epoch) this.statusChanged();
      },
      refreshed: (epoch) => {
        if (this.show?.epoch !== epoch) return;
        // The hosts' sessions answer a reset with a snapshot and the status.
        for (const listener of this.resetListeners) listener();
        this.statusChanged();
      },
    };
  }

  /** Holds a file the user chose (command line, native dialog); commands name it by the handle. */
  registerFile(file: string): string {
    return this.files.register(file);
  }

  /** A client session ended: its upload in progress is deleted, its seek answers released. */
  async sessionClosed(session: object): Promise<void> {
    this.seeks.forget(session);
    await this.uploads.closeSession(session);
  }

  /** Starts the sandbox lab. */
  async start(): Promise<void> {
    await this.files.prepare();
    this.show = await this.makeSandbox();
  }

  async stop(): Promise<void> {
    this.statusTimer?.cancel();
    await this.uploads.closeAll();
    await this.comparisons.close();
    await this.show.dispose();
  }

  /** The sandbox lab, while it is what runs (for `push-lab web` to print its URL). */
  get sandbox(): Lab | null {
    return this.show.sandboxLab;
  }

  // ---- the host's port ------------------------------------------------------------------

  onEvent(listener: Listener<LabEvent>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** A new show replaced the old one: clients need a fresh snapshot (and status). */
  onReset(listener: () => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  onRunStatus(listener: Listener<RunStatus>): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  snapshot(): LabModel {
    return this.show.snapshot();
  }

  status(): RunStatus {
    return this.show.status();
  }

  /**
   * Runs a validated command: its handler from the table, with the show on screen. Never
   * throws: failures come back as `{ok: false}` with their error's code.
   * @param session  the client session it came from (an upload belongs to its session).
   */
  async execute(command: Command, session?: object): Promise<Result<unknown>> {
    try {
      const handler = COMMAND_HANDLERS[command.type] as Handler<Command['type']> | undefined;
      // Only reachable with a command that skipped validation (parseCommand's code): the
      // table covers the contract.
      if (handler === undefined) {
        return fail(
          'ERR_BAD_COMMAND',
          `type: got "${String(command.type)}"; allowed one of ${Object.keys(COMMAND_HANDLERS).join(', ')}`,
        );
      }
      return await handler(command as never, this.context(session));
    } catch (error) {
      const { code, message } = describeError(error);
      return fail(code, message);
    }
  }

  private context(session: object | undefined): CommandContext {
    return {
      show: this.show,
      session,
      seeks: this.seeks,
      files: this.files,
      recent: this.recent,
      uploads: this.uploads,
      examplesDir: this.options.examplesDir,
      wall: this.wall,
      comparisons: this.comparisons,
      snapshot: () => this.snapshot(),
      status: () => this.status(),
      showSandbox: () => this.replace(() => this.makeSandbox()),
      showRun: (scenario, input, settings) =>
        this.replace(() => this.makeRun(scenario, input, settings)),
      showRecording: (file, name, ref) => this.openRecording(file, name, ref),
      readableBundle: (ref) => this.readableBundle(ref),
    };
  }

  // ---- making shows ---------------------------------------------------------------------------

  private async makeSandbox(): Promise<SandboxShow> {
    const epoch = ++this.epoch;
    await this.show?.releaseStore();
    return SandboxShow.start(
      epoch,
      this.stage,
      this.options.sandbox ?? {},
      this.options.dataDir,
      this.options.proxies ?? null,
    );
  }

  private async makeRun(
    scenario: Scenario,
    input: unknown,
    settings: RunSettings,
  ): Promise<RunShow> {
    const epoch = ++this.epoch;
    const recordingsDir = await this.recordingsDir();
    return new RunShow(epoch, this.stage, scenario, input, { ...settings, recordingsDir });
  }

  private async openRecording(file: string, name: string, ref: string): Promise<void> {
    const made = await RecordingShow.open(file, name, ref, this.stage);
    await this.replace(async () => made(++this.epoch));
  }

  /** The real path of a recording the engine may read: a regular file under BUNDLE_BYTES_MAX. */
  private async readableBundle(ref: string): Promise<string> {
    const file = await this.files.resolve(ref, 'recording', 'read');
    await checkRegularFile(file, BUNDLE_BYTES_MAX, 'recording');
    return file;
  }

  private async recordingsDir(): Promise<string> {
    const dir = path.join(this.options.dataDir, 'recordings');
    await mkdir(dir, { recursive: true });
    // Bounded: the oldest recordings go first.
    const kept = this.options.recordingsKept ?? RECORDINGS_KEPT_DEFAULT;
    // Uploads count too, whatever their extension: their total on disk stays bounded.
    const names = (await readdir(dir))
      .filter((n) => n.endsWith('.gz') || n.startsWith('upload-'))
      .sort();
    for (const old of names.slice(0, Math.max(0, names.length - kept + 1))) {
      await rm(path.join(dir, old), { force: true });
    }
    return dir;
  }

  // ---- switching shows ----------------------------------------------------------------------

  private replace(make: () => Promise<Show>): Promise<void> {
    const next = this.switching.then(async () => {
      const made = await make();
      const old = this.show;
      this.show = made;
      for (const listener of this.resetListeners) listener();
      this.statusChanged(true);
      // A run is built before it is shown and started after, so clients see it from its start.
      made.begin();
      await old.dispose();
    });
    this.switching = next.catch(() => undefined);
    return next;
  }

  /**
   * An event of the show on screen: relayed, and the status (its lab time and event count)
   * follows within STATUS_INTERVAL_MS, so the run bar moves with the timeline.
   */
  private shown(event: LabEvent): void {
    this.statusChanged();
    deliver(this.eventListeners, event);
  }

  /** Sends the status now when more than the clock changed, else at most every STATUS_INTERVAL_MS. */
  private statusChanged(force = false): void {
    const status = this.status();
    const key = `${status.epoch}|${status.state}|${status.speed}|${status.error}|${status.warning}|${status.controllable}`;
    if (force || key !== this.lastStatusKey) {
      this.lastStatusKey = key;
      this.statusTimer?.cancel();
      this.statusTimer = null;
      this.publishStatus(status);
      return;
    }
    this.statusTimer ??= this.wall.schedule(STATUS_INTERVAL_MS, () => {
      this.statusTimer = null;
      this.publishStatus(this.status());
    });
  }

  private publishStatus(status: RunStatus): void {
    for (const listener of this.statusListeners) listener(status);
  }
}
