/**
 * A show's one recorder: every event of the show goes through `record` once, and from there
 * to one Timeline (the one model fold and the one incremental invariant checker), one trace
 * writer when the show is written as it goes, and one report builder that reads the
 * timeline's checker. Snapshots, verdicts and the report are all answered from here, so
 * nothing else folds or checks the same events again (issue 11).
 *
 *   bus ──record──▶ Timeline (fold, checker, markers) ──verdicts──▶ ReportBuilder
 *                └─▶ TraceWriter (a run's bundle)
 */
import type { LabEvent } from '../../../shared/events';
import type { LabModel } from '../../../shared/model';
import type { TraceMeta } from './format';
import type { TraceReader } from './reader';
import { ReportBuilder, reportToJson } from './report';
import { renderReportHtml } from './report-html';
import { reportMarkers } from './report-markers';
import type { Report, ReportExtras } from './report-types';
import { Timeline, type TimelineOptions } from './timeline';

/** `line`: the event's JSON as a recording holds it, when it was read from one. */
export type EventConsumer = (event: LabEvent, line?: string) => void;

export interface RecorderOptions {
  meta: TraceMeta;
  timeline?: TimelineOptions;
  /** Where the show is written as it goes (a run's bundle); none for the sandbox or a recording. */
  writer?: { write(event: LabEvent): void } | null;
  /**
   * Build the report as events come (default true). An opened recording says false: its
   * report is read from its file when asked (RecordingShow.report), which kept ~15 % of the
   * CPU of indexing it, and the builder's per-message memory, off every open (issue 13).
   */
  report?: boolean;
}

export class Recorder {
  readonly meta: TraceMeta;
  readonly timeline: Timeline;
  /** Null when this recorder builds no report (`RecorderOptions.report` false). */
  private readonly builder: ReportBuilder | null;
  private readonly consumers: EventConsumer[];

  constructor(options: RecorderOptions) {
    this.meta = options.meta;
    this.timeline = new Timeline(options.timeline);
    // The report reads the timeline's checker: one verdict for the markers and the report.
    const builder =
      options.report === false
        ? null
        : new ReportBuilder({ meta: options.meta, verdicts: this.timeline.verdicts });
    this.builder = builder;
    const writer = options.writer ?? null;
    // The timeline first: the builder reads the verdict its checker has just given.
    this.consumers = [
      (event, line) => this.timeline.append(event, line),
      ...(writer ? [(event: LabEvent) => writer.write(event)] : []),
      ...(builder ? [(event: LabEvent) => builder.add(event)] : []),
    ];
  }

  /** Reads a whole trace (or bundle) into a new recorder, streaming; gap records reach the report too. */
  static async fromReader(
    reader: TraceReader,
    options: Omit<RecorderOptions, 'writer'>,
  ): Promise<Recorder> {
    const recorder = new Recorder(options);
    for await (const { records, lines } of reader.batches()) {
      records.forEach((record, i) => {
        if (record.type === 'event') recorder.recordRead(record.event, lines[i]);
        else recorder.noteGap(record);
      });
    }
    return recorder;
  }

  /** One event of the show, in seq order. A failing consumer does not keep it from the others. */
  readonly record = (event: LabEvent): void => deliver(this.consumers, event);

  /** One event read from a recording, with its line (the timeline packs it as it is). */
  recordRead(event: LabEvent, line: string | undefined): void {
    deliver(this.consumers, event, line);
  }

  noteGap(gap: { fromSeq: number; toSeq: number }): void {
    this.timeline.noteGap(gap);
    this.builder?.noteGap(gap);
  }

  /** The lab after every event recorded. */
  snapshot(): LabModel {
    return this.timeline.model();
  }

  /** The report as of `endT` (default: the last event's time). Throws when it builds none. */
  report(endT?: number, extras?: ReportExtras): Report {
    if (this.builder === null)
      throw new Error('Recorder: made with report: false, it builds no report');
    return { ...this.builder.finish(endT, extras).report, markers: reportMarkers(this.timeline) };
  }

  /** The report as a self-contained HTML page or JSON text. */
  reportText(
    format: 'html' | 'json',
    options: { title: string; endT?: number; extras?: ReportExtras },
  ): string {
    return reportText(this.report(options.endT, options.extras), format, options.title);
  }
}

/** A report as a self-contained HTML page or JSON text. */
export function reportText(report: Report, format: 'html' | 'json', title: string): string {
  return format === 'html' ? renderReportHtml(report, { title }) : reportToJson(report);
}

/**
 * Hands `event` to every consumer even when one throws (the recording must not stop because
 * the UI stream failed, nor one client's stream because another's did); then throws the first
 * failure on, for the event bus to report as `lab.error`.
 */
export function deliver(consumers: Iterable<EventConsumer>, event: LabEvent, line?: string): void {
  let failure: { error: unknown } | null = null;
  for (const consume of consumers) {
    try {
      consume(event, line);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure !== null) throw failure.error;
}

/** One bus listener made of consumers that cannot stop one another. */
export function each(...consumers: EventConsumer[]): EventConsumer {
  return (event) => deliver(consumers, event);
}
