/**
 * `push-lab run FILE`: runs a scenario headless, streams its trace (and, on request, a run
 * bundle), checks every invariant, writes a report, and exits 0 (all hold), 1 (violations,
 * listed) or 2 (bad scenario). `rerun` runs a bundle's scenario again with its seed.
 */
import path from 'node:path';
import { loadScenario } from '../engine/scenario/load';
import {
  applyOverrides,
  applyOverridesToInput,
  reportExtras,
  runScenario,
  type RunOutcome,
  type RunOverrides,
} from '../engine/scenario/run';
import type { Scenario } from '../engine/scenario/schema';
import { parseDurationMs } from '../engine/scenario/duration';
import type { CheckResult } from '../engine/trace/checker';
import type { TraceMeta } from '../engine/trace/format';
import { ReportBuilder, reportToJson, type Report } from '../engine/trace/report';
import { renderReportHtml } from '../engine/trace/report-html';
import { TraceWriter, type TraceClose } from '../engine/trace/writer';
import { openBundleWriter } from '../engine/trace/bundle';
import type { RunVerdict } from '../engine/parallel/verdict-run';
import { VERSION } from '../engine/version';
import { writeFileAtomic } from '../engine/fs/atomic-write';
import { totalsProblems } from '../engine/scenario/totals';
import { CliError, checkOutputPaths, parseSeed } from './options';
import { onStopSignal } from './signals';
import {
  formatCount,
  formatDuration,
  formatJoules,
  formatLabOffset,
  formatLabTime,
  formatPercent,
} from '../../shared/format';

export interface RunCliOptions {
  seed?: string;
  speed?: number;
  duration?: string;
  out?: string;
  bundle?: string;
  report?: string;
  json: boolean;
  progress: boolean;
}

export async function runRun(file: string, options: RunCliOptions): Promise<number> {
  const loaded = await loadScenario(file);
  if (!loaded.ok) {
    process.stderr.write(`push-lab: ${file} is not a valid scenario:\n`);
    for (const problem of loaded.problems) process.stderr.write(`  ${problem}\n`);
    return 2;
  }
  const overrides = runOverrides(options);
  const input = applyOverridesToInput(loaded.input, loaded.scenario, overrides);
  return execute(
    applyOverrides(loaded.scenario, overrides),
    input,
    options,
    `push-lab run ${file}`,
    file,
  );
}

/** The overrides `--seed`, `--speed` and `--duration` ask for (a bad value: CliError, exit 2). */
export function runOverrides(
  options: Pick<RunCliOptions, 'seed' | 'speed' | 'duration'>,
): RunOverrides {
  const overrides: RunOverrides = {};
  if (options.seed !== undefined) overrides.seed = parseSeed(options.seed);
  if (options.speed !== undefined) overrides.speed = options.speed;
  if (options.duration !== undefined) {
    const ms = parseDurationMs(options.duration);
    if (ms === null || ms <= 0) {
      throw new CliError(
        `--duration: got "${options.duration}"; allowed seconds or a string like "90s", "10m", "2h"`,
        2,
      );
    }
    overrides.durationMs = ms;
  }
  return overrides;
}

/** Runs a scenario as given (overrides already applied): the shared body of run and rerun. */
export async function execute(
  scenario: Scenario,
  /** The scenario as written, with overrides: what a bundle stores for `rerun`. */
  input: unknown,
  options: RunCliOptions,
  reproduce: string,
  /** The file the scenario came from (a scenario or a bundle): no output may replace it. */
  inputFile: string,
): Promise<number> {
  // A --duration override can plan more messages than the file did: check the totals again.
  const totals = totalsProblems(scenario);
  if (totals.length > 0) {
    process.stderr.write(`push-lab: ${inputFile} is too big to run:\n`);
    for (const problem of totals) process.stderr.write(`  ${problem}\n`);
    return 2;
  }
  await checkOutputPaths(
    { '--out': options.out, '--bundle': options.bundle, '--report': options.report },
    [inputFile],
  );
  const meta: TraceMeta = {
    scenario: scenario.name,
    seed: scenario.seed,
    clockMode: scenario.clock.mode,
    pushLabVersion: VERSION,
  };
  for (const service of scenario.services)
    if (service.insecure)
      process.stdout.write(
        `warning: service ${service.id} (${service.url}): insecure: its TLS certificate is not verified\n`,
      );
  const trace = options.out
    ? TraceWriter.toFile(options.out, { ...meta, durationMs: scenario.duration })
    : null;
  const bundle = options.bundle
    ? openBundleWriter(options.bundle, {
        ...meta,
        durationMs: scenario.duration,
        run: { scenario: input, speed: scenario.clock.speed },
      })
    : null;
  const builder = new ReportBuilder({ meta });
  let interrupted = false;
  const stopListening = onStopSignal(() => {
    interrupted = true;
  });
  const progress = options.progress && process.stderr.isTTY ? progressLine() : null;
  let delivered = 0;
  let expired = 0;
  let outcome: RunOutcome | undefined;
  // The engine's timers never hold the process (clock/real.ts): on the real or scaled clock,
  // a run whose links are all down (an outage to an external service) has no socket open
  // either, and node would leave mid-run with exit code 13. The run holds it instead.
  const keepAlive = scenario.clock.mode === 'virtual' ? null : setInterval(() => {}, 60_000);
  try {
    outcome = await runScenario(
      scenario,
      {},
      {
        onEvent: (event) => {
          trace?.write(event);
          bundle?.writer.write(event);
          builder.add(event);
          if (event.kind === 'message.received' && !event.duplicate) delivered += 1;
          if (event.kind === 'message.expired') expired += 1;
        },
        onProgress: (elapsedMs, durationMs) =>
          progress?.(elapsedMs, durationMs, delivered, expired),
        cancelled: () => interrupted,
      },
    );
  } finally {
    if (keepAlive) clearInterval(keepAlive);
    stopListening();
    if (progress) process.stderr.write('\n');
    // No outcome: the run threw; the files hold what happened until then and say so.
    const end: TraceClose = outcome
      ? {
          reason: outcome.cancelled ? 'stopped' : 'finished',
          labTimeMs: outcome.endT - outcome.startT,
        }
      : { reason: 'failed' };
    for (const stats of await Promise.all([trace?.close(end), bundle?.close(end)])) {
      if (stats?.error) process.stderr.write(`push-lab: ${stats.error}\n`);
    }
  }

  const { report, check } = builder.finish(outcome.endT, reportExtras(outcome));
  if (options.report) await writeReport(options.report, report);

  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  if (options.json) {
    out(
      JSON.stringify({
        type: 'result',
        scheduleHash: outcome.scheduleHash,
        seed: scenario.seed,
        violations: check.violationCount,
        report,
      }),
    );
  } else {
    printRunText(
      { ...outcome, scenario: scenario.name, report, check },
      `${reproduce} --seed ${String(scenario.seed)}`,
    );
    if (outcome.cancelled)
      out('  stopped early (interrupted); the trace and report cover what ran');
    if (options.out) out(`trace: ${options.out}`);
    if (options.bundle) out(`bundle: ${options.bundle}`);
    if (options.report) out(`report: ${options.report}`);
  }
  return check.violationCount === 0 ? 0 : 1;
}

/** A finished run as `push-lab run` prints it: name, lab time, events, hash, verdict. */
export function printRunText(
  run: Pick<
    RunVerdict,
    'scenario' | 'startT' | 'endT' | 'eventCount' | 'scheduleHash' | 'check'
  > & {
    report: Report;
  },
  reproduce: string,
): void {
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(
    `${run.scenario}: ${formatDuration(run.endT - run.startT)} of lab time, ${formatCount(run.eventCount)} events`,
  );
  out(`schedule hash ${run.scheduleHash}`);
  printVerdict(run.report, run.check, run.startT, reproduce);
}

/** The per-service lines, energy and the checker's verdict (shared with `replay`). */
export function printVerdict(
  report: Report,
  check: CheckResult,
  startT: number,
  reproduce: string | null,
): void {
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  for (const s of report.services) {
    out(
      `  ${s.serviceId} (${s.profile ?? '?'}): ${n(s.accepted)} accepted, ${n(s.delivered)} delivered` +
        ` (${pct(s.deliveryRatio)}), p50 ${ms(s.latencyMs.p50)} p99 ${ms(s.latencyMs.p99)},` +
        ` ${n(s.expired)} expired, ${n(s.stale)} stale, ${n(s.replaced)} replaced, ${n(s.lost)} lost, ${n(s.redeliveries)} redelivered`,
    );
  }
  if (report.energy) out(`  energy: ${formatJoules(report.energy.joulesTotal)}`);
  for (const n of check.notObservable) out(`  not observable: ${n.sentence}`);
  if (check.violationCount === 0) {
    out(
      check.notObservable.length > 0
        ? 'invariants: all observable ones hold'
        : 'invariants: all hold',
    );
    return;
  }
  out(`invariants: ${formatCount(check.violationCount)} violation(s)`);
  for (const v of check.violations) {
    out(`  [${v.rule}] at ${formatLabOffset(v.t - startT)} seq ${v.seqs.join(',')}: ${v.sentence}`);
  }
  if (reproduce) out(`reproduce with: ${reproduce}`);
}

/** Writes the report atomically (the engine's one helper: temp file, fsync, rename). */
async function writeReport(file: string, report: Report): Promise<void> {
  const html = path.extname(file).toLowerCase() === '.html';
  await writeFileAtomic(file, html ? renderReportHtml(report) : reportToJson(report));
}

function progressLine(): (
  elapsedMs: number,
  durationMs: number,
  delivered: number,
  expired: number,
) => void {
  let lastWrite = 0;
  return (elapsedMs, durationMs, delivered, expired) => {
    const now = performance.now();
    if (now - lastWrite < 250 && elapsedMs < durationMs) return;
    lastWrite = now;
    const share = durationMs > 0 ? Math.min(1, elapsedMs / durationMs) : 1;
    process.stderr.write(
      `\r[${formatLabTime(elapsedMs)} / ${formatLabTime(durationMs)}] ${formatPercent(share, 0).padStart(4)}  delivered ${formatCount(delivered)}  expired ${formatCount(expired)}   `,
    );
  };
}

const n = (count: number): string => formatCount(count);
const pct = (ratio: number | null): string => (ratio === null ? 'n/a' : formatPercent(ratio));
const ms = (value: number | null | undefined): string =>
  value === null || value === undefined ? 'n/a' : formatDuration(value);
