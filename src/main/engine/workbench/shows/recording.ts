/**
 * An opened recording (a run bundle or a plain trace): its events only, read once into the
 * show's recorder; nothing runs. A run bundle carries its scenario, so it can be rerun.
 */
import path from 'node:path';
import { openRecording } from '../../trace/diff';
import type { TraceMeta } from '../../trace/format';
import { Recorder } from '../../trace/recorder';
import { Show, type Rerunnable, type ShowStatus, type Stage } from './show';

export class RecordingShow extends Show {
  protected readonly described = 'replay of a recording';

  private constructor(
    epoch: number,
    recorder: Recorder,
    /** The recording's real path. */
    private readonly file: string,
    /** What the UI calls the file (a name in the recordings folder, or a handle). */
    private readonly ref: string,
    private readonly name: string,
    private readonly warning: string | null,
    /** The recording's scenario input and pacing speed, when it is a run bundle. */
    private readonly run: Rerunnable | null,
  ) {
    super(epoch, recorder);
  }

  /** Reads the recording at `file` whole; the epoch is asked for once it has been read. */
  static async open(
    file: string,
    name: string,
    ref: string,
    stage: Pick<Stage, 'timeline'>,
  ): Promise<(epoch: number) => RecordingShow> {
    const reader = await openRecording(file);
    const { header } = reader;
    const meta: TraceMeta = {
      scenario: header.scenario,
      seed: header.seed,
      clockMode: header.clockMode,
      pushLabVersion: header.pushLabVersion,
    };
    let recorder: Recorder;
    try {
      recorder = await Recorder.fromReader(reader, { meta, timeline: stage.timeline });
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
    const run = header.run ? { input: header.run.scenario, speed: header.run.speed } : null;
    return (epoch) =>
      new RecordingShow(epoch, recorder, path.resolve(file), ref, name, warning, run);
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
      warning: this.warning,
    };
  }

  report(format: 'html' | 'json'): string {
    return this.recorder.reportText(format, {
      title: `Push Lab — ${this.name}`,
      endT: this.timeline.lastT ?? 0,
    });
  }

  override rerunnable(): Rerunnable {
    return this.run ?? super.rerunnable();
  }

  /** Saved elsewhere, the recording is copied as it is. */
  override async savedFile(file: string): Promise<string | null> {
    return this.file !== file ? this.file : null;
  }

  override header(): TraceMeta {
    return {
      ...this.meta,
      ...(this.run ? { run: { scenario: this.run.input, speed: this.run.speed } } : {}),
    };
  }

  async dispose(): Promise<void> {}
}
