/**
 * `push-lab replay FILE` checks a recorded run headless (the checker's verdict and a
 * summary; exit codes as `run`, plus 3 for a cut recording); `push-lab rerun FILE` runs a bundle's scenario again with
 * its seed; `push-lab diff A B` reports the first divergence between two recordings and how
 * their figures differ.
 */
import type { LabEvent } from '../../shared/events';
import { validateScenario } from '../engine/scenario/load';
import { analyzeTrace } from '../engine/trace/analyze';
import { TRACE_ERROR_CODES, TraceError } from '../engine/trace/format';
import { diffRecordings, openRecording } from '../engine/trace/diff';
import type { TraceReader } from '../engine/trace/reader';
import { VERSION } from '../engine/version';
import type { DiffResult } from '../../shared/workbench';
import { formatCount, formatDuration, formatLabOffset } from '../../shared/format';
import { execute, printVerdict, type RunCliOptions } from './run';

const out = (line: string): boolean => process.stdout.write(`${line}\n`);
const err = (line: string): boolean => process.stderr.write(`push-lab: ${line}\n`);

/**
 * `replay`'s exit code for a recording that is cut (killed mid-run, truncated, no closing
 * record): the verdict covers only what the file holds. Violations (1) take precedence.
 */
export const EXIT_CUT = 3;

/**
 * Opens a trace or bundle; a file that is not one gets a sentence and exit code 2, one cut
 * before its header EXIT_CUT.
 */
async function open(file: string): Promise<TraceReader | number> {
  try {
    return await openRecording(file);
  } catch (error) {
    if (error instanceof TraceError) {
      err(error.message);
      return error.code === TRACE_ERROR_CODES.CUT ? EXIT_CUT : 2;
    }
    throw error;
  }
}

function warn(reader: TraceReader): void {
  for (const w of reader.warnings) err(`warning: ${w.message}`);
}

export async function runReplay(file: string, options: { json: boolean }): Promise<number> {
  const reader = await open(file);
  if (typeof reader === 'number') return reader;
  const { report, check } = await analyzeTrace(reader);
  warn(reader);
  const whole = reader.completeness();
  if (options.json) {
    out(
      JSON.stringify({
        type: 'replay',
        violations: check.violationCount,
        cut: whole.cut,
        coveredMs: whole.coveredMs,
        durationMs: whole.durationMs,
        ...(whole.sentence !== null ? { completeness: whole.sentence } : {}),
        report,
      }),
    );
  } else {
    const h = reader.header;
    out(
      `${h.scenario ?? '(interactive run)'}: seed ${String(h.seed)}, ${h.clockMode} clock, recorded by Push Lab ${h.pushLabVersion}`,
    );
    out(
      `  ${formatCount(report.span.eventCount)} events over ${formatDuration((report.span.lastT ?? 0) - (report.span.firstT ?? 0))} of lab time`,
    );
    if (whole.sentence !== null) out(whole.sentence);
    printVerdict(report, check, report.span.firstT ?? 0, h.run ? `push-lab rerun ${file}` : null);
  }
  if (check.violationCount > 0) return 1;
  return whole.cut ? EXIT_CUT : 0;
}

export async function runRerun(file: string, options: RunCliOptions): Promise<number> {
  const reader = await open(file);
  if (typeof reader === 'number') return reader === EXIT_CUT ? 2 : reader;
  // Read to the end to judge it: a cut bundle still reruns (its header holds the scenario).
  for await (const record of reader.records()) void record;
  const whole = reader.completeness();
  if (whole.cut) err(`warning: ${file}: ${whole.sentence}; rerunning the whole scenario`);
  const { header } = reader;
  if (!header.run) {
    err(
      `${file} is a plain trace, not a run bundle: it does not carry its scenario (record with push-lab run --bundle FILE)`,
    );
    return 2;
  }
  if (header.pushLabVersion !== VERSION) {
    err(
      `warning: ${file} was recorded by Push Lab ${header.pushLabVersion}; this is ${VERSION}, so timings may differ`,
    );
  }
  const loaded = validateScenario(header.run.scenario);
  if (!loaded.ok) {
    err(`the scenario in ${file} no longer validates:`);
    for (const problem of loaded.problems) process.stderr.write(`  ${problem}\n`);
    return 2;
  }
  return execute(loaded.scenario, header.run.scenario, options, `push-lab rerun ${file}`, file);
}

export async function runDiff(fileA: string, fileB: string): Promise<number> {
  let result: DiffResult;
  try {
    result = await diffRecordings(fileA, fileB);
  } catch (error) {
    if (error instanceof TraceError) {
      err(error.message);
      return 2;
    }
    throw error;
  }
  for (const warning of result.warnings) err(`warning: ${warning}`);

  const { divergence } = result;
  if (!divergence) {
    out(`no divergence: ${formatCount(result.eventsA)} events, identical event for event`);
    return 0;
  }
  const show = (e: LabEvent | null): string =>
    e ? JSON.stringify(e).slice(0, 300) : '(end of recording)';
  out(
    `first divergence at event #${divergence.index + 1} (lab time ${formatLabOffset(divergence.t)} from the start):`,
  );
  out(`  ${fileA}: ${show(divergence.a)}`);
  out(`  ${fileB}: ${show(divergence.b)}`);
  if (divergence.fields.length > 0) out(`  differs in: ${divergence.fields.join(', ')}`);
  const figures =
    result.figures.length > 0
      ? ['figures:', ...result.figures.map((l) => `  ${l}`)]
      : ['figures: the same'];
  for (const line of figures) out(`  ${line}`);
  return 1;
}
