/**
 * Comparing two recordings: the first event where they differ (index, lab time, the two
 * events, the fields that differ) and which figures of their reports differ. Used by
 * `push-lab diff` and by the UI's side-by-side diff.
 */
import type { DiffResult } from '../../../shared/workbench';
import { formatCount, formatDuration, formatDurationPair } from '../../../shared/format';
import { analyzeTrace } from './analyze';
import { TraceReader } from './reader';
import type { Report } from './report';
import { VERSION } from '../version';
import { TRACE_ERROR_CODES, TraceError } from './format';

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

/** Opens a recording for reading, refusing one from a newer Push Lab with a sentence. */
export async function openRecording(file: string): Promise<TraceReader> {
  const reader = await TraceReader.open(file);
  const recordedBy = reader.header.pushLabVersion;
  if (isNewer(recordedBy, VERSION)) {
    reader.close();
    throw new TraceError(
      TRACE_ERROR_CODES.NEWER,
      `${file} was recorded by Push Lab ${recordedBy}; opening it needs Push Lab ${recordedBy} or later (this is ${VERSION})`,
    );
  }
  return reader;
}

/** Compares two recordings; throws TraceError (with a sentence) when one cannot be read. */
export async function diffRecordings(fileA: string, fileB: string): Promise<DiffResult> {
  const a = await openRecording(fileA);
  let b: TraceReader;
  try {
    b = await openRecording(fileB);
  } catch (error) {
    a.close();
    throw error;
  }
  const sameScenario = a.header.scenario === b.header.scenario;
  const divergence = await firstDivergence(a, b);
  // Figures: analyse each again from the start (streams are single-pass).
  const [ra, rb] = await Promise.all([TraceReader.open(fileA), TraceReader.open(fileB)]);
  const [reportA, reportB] = await Promise.all([analyzeTrace(ra), analyzeTrace(rb)]);
  const warnings = [
    ...(sameScenario
      ? []
      : [
          `different scenarios ("${a.header.scenario}" and "${b.header.scenario}"): the first divergence will be early and say little`,
        ]),
    ...ra.warnings.map((w) => `${fileA}: ${w.message}`),
    ...rb.warnings.map((w) => `${fileB}: ${w.message}`),
    // A cut recording diverges where it was cut; say so before anyone reads more into it.
    ...cutNote(fileA, ra),
    ...cutNote(fileB, rb),
  ];
  return {
    a: fileA,
    b: fileB,
    sameScenario,
    divergence,
    figures: figureDifferences(reportA.report, reportB.report),
    eventsA: reportA.report.span.eventCount,
    eventsB: reportB.report.span.eventCount,
    warnings,
  };
}

/** The completeness sentence of a fully read recording, as a warning (none when whole). */
function cutNote(file: string, reader: TraceReader): string[] {
  const { sentence } = reader.completeness();
  return sentence ? [`${file}: ${sentence}`] : [];
}

async function firstDivergence(a: TraceReader, b: TraceReader): Promise<DiffResult['divergence']> {
  const ia = a.events();
  const ib = b.events();
  let startT: number | null = null;
  try {
    for (let index = 0; ; index++) {
      const [ea, eb] = await Promise.all([ia.next(), ib.next()]);
      if (ea.done && eb.done) return null;
      const va = ea.done ? null : ea.value;
      const vb = eb.done ? null : eb.value;
      startT ??= va?.t ?? vb?.t ?? 0;
      if (va && vb && JSON.stringify(va) === JSON.stringify(vb)) continue;
      const fields =
        va && vb
          ? [...new Set([...Object.keys(va), ...Object.keys(vb)])].filter(
              (k) =>
                JSON.stringify((va as unknown as Record<string, unknown>)[k]) !==
                JSON.stringify((vb as unknown as Record<string, unknown>)[k]),
            )
          : [];
      return {
        index,
        t: Math.round(((va ?? vb)!.t - startT) * 1000) / 1000,
        a: va,
        b: vb,
        fields,
      };
    }
  } finally {
    await Promise.all([ia.return(undefined), ib.return(undefined)]);
    a.close();
    b.close();
  }
}

/** `figure: a → b` for every figure that differs (empty when none does). */
export function figureDifferences(a: Report, b: Report): string[] {
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
    if (a.totals[key] !== b.totals[key])
      lines.push(`${key}: ${formatCount(a.totals[key])} → ${formatCount(b.totals[key])}`);
  }
  const p = (r: Report, q: 'p50' | 'p99'): number | null => r.totals.latencyMs[q] ?? null;
  for (const q of ['p50', 'p99'] as const) {
    const [pa, pb] = [p(a, q), p(b, q)];
    if (pa === pb) continue;
    const [ta, tb] =
      pa !== null && pb !== null
        ? formatDurationPair(pa, pb)
        : [pa === null ? 'n/a' : formatDuration(pa), pb === null ? 'n/a' : formatDuration(pb)];
    lines.push(`latency ${q}: ${ta} → ${tb}`);
  }
  if (a.violations.count !== b.violations.count)
    lines.push(
      `violations: ${formatCount(a.violations.count)} → ${formatCount(b.violations.count)}`,
    );
  return lines;
}
