/**
 * Reads a trace and runs it through the report builder (and so the invariant checker):
 * what `push-lab replay` and bug-report tooling need from a trace file in one call.
 * Streaming: memory is bounded by the builder's and reader's bounds, not the trace's size.
 */
import type { CheckResult } from './checker';
import type { TraceReader, TraceWarning } from './reader';
import { ReportBuilder, type Report, type ReportExtras, type ReportOptions } from './report';

export interface TraceAnalysis {
  report: Report;
  check: CheckResult;
  /** The reader's warnings (damaged or cut lines), also summarised in report.notes. */
  warnings: TraceWarning[];
}

/** Consumes `reader` (it can be read once). `endT` defaults to the last event's t. */
export async function analyzeTrace(
  reader: TraceReader,
  options: ReportOptions & {
    endT?: number;
    extras?: ReportExtras;
    /** Add the reader's warnings to the report's notes (default true). */
    warningsInNotes?: boolean;
  } = {},
): Promise<TraceAnalysis> {
  const builder = new ReportBuilder({ meta: reader.header, ...options });
  for await (const { records } of reader.batches()) {
    for (const record of records) {
      if (record.type === 'event') builder.add(record.event);
      else builder.noteGap(record);
    }
  }
  const { report, check } = builder.finish(options.endT, options.extras);
  if (reader.warningCount > 0 && options.warningsInNotes !== false) {
    const shown = reader.warnings.slice(0, 5).map((w) => w.message);
    const more =
      reader.warningCount > shown.length ? ` (and ${reader.warningCount - shown.length} more)` : '';
    report.notes.push(`Trace warnings: ${shown.join('; ')}${more}.`);
  }
  return { report, check, warnings: [...reader.warnings] };
}
