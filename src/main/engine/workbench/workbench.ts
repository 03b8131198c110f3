/**
 * The workbench: what the UI's engine host serves. It holds one "show" at a time — the
 * sandbox lab (a live service, a user agent and the Send form), a scenario run with run
 * controls, or an opened recording — and relays its events, snapshot and status to the
 * hosts. Every show is recorded into a Timeline, so any moment of it can be travelled to;
 * a scenario run is also streamed to a bundle file as it goes.
 *
 *   hosts ──commands──▶ Workbench ──▶ current show: Sandbox | Run (PacedRun) | Replay
 *         ◀─events, snapshot, status── (one epoch per show; a new show resets the views)
 */
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Command } from '../../../shared/commands';
import type { LabEvent, Profile } from '../../../shared/events';
import { emptyModel, type LabModel } from '../../../shared/model';
import { fail, ok, type Result } from '../../../shared/result';
import { BUNDLE_BYTES_MAX, type RunStatus, type SeekResult } from '../../../shared/workbench';
import type { Clock } from '../clock/clock';
import { RealClock } from '../clock/real';
import { describeError } from '../errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { checkRegularFile } from '../fs/bounded-read';
import { FileAccess, FileAccessError } from '../fs/confined';
import { Lab, type LabOptions } from '../lab';
import type { Link } from '../net/link';
import { parseScenario, validateScenario } from '../scenario/load';
import type { Scenario } from '../scenario/schema';
import { totalsProblems } from '../scenario/totals';
import { openBundleWriter, type BundleWriter } from '../trace/bundle';
import { diffRecordings, openRecording } from '../trace/diff';
import type { TraceMeta } from '../trace/format';
import { ModelTracker } from '../trace/model-tracker';
import { ReportBuilder, reportToJson } from '../trace/report';
import { renderReportHtml } from '../trace/report-html';
import { Timeline } from '../trace/timeline';
import type { TraceClose } from '../trace/writer';
import { VERSION } from '../version';
import { compareProfiles } from './compare';
import { inspectMessage, type Holder } from './inspect';
import type { UserAgent } from '../agents/user-agent';
import type { PushService } from '../push/service';
import { StoreError } from '../push/store/store';
import { linksInfo, setLinkFaults } from './links';
import { PacedRun } from './paced-run';
import { checkScenarioText, listExamples, readScenarioFile, RecentFiles } from './scenario-files';
import { Uploads } from './uploads';

/** How a run's bundle is closed: its closing record's reason and the lab time it covered. */
function closing(paced: PacedRun): TraceClose {
  return {
    reason: paced.state === 'finished' || paced.state === 'failed' ? paced.state : 'stopped',
    labTimeMs: paced.run.clock.now() - paced.run.startT,
  };
}

/** The sandbox push service's durable store, under the data directory. */
export const SANDBOX_STORE_DIR = 'store';

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
}

/** Status messages carry the elapsed time at most this often while nothing else changes. */
export const STATUS_INTERVAL_MS = 250;

type Listener<T> = (value: T) => void;

/** What every show has; the three kinds add their own. */
interface ShowBase {
  readonly epoch: number;
  readonly timeline: Timeline;
  readonly meta: TraceMeta;
  snapshot(): LabModel;
  report(format: 'html' | 'json'): string;
  dispose(): Promise<void>;
}

interface SandboxShow extends ShowBase {
  kind: 'sandbox';
  lab: Lab;
  startedAt: number;
}

interface RunShow extends ShowBase {
  kind: 'run';
  paced: PacedRun;
  /** The scenario as written (with seed and clock as run): what a bundle stores. */
  input: unknown;
  path: string | null;
  bundle: { file: string; writer: BundleWriter; closed: boolean };
}

interface ReplayShow extends ShowBase {
  kind: 'replay';
  file: string;
  /** What the UI calls the file (a name in the recordings folder, or a handle). */
  ref: string;
  name: string;
  warning: string | null;
  /** The recording's scenario input and pacing speed, when it is a run bundle. */
  run: { scenario: unknown; speed: number } | null;
}

type Show = SandboxShow | RunShow | ReplayShow;

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
  }

  /** Holds a file the user chose (command line, native dialog); commands name it by the handle. */
  registerFile(file: string): string {
    return this.files.register(file);
  }

  /** A client session ended: its upload in progress is deleted. */
  async sessionClosed(session: object): Promise<void> {
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
    await this.show.dispose();
  }

  /** The sandbox lab, while it is what runs (for `push-lab web` to print its URL). */
  get sandbox(): Lab | null {
    return this.show.kind === 'sandbox' ? this.show.lab : null;
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
    const show = this.show;
    const base = {
      epoch: show.epoch,
      events: show.timeline.count,
      // The lab time of the last event recorded, as the timeline ends: one "now" for both bars.
      elapsedMs: show.timeline.spanMs,
      clockMode: show.meta.clockMode,
      seed: show.meta.seed,
      scenario: show.meta.scenario,
      warning: show.timeline.truncated
        ? `the timeline keeps the first ${show.timeline.count} events; later ones are in the recording only`
        : null,
      error: null,
    };
    switch (show.kind) {
      case 'sandbox':
        return {
          ...base,
          mode: 'sandbox',
          name: null,
          state: 'running',
          speed: 1,
          durationMs: null,
          controllable: false,
          path: null,
          canSave: show.timeline.count > 0,
          canRerun: false,
        };
      case 'run': {
        const { paced } = show;
        return {
          ...base,
          mode: 'run',
          name: paced.run.scenario.name,
          state: paced.state,
          speed: paced.speed,
          durationMs: paced.run.scenario.duration,
          controllable: !paced.ended && paced.state !== 'starting',
          path: show.path,
          canSave: true,
          canRerun: true,
          error: paced.error,
        };
      }
      case 'replay':
        return {
          ...base,
          mode: 'replay',
          name: show.name,
          state: 'recorded',
          speed: show.run?.speed ?? 1,
          durationMs: null,
          controllable: false,
          path: show.ref,
          canSave: true,
          canRerun: show.run !== null,
          warning: show.warning ?? base.warning,
        };
    }
  }

  /**
   * Runs a validated command. Never throws: failures come back as `{ok: false}`.
   * @param session  the client session it came from (an upload belongs to its session).
   */
  async execute(command: Command, session?: object): Promise<Result<unknown>> {
    try {
      return await this.dispatch(command, session);
    } catch (error) {
      const { code, message } = describeError(error);
      return fail(code, message);
    }
  }

  private async dispatch(command: Command, session?: object): Promise<Result<unknown>> {
    const show = this.show;
    switch (command.type) {
      case 'snapshot':
        return ok(this.snapshot());
      case 'info':
        return ok(
          show.kind === 'sandbox'
            ? show.lab.info()
            : { version: VERSION, services: this.services() },
        );
      case 'send':
      case 'subscribe':
        if (show.kind !== 'sandbox') {
          return fail(
            'ERR_NOT_AVAILABLE',
            `${command.type}: works in the sandbox lab; a scenario's application servers send on their plan (go back with "sandbox")`,
          );
        }
        return show.lab.execute(command);
      case 'report':
        return ok({ format: command.format, content: show.report(command.format) });
      case 'status':
        return ok(this.status());
      case 'sandbox':
        await this.replace(() => this.makeSandbox());
        return ok(this.status());
      case 'run.start':
        return this.startRun(command);
      case 'run.pause':
      case 'run.resume':
      case 'run.step':
      case 'run.speed':
      case 'run.stop':
        return this.control(command);
      case 'scenario.examples':
        return ok(await listExamples(this.options.examplesDir));
      case 'scenario.recent':
        return ok(await this.recent.list());
      case 'scenario.read': {
        const file = await this.files.resolve(command.path, 'scenario', 'read');
        const text = await readScenarioFile(file);
        const name = await this.files.nameFor(command.path, file, 'scenario');
        await this.recent.add(name);
        return ok({ path: name, text });
      }
      case 'scenario.save': {
        const file = await this.files.resolve(command.path, 'scenario', 'write');
        await writeFileAtomic(file, command.text, {
          ...(command.overwrite !== undefined ? { overwrite: command.overwrite } : {}),
        });
        const name = await this.files.nameFor(command.path, file, 'scenario');
        await this.recent.add(name);
        return ok({ path: name, bytes: Buffer.byteLength(command.text) });
      }
      case 'scenario.validate':
        return ok(checkScenarioText(command.text));
      case 'links':
        return ok(linksInfo(this.links()));
      case 'message': {
        const detail = inspectMessage(command.messageId, this.servicesShown(), this.holders());
        return typeof detail === 'string' ? fail('ERR_NOT_FOUND', detail) : ok(detail);
      }
      case 'energy': {
        if (show.kind !== 'run') return ok({ t: 0, byClass: {}, devicesByClass: {} });
        const energy = show.paced.run.world.energy();
        return ok({
          t: energy.untilMs,
          byClass: Object.fromEntries(
            Object.entries(energy.byClass).map(([k, v]) => [k, v.joules]),
          ),
          devicesByClass: Object.fromEntries(
            Object.entries(energy.byClass).map(([k, v]) => [k, v.deviceCount]),
          ),
        });
      }
      case 'link.faults':
        return ok(setLinkFaults(this.links(), command.linkIds, command.faults));
      case 'compare': {
        const scenario = scenarioFrom(command.text, 'compare.text');
        if (!scenario.ok) return scenario;
        // A longer durationMs plans more messages than the text was checked for.
        const totals = totalsProblems({
          ...scenario.value,
          duration: command.durationMs ?? scenario.value.duration,
        });
        if (totals.length > 0) {
          return fail('ERR_SCENARIO_INVALID', `compare: too big to run: ${totals.join('; ')}`);
        }
        return ok(
          await compareProfiles(scenario.value, {
            profiles: command.profiles as Profile[],
            ...(command.seed !== undefined ? { seed: command.seed } : {}),
            ...(command.durationMs !== undefined ? { durationMs: command.durationMs } : {}),
          }),
        );
      }
      case 'bundle.open': {
        const file = await this.readableBundle(command.path);
        await this.openBundle(
          file,
          path.basename(command.path),
          await this.files.nameFor(command.path, file, 'recording'),
        );
        return ok(this.status());
      }
      case 'bundle.upload.begin':
        return ok({ uploadId: await this.uploads.begin(session, command.name, command.bytes) });
      case 'bundle.upload.chunk':
        return ok({ received: await this.uploads.chunk(session, command.uploadId, command.data) });
      case 'bundle.upload.abort':
        return ok({ aborted: await this.uploads.abort(session, command.uploadId) });
      case 'bundle.upload.end': {
        const { file, name } = await this.uploads.end(session, command.uploadId);
        try {
          await this.openBundle(file, name, path.basename(file));
        } catch (error) {
          // Not a recording after all: it is not kept.
          await rm(file, { force: true });
          throw error;
        }
        return ok(this.status());
      }
      case 'bundle.save': {
        const file = await this.files.resolve(command.path, 'recording', 'write');
        const saved = await this.saveBundle(file);
        return ok({ ...saved, path: await this.files.nameFor(command.path, file, 'recording') });
      }
      case 'bundle.rerun':
        return this.rerun();
      case 'bundle.diff': {
        const [a, b] = [await this.readableBundle(command.a), await this.readableBundle(command.b)];
        // The answer names the files as the client did.
        return ok({ ...(await diffRecordings(a, b)), a: command.a, b: command.b });
      }
      case 'timeline':
        return ok({ epoch: show.epoch, ...show.timeline.info(command.buckets) });
      case 'seek': {
        const window = command.window ?? 5_000;
        const at =
          command.seq !== undefined
            ? show.timeline.seek(command.seq, window)
            : show.timeline.seekTime(command.t!, window);
        if (show.timeline.count === 0) return fail('ERR_NOT_FOUND', 'seek: nothing recorded yet');
        return ok({ epoch: show.epoch, ...at } satisfies SeekResult);
      }
      case 'find':
        return ok({
          seq: show.timeline.find(command.from, command.direction, command.what, command.messageId),
        });
    }
  }

  // ---- runs -------------------------------------------------------------------------------

  private async startRun(
    command: Extract<Command, { type: 'run.start' }>,
  ): Promise<Result<RunStatus>> {
    const loaded = parseScenario(command.text, command.path ?? 'scenario');
    if (!loaded.ok) {
      return fail(
        'ERR_SCENARIO_INVALID',
        `the scenario is not valid: ${loaded.problems.join('; ')}`,
      );
    }
    const name = command.path ? await this.scenarioName(command.path) : null;
    if (name !== null) await this.recent.add(name).catch(() => undefined);
    await this.replace(() =>
      this.makeRun(loaded.scenario, loaded.input, {
        path: name,
        ...(command.seed !== undefined ? { seed: command.seed } : {}),
        speed: command.speed ?? defaultSpeed(loaded.scenario),
        paused: command.paused ?? false,
      }),
    );
    return ok(this.status());
  }

  private async rerun(): Promise<Result<RunStatus>> {
    const show = this.show;
    let input: unknown;
    let speed: number;
    if (show.kind === 'run') {
      input = show.input;
      speed = show.paced.speed;
    } else if (show.kind === 'replay' && show.run) {
      input = show.run.scenario;
      speed = show.run.speed;
    } else {
      return fail(
        'ERR_NOT_AVAILABLE',
        'bundle.rerun: what is open is not a scenario run (a plain trace or the sandbox has no scenario to run again)',
      );
    }
    const loaded = validateScenario(input);
    if (!loaded.ok) {
      return fail(
        'ERR_SCENARIO_INVALID',
        `the recording's scenario no longer validates: ${loaded.problems.join('; ')}`,
      );
    }
    await this.replace(() =>
      this.makeRun(loaded.scenario, input, { path: null, speed, paused: false }),
    );
    return ok(this.status());
  }

  private async control(command: Command): Promise<Result<RunStatus>> {
    const show = this.show;
    if (show.kind !== 'run') {
      return fail(
        'ERR_NOT_AVAILABLE',
        `${command.type}: nothing to control; run controls work on a scenario run (this is the ${show.kind === 'sandbox' ? 'sandbox lab, which runs in real time' : 'replay of a recording'})`,
      );
    }
    const { paced } = show;
    if (paced.ended && command.type !== 'run.stop') {
      return fail('ERR_NOT_AVAILABLE', `${command.type}: the run has ${paced.state}`);
    }
    switch (command.type) {
      case 'run.pause':
        paced.pause();
        break;
      case 'run.resume':
        paced.resume();
        break;
      case 'run.step':
        if (paced.state !== 'paused') {
          return fail('ERR_NOT_AVAILABLE', `run.step: pause first (the run is ${paced.state})`);
        }
        await paced.step(command.count ?? 1);
        break;
      case 'run.speed':
        paced.setSpeed(command.speed);
        break;
      case 'run.stop':
        await paced.stop();
        break;
    }
    return ok(this.status());
  }

  private async makeRun(
    scenario: Scenario,
    input: unknown,
    settings: { path: string | null; seed?: number | string; speed: number; paused: boolean },
  ): Promise<RunShow> {
    const epoch = ++this.epoch;
    const seed = settings.seed ?? scenario.seed;
    // The run is on the virtual clock whatever the file says: that is what a rerun repeats.
    const asRun = { ...(input as Record<string, unknown>), seed, clock: { mode: 'virtual' } };
    const meta: TraceMeta = {
      scenario: scenario.name,
      seed,
      clockMode: 'virtual',
      pushLabVersion: VERSION,
    };
    const timeline = this.newTimeline();
    const dir = await this.recordingsDir();
    const file = path.join(dir, `${safeName(scenario.name)}-${stamp(epoch)}.jsonl.gz`);
    const writer = openBundleWriter(
      file,
      { ...meta, durationMs: scenario.duration, run: { scenario: asRun, speed: settings.speed } },
      this.wall,
    );
    const builder = new ReportBuilder({ meta, verdicts: timeline.verdicts });
    // Fed by the run's own listener, which sees the events of building the world too.
    const tracker = new ModelTracker(null);
    const paced: PacedRun = new PacedRun({
      scenario,
      ...(settings.seed !== undefined ? { seed: settings.seed } : {}),
      speed: settings.speed,
      paused: settings.paused,
      wall: this.wall,
      onEvent: each(
        (event) => timeline.append(event),
        (event) => writer.writer.write(event),
        (event) => builder.add(event),
        (event) => tracker.add(event),
        (event) => {
          if (this.show?.epoch === epoch) this.shown(event);
        },
      ),
      onChange: () => {
        if (paced.settled && !show.bundle.closed) {
          show.bundle.closed = true;
          void writer.close(closing(paced));
        }
        if (this.show?.epoch === epoch) this.statusChanged();
      },
    });
    const show: RunShow = {
      kind: 'run',
      epoch,
      timeline,
      meta,
      paced,
      input: asRun,
      path: settings.path,
      bundle: { file, writer, closed: false },
      snapshot: () => tracker.snapshot(),
      report: (format) => {
        const { report } = builder.finish(paced.run.clock.now(), paced.extras());
        return format === 'html'
          ? renderReportHtml(report, { title: `Push Lab — ${scenario.name}` })
          : reportToJson(report);
      },
      dispose: async () => {
        await paced.stop();
        if (!show.bundle.closed) {
          show.bundle.closed = true;
          await writer.close(closing(paced));
        }
      },
    };
    return show;
  }

  // ---- recordings -------------------------------------------------------------------------

  /** What the UI calls the scenario file `ref` (it may not exist yet); refuses outside files. */
  private async scenarioName(ref: string): Promise<string> {
    let file: string;
    try {
      file = await this.files.resolve(ref, 'scenario', 'read');
    } catch (error) {
      if (error instanceof FileAccessError) throw error;
      file = await this.files.resolve(ref, 'scenario', 'write');
    }
    return this.files.nameFor(ref, file, 'scenario');
  }

  /** The real path of a recording the engine may read: a regular file under BUNDLE_BYTES_MAX. */
  private async readableBundle(ref: string): Promise<string> {
    const file = await this.files.resolve(ref, 'recording', 'read');
    await checkRegularFile(file, BUNDLE_BYTES_MAX, 'recording');
    return file;
  }

  private async openBundle(file: string, name: string, ref: string): Promise<void> {
    const reader = await openRecording(file);
    let timeline: Timeline;
    try {
      timeline = await Timeline.fromReader(reader, this.timelineOptions());
    } finally {
      reader.close();
    }
    // The cut sentence (reader.completeness(), the same one replay and diff print) comes
    // first: it says how much of the run the recording holds.
    const sentences = [
      ...[reader.completeness().sentence].filter((x): x is string => x !== null),
      ...reader.warnings.map((w) => w.message),
    ];
    const warning =
      sentences.length === 0
        ? null
        : sentences[0]! +
          (sentences.length > 1 ? ` (and ${sentences.length - 1} more warnings)` : '');
    const { header } = reader;
    const meta: TraceMeta = {
      scenario: header.scenario,
      seed: header.seed,
      clockMode: header.clockMode,
      pushLabVersion: header.pushLabVersion,
    };
    await this.replace(async () => {
      const epoch = ++this.epoch;
      return {
        kind: 'replay',
        epoch,
        timeline,
        meta,
        file: path.resolve(file),
        ref,
        name,
        warning,
        run: header.run ? { scenario: header.run.scenario, speed: header.run.speed } : null,
        snapshot: () =>
          timeline.count > 0 ? timeline.seek(Number.MAX_SAFE_INTEGER, 0).model : emptyModel(),
        report: (format) => {
          const builder = new ReportBuilder({ meta, verdicts: timeline.verdicts });
          for (const event of timeline.all()) builder.add(event);
          const { report } = builder.finish(timeline.lastT ?? 0);
          return format === 'html'
            ? renderReportHtml(report, { title: `Push Lab — ${name}` })
            : reportToJson(report);
        },
        dispose: async () => undefined,
      } satisfies ReplayShow;
    });
  }

  /**
   * Saves what is shown as a bundle (atomically, like every write): the streamed file once
   * complete, else written from the timeline. `file` is a real path from FileAccess.
   */
  private async saveBundle(file: string): Promise<{ events: number; bytes: number }> {
    const show = this.show;
    let source: string | null = null;
    if (show.kind === 'run' && show.paced.settled) {
      await show.bundle.writer.close();
      source = show.bundle.file;
    } else if (show.kind === 'replay' && show.file !== file) {
      source = show.file;
    }
    const written = await writeFileAtomic(file, async (temporary) => {
      if (source !== null) {
        await copyFile(source, temporary);
        return;
      }
      const header: TraceMeta = {
        ...show.meta,
        ...(show.kind === 'run' ? { run: { scenario: show.input, speed: show.paced.speed } } : {}),
        ...(show.kind === 'replay' && show.run ? { run: show.run } : {}),
      };
      const out = openBundleWriter(temporary, header, this.wall);
      for (const event of show.timeline.all()) out.writer.write(event);
      const stats = await out.close({ reason: 'saved' });
      if (stats.error) throw new Error(`${file}: cannot write it (${stats.error})`);
    });
    return { events: show.timeline.count, bytes: (await stat(written)).size };
  }

  private async recordingsDir(): Promise<string> {
    const dir = path.join(this.options.dataDir, 'recordings');
    await mkdir(dir, { recursive: true });
    // Bounded: the oldest recordings go first.
    const kept = this.options.recordingsKept ?? 5;
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
      if (made.kind === 'run') void made.paced.start();
      await old.dispose();
    });
    this.switching = next.catch(() => undefined);
    return next;
  }

  private async makeSandbox(): Promise<SandboxShow> {
    const epoch = ++this.epoch;
    // One process at a time holds a store: a sandbox replacing the sandbox lets go of it first.
    if (this.show?.kind === 'sandbox') await this.show.dispose();
    // The sandbox has no seed: it is driven by hand, on its own clock, and cannot be rerun.
    const meta: TraceMeta = {
      scenario: null,
      seed: null,
      clockMode: this.options.sandbox?.clock?.kind ?? 'real',
      pushLabVersion: VERSION,
    };
    let timeline!: Timeline;
    let builder!: ReportBuilder;
    const lab = await this.startSandboxLab(() => {
      // Each lab tried is recorded from scratch: a fallback lab's seqs start again at 1.
      timeline = this.newTimeline();
      // The report reads the timeline's checker: one verdict for the markers and the report.
      builder = new ReportBuilder({ meta, verdicts: timeline.verdicts });
      // Consumers that cannot stop one another: a failing one is reported on the bus.
      return each(
        (event) => timeline.append(event),
        (event) => builder.add(event),
        (event) => {
          if (this.show?.epoch === epoch) this.shown(event);
        },
      );
    });
    let stopped: Promise<void> | null = null;
    return {
      kind: 'sandbox',
      epoch,
      lab,
      startedAt: lab.clock.now(),
      timeline,
      meta,
      snapshot: () => lab.snapshot(),
      report: (format) => {
        const { report } = builder.finish(lab.clock.now());
        return format === 'html'
          ? renderReportHtml(report, { title: 'Push Lab — sandbox' })
          : reportToJson(report);
      },
      dispose: () => (stopped ??= lab.stop()),
    };
  }

  /**
   * The sandbox's push service keeps its state in `<data dir>/store` (push/store/), so its
   * subscriptions and messages survive a restart of the app. A store held by another
   * Push Lab process (a second window on the same data directory) leaves this sandbox in
   * memory rather than failing it.
   */
  private async startSandboxLab(record: () => (event: LabEvent) => void): Promise<Lab> {
    const options = this.options.sandbox ?? {};
    const durable = (options.profile ?? 'rfc8030') === 'rfc8030';
    const storeDir = path.join(this.options.dataDir, SANDBOX_STORE_DIR);
    const lab = new Lab({ ...options, ...(durable ? { storeDir } : {}), listener: record() });
    try {
      await lab.start();
      return lab;
    } catch (error) {
      await lab.stop().catch(() => {});
      if (!(error instanceof StoreError) || error.code !== 'ERR_STORE_LOCKED') throw error;
      const fallback = new Lab({ ...options, listener: record() });
      await fallback.start();
      return fallback;
    }
  }

  private newTimeline(): Timeline {
    return new Timeline(this.timelineOptions());
  }

  private timelineOptions(): { eventsMax?: number } {
    return this.options.timelineEventsMax !== undefined
      ? { eventsMax: this.options.timelineEventsMax }
      : {};
  }

  /** The push services of what is shown (a recording has none: it keeps events only). */
  private servicesShown(): PushService[] {
    const show = this.show;
    if (show.kind === 'sandbox') return [show.lab.service];
    if (show.kind === 'run') return [...show.paced.run.world.services.values()];
    return [];
  }

  /** Every subscription a lab agent holds, with the agent (user agents and gateways). */
  private holders(): Holder[] {
    const show = this.show;
    const ua = (agents: readonly UserAgent[]): Holder[] =>
      agents.flatMap((a) =>
        a.subscriptions.map((subscription) => ({ agentId: a.id, subscription })),
      );
    if (show.kind === 'sandbox') return ua(show.lab.userAgents);
    if (show.kind !== 'run') return [];
    const { world } = show.paced.run;
    return [
      ...ua(world.userAgents),
      ...world.gateways.flatMap((g) =>
        g.heldSubscriptions().map((subscription) => ({ agentId: g.id, subscription })),
      ),
    ];
  }

  private links(): Link[] {
    return this.show.kind === 'run' ? this.show.paced.run.world.links : [];
  }

  private services(): { id: string; url: string; profile: string }[] {
    if (this.show.kind !== 'run') return [];
    return [...this.show.paced.run.world.services.values()].map((s) => ({
      id: s.id,
      url: s.url,
      profile: s.profileName,
    }));
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

/**
 * Hands `event` to every consumer even when one throws (the recording must not stop because
 * the UI stream failed, nor one client's stream because another's did); then throws the first
 * failure on, for the event bus to report as `lab.error`.
 */
function deliver(consumers: Iterable<Listener<LabEvent>>, event: LabEvent): void {
  let failure: { error: unknown } | null = null;
  for (const consume of consumers) {
    try {
      consume(event);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure !== null) throw failure.error;
}

/** One bus listener made of consumers that cannot stop one another. */
function each(...consumers: Listener<LabEvent>[]): Listener<LabEvent> {
  return (event) => deliver(consumers, event);
}

function scenarioFrom(text: string, field: string): Result<Scenario> {
  const loaded = parseScenario(text, field);
  return loaded.ok
    ? ok(loaded.scenario)
    : fail(
        'ERR_SCENARIO_INVALID',
        `${field}: the scenario is not valid: ${loaded.problems.join('; ')}`,
      );
}

/** A real-time scenario runs at 1×, a scaled one at its speed, a virtual one at 10×. */
function defaultSpeed(scenario: Scenario): number {
  if (scenario.clock.mode === 'real') return 1;
  if (scenario.clock.mode === 'scaled') return scenario.clock.speed;
  return 10;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'run';
}

function stamp(epoch: number): string {
  return `${String(epoch).padStart(4, '0')}-${randomBytes(4).toString('hex')}`;
}
