/**
 * An opened recording (a run bundle or a plain trace): its events only, read into the show's
 * recorder; nothing runs. A run bundle carries its scenario, so it can be rerun.
 *
 * It opens progressively (issue 13): the show is made once its first events are read
 * (`FIRST_VIEW_EVENTS`), and the rest is indexed in the background once it is on screen. Its
 * status says how far (`indexing`, the warning) every PROGRESS_EVENTS events; the views
 * travel within what is indexed meanwhile, and the clients get a fresh snapshot when the
 * whole recording is in (and about once a second before: the live model is the recording's
 * end so far). Its report waits for the whole recording, and is then read from the file
 * again through a checker and a report builder (analyzeTrace; the reading is I/O, so the event
 * loop turns meanwhile): the same report a builder fed while indexing gives, without costing
 * every open ~15 % more CPU and the builder's per-message memory (issue 13).
 */
import path from 'node:path';
import { formatCount } from '../../../../shared/format';
import { describeError } from '../../errors';
import { analyzeTrace } from '../../trace/analyze';
import { openRecording } from '../../trace/diff';
import type { TraceMeta } from '../../trace/format';
import { FIRST_VIEW_EVENTS, RecordingIndexer } from '../../trace/indexer';
import { Recorder, reportText } from '../../trace/recorder';
import { reportMarkers } from '../../trace/report-markers';
import type { TimelineOptions } from '../../trace/timeline';
import { Show, type Rerunnable, type ShowStatus, type Stage } from './show';

/** While indexing, clients get a fresh snapshot at most this often (wall time). */
export const RECORDING_REFRESH_MS = 1_000;

export class RecordingShow extends Show {
  protected readonly described = 'replay of a recording';
  /** Why the recording is not shown whole, once it has been read (null: it is whole). */
  private warning: string | null = null;
  /** Reading has ended: at the end of the file, on a failure, or stopped. */
  private complete = false;
  /** Resolves once the whole recording has been indexed (or reading stopped). */
  private readonly indexed: Promise<void>;
  private markIndexed!: () => void;
  private lastRefreshMs = -Infinity;

  private constructor(
    epoch: number,
    recorder: Recorder,
    private readonly stage: Pick<Stage, 'wall' | 'changed' | 'refreshed'>,
    private readonly indexer: RecordingIndexer,
    /** The recording's real path. */
    private readonly file: string,
    /** What the UI calls the file (a name in the recordings folder, or a handle). */
    private readonly ref: string,
    private readonly name: string,
    /** The recording's scenario input and pacing speed, when it is a run bundle. */
    private readonly run: Rerunnable | null,
    /** The timeline's options: its checker's are the report's. */
    private readonly timelineOptions: TimelineOptions | undefined,
  ) {
    super(epoch, recorder);
    this.indexed = new Promise((resolve) => (this.markIndexed = resolve));
    if (indexer.done) this.finished(null);
  }

  /**
   * Reads the recording at `file` up to its first view (FIRST_VIEW_EVENTS events, or all of
   * a short one); the epoch is asked for once they have been read, and the rest is read once
   * the show is on screen (`begin`).
   */
  static async open(
    file: string,
    name: string,
    ref: string,
    stage: Pick<Stage, 'timeline' | 'wall' | 'changed' | 'refreshed'>,
  ): Promise<(epoch: number) => RecordingShow> {
    const reader = await openRecording(file);
    const { header } = reader;
    const meta: TraceMeta = {
      scenario: header.scenario,
      seed: header.seed,
      clockMode: header.clockMode,
      pushLabVersion: header.pushLabVersion,
    };
    const recorder = new Recorder({ meta, timeline: stage.timeline, report: false });
    const indexer = new RecordingIndexer(reader, recorder);
    try {
      await indexer.read(FIRST_VIEW_EVENTS);
    } catch (error) {
      indexer.cancel();
      throw error;
    }
    const run = header.run ? { input: header.run.scenario, speed: header.run.speed } : null;
    return (epoch) =>
      new RecordingShow(
        epoch,
        recorder,
        stage,
        indexer,
        path.resolve(file),
        ref,
        name,
        run,
        stage.timeline,
      );
  }

  /** Indexes the rest of the recording, now that the show is on screen. */
  override begin(): void {
    if (this.indexer.done) return;
    void this.indexer
      .readRest(() => this.progressed())
      .then(
        () => this.finished(null),
        (error: unknown) => this.finished(describeError(error).message),
      );
  }

  /** Resolves once the whole recording is indexed (at once for a short one). */
  whole(): Promise<void> {
    return this.indexed;
  }

  private progressed(): void {
    this.stage.changed(this.epoch);
    const now = this.stage.wall.now();
    if (now - this.lastRefreshMs < RECORDING_REFRESH_MS) return;
    this.lastRefreshMs = now;
    this.stage.refreshed(this.epoch);
  }

  /** The whole recording is in (or reading failed with `failure`): its warning, a fresh snapshot. */
  private finished(failure: string | null): void {
    const { reader } = this.indexer;
    this.complete = true;
    if (this.indexer.cancelled) {
      this.markIndexed();
      return;
    }
    // The cut sentence (reader.completeness(), the same one replay and diff print) comes
    // first: it says how much of the run the recording holds. A failure mid-way (a line too
    // long, a read error) leaves the events before it shown.
    const stopped = (why: string): string =>
      `reading stopped after ${this.timeline.count} events: ${why}`;
    let whole: string | null;
    try {
      whole = failure !== null ? stopped(failure) : reader.completeness().sentence;
    } catch (error) {
      whole = stopped(describeError(error).message);
    }
    const sentences = [
      ...(whole !== null ? [whole] : []),
      ...reader.warnings.map((w) => w.message),
    ];
    this.warning =
      sentences.length === 0
        ? null
        : sentences[0]! +
          (sentences.length > 1 ? ` (and ${sentences.length - 1} more warnings)` : '');
    this.markIndexed();
    // (Read whole at open, the show is not on screen yet: the workbench ignores this.)
    this.stage.refreshed(this.epoch);
  }

  protected ownStatus(): ShowStatus {
    return {
      mode: 'replay',
      name: this.name,
      state: 'recorded',
      speed: this.run?.speed ?? 1,
      durationMs: null,
      controllable: false,
      path: this.ref,
      canSave: true,
      canRerun: this.run !== null,
      warning: this.complete ? this.warning : this.indexingSentence(),
      indexing: this.complete ? null : (this.indexer.progress() ?? 0),
    };
  }

  /** The sentence the run bar shows while the rest of the recording is read. */
  private indexingSentence(): string {
    const progress = this.indexer.progress();
    const share = progress === null ? '' : `${Math.floor(progress * 100)} % read, `;
    return `indexing the recording: ${share}${formatCount(this.timeline.count)} events so far; travel reaches the last one indexed`;
  }

  async report(format: 'html' | 'json'): Promise<string> {
    await this.indexed;
    // Every event and gap record through a checker with the timeline's options and a report
    // builder reading it: what the recorder's own builder would have made of the same stream.
    const { report } = await analyzeTrace(await openRecording(this.file), {
      meta: this.recorder.meta,
      ...(this.timelineOptions?.checker ? { checker: this.timelineOptions.checker } : {}),
      endT: this.timeline.lastT ?? 0,
      warningsInNotes: false,
    });
    // The markers are the timeline's, as a fed recorder's report has them.
    const markers = reportMarkers(this.timeline);
    return reportText({ ...report, markers }, format, `Push Lab — ${this.name}`);
  }

  override rerunnable(): Rerunnable {
    return this.run ?? super.rerunnable();
  }

  /** Saved elsewhere, the recording is copied as it is. */
  override async savedFile(file: string): Promise<string | null> {
    if (this.file !== file) return this.file;
    // Written from the timeline over itself: only once the timeline holds all of it.
    await this.indexed;
    return null;
  }

  override header(): TraceMeta {
    return {
      ...this.meta,
      ...(this.run ? { run: { scenario: this.run.input, speed: this.run.speed } } : {}),
    };
  }

  async dispose(): Promise<void> {
    this.indexer.cancel();
  }
}
