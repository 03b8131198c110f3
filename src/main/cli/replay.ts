/**
 * `push-lab replay FILE` checks a recorded run headless (the checker's verdict and a
 * summary; exit codes as `run`); `push-lab rerun FILE` runs a bundle's scenario again with
 * its seed; `push-lab diff A B` reports the first divergence between two recordings and how
 * their figures differ.
 */
import type { LabEvent } from '../../shared/events';
import { validateScenario } from '../engine/scenario/load';
import { analyzeTrace } from '../engine/trace/analyze';
import { TraceError } from '../engine/trace/format';
import { TraceReader } from '../engine/trace/reader';
import type { Report } from '../engine/trace/report';
import { VERSION } from '../engine/version';
import { execute, printVerdict, type RunCliOptions } from './run';

const out = (line: string): boolean => process.stdout.write(`${line}\n`);
const err = (line: string): boolean => process.stderr.write(`push-lab: ${line}\n`);

/** Opens a trace or bundle; a file that is not one gets a sentence and exit code 2. */
async function open(file: string): Promise<TraceReader | number> {
  try {
    const reader = await TraceReader.open(file);
    const recordedBy = reader.header.pushLabVersion;
    if (isNewer(recordedBy, VERSION)) {
      reader.close();
      err(
        `${file} was recorded by Push Lab ${recordedBy}; opening it needs Push Lab ${recordedBy} or later (this is ${VERSION})`,
      );
      return 2;
    }
    return reader;
  } catch (error) {
    if (error instanceof TraceError) {
      err(error.message);
      return 2;
    }
    throw error;
  }
}

/** True when version `a` (x.y.z) is later than `b`; unknown forms compare as not newer. */
export function isNewer(a: string, b: string): boolean {
  const parse = (v: string): number[] | null =>
    /^\d+\.\d+\.\d+/.test(v) ? v.split(/[.-]/).slice(0, 3).map(Number) : null;
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) return false;
  for (let i = 0; i < 3; i++) if (pa[i]! !== pb[i]!) return pa[i]! > pb[i]!;
  return false;
}

function warn(reader: TraceReader): void {
  for (const w of reader.warnings) err(`warning: ${w.message}`);
}

export async function runReplay(file: string, options: { json: boolean }): Promise<number> {
  const reader = await open(file);
  if (typeof reader === 'number') return reader;
  const { report, check } = await analyzeTrace(reader);
  warn(reader);
  if (options.json) {
    out(JSON.stringify({ type: 'replay', violations: check.violationCount, report }));
  } else {
    const h = reader.header;
    out(
      `${h.scenario ?? '(interactive run)'}: seed ${String(h.seed)}, ${h.clockMode} clock, recorded by Push Lab ${h.pushLabVersion}`,
    );
    out(
      `  ${report.span.eventCount} events over ${Math.round((report.span.lastT ?? 0) - (report.span.firstT ?? 0)) / 1000} s of lab time`,
    );
    printVerdict(report, check, report.span.firstT ?? 0, h.run ? `push-lab rerun ${file}` : null);
  }
  return check.violationCount === 0 ? 0 : 1;
}

export async function runRerun(file: string, options: RunCliOptions): Promise<number> {
  const reader = await open(file);
  if (typeof reader === 'number') return reader;
  reader.close();
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
  return execute(loaded.scenario, header.run.scenario, options, `push-lab rerun ${file}`);
}

interface Side {
  file: string;
  reader: TraceReader;
  events: AsyncGenerator<LabEvent>;
}

export async function runDiff(fileA: string, fileB: string): Promise<number> {
  const a = await open(fileA);
  if (typeof a === 'number') return a;
  const b = await open(fileB);
  if (typeof b === 'number') {
    a.close();
    return b;
  }
  if (a.header.scenario !== b.header.scenario) {
    err(
      `warning: different scenarios ("${a.header.scenario}" and "${b.header.scenario}"): the first divergence will be early and say little`,
    );
  }
  const divergence = await firstDivergence(
    { file: fileA, reader: a, events: a.events() },
    { file: fileB, reader: b, events: b.events() },
  );
  // Figures: analyse each again from the start (streams are single-pass).
  const [ra, rb] = await Promise.all([TraceReader.open(fileA), TraceReader.open(fileB)]);
  const [reportA, reportB] = await Promise.all([analyzeTrace(ra), analyzeTrace(rb)]);
  warn(ra);
  warn(rb);
  if (!divergence) {
    out(`no divergence: ${reportA.report.span.eventCount} events, identical event for event`);
    return 0;
  }
  out(
    `first divergence at event #${divergence.index + 1} (lab time ${divergence.t} ms after the start):`,
  );
  out(`  ${fileA}: ${divergence.a}`);
  out(`  ${fileB}: ${divergence.b}`);
  if (divergence.fields.length > 0) out(`  differs in: ${divergence.fields.join(', ')}`);
  for (const line of figureDifferences(reportA.report, reportB.report)) out(`  ${line}`);
  return 1;
}

async function firstDivergence(
  a: Side,
  b: Side,
): Promise<{ index: number; t: number; a: string; b: string; fields: string[] } | null> {
  let startT: number | null = null;
  for (let index = 0; ; index++) {
    const [ea, eb] = await Promise.all([a.events.next(), b.events.next()]);
    if (ea.done && eb.done) return null;
    const va = ea.done ? null : ea.value;
    const vb = eb.done ? null : eb.value;
    startT ??= va?.t ?? vb?.t ?? 0;
    const ja = va ? JSON.stringify(va) : '(end of recording)';
    const jb = vb ? JSON.stringify(vb) : '(end of recording)';
    if (ja === jb) continue;
    const fields =
      va && vb
        ? [...new Set([...Object.keys(va), ...Object.keys(vb)])].filter(
            (k) =>
              JSON.stringify((va as unknown as Record<string, unknown>)[k]) !==
              JSON.stringify((vb as unknown as Record<string, unknown>)[k]),
          )
        : [];
    await Promise.all([a.events.return(undefined), b.events.return(undefined)]);
    a.reader.close();
    b.reader.close();
    return {
      index,
      t: Math.round(((va ?? vb)!.t - startT) * 1000) / 1000,
      a: ja.slice(0, 300),
      b: jb.slice(0, 300),
      fields,
    };
  }
}

function figureDifferences(a: Report, b: Report): string[] {
  const lines: string[] = [];
  const keys = [
    'accepted',
    'delivered',
    'expired',
    'replaced',
    'dropped',
    'lost',
    'stale',
    'redeliveries',
    'duplicates',
  ] as const;
  for (const key of keys) {
    if (a.totals[key] !== b.totals[key]) lines.push(`${key}: ${a.totals[key]} → ${b.totals[key]}`);
  }
  const p = (r: Report, q: 'p50' | 'p99'): number | null => r.totals.latencyMs[q] ?? null;
  for (const q of ['p50', 'p99'] as const) {
    if (p(a, q) !== p(b, q))
      lines.push(
        `latency ${q}: ${p(a, q)?.toFixed(1) ?? 'n/a'} ms → ${p(b, q)?.toFixed(1) ?? 'n/a'} ms`,
      );
  }
  if (a.violations.count !== b.violations.count)
    lines.push(`violations: ${a.violations.count} → ${b.violations.count}`);
  return lines.length > 0 ? ['figures:', ...lines.map((l) => `  ${l}`)] : ['figures: the same'];
}
