/**
 * The benchmarks' machine-readable output, and what `npm run bench` (bench/all.ts) makes of
 * it. Each bench script run with `--json` ends its output with one line, `BENCH_JSON {…}`:
 * its name and its figures, each with the goal it is measured against (the script that
 * measures a figure owns its goal). The runner reads that line, prints one table (figure,
 * goal, measured, met) and appends a dated block to bench/RESULTS.md.
 *
 * A figure that could not be measured (no h2load, no Chromium, the script failed) has value
 * null and a reason; it is never "met".
 */

/** The flag that makes a bench script print its figures as one JSON line at its end. */
export const JSON_FLAG = '--json';
/** What starts that line, so the runner finds it among the script's human-readable output. */
export const JSON_PREFIX = 'BENCH_JSON ';

/** A goal: the measured value must be at least (`>=`) or below (`<`) this. */
export interface Goal {
  op: '>=' | '<';
  value: number;
}

export interface BenchFigure {
  /** What was measured, in words ("end to end AS → service → UA"). */
  label: string;
  /** The measured value, or null when it was not measured (then `reason` says why). */
  value: number | null;
  /** Its unit as printed after it ("msg/s", "ms", "%", "×"). */
  unit: string;
  /** Null: a figure kept for the record, with no goal of its own. */
  goal: Goal | null;
  /** How it was measured when that matters to read it ("--short: 2 h of lab time"). */
  note?: string;
  /** Why it was not measured (value null). */
  reason?: string;
}

export interface BenchOutput {
  /** The npm script's name after "bench:" (push, serve, fleet, replay, ui, reducer). */
  bench: string;
  figures: BenchFigure[];
}

/** True when the script was asked for its JSON line. */
export const wantsJson = (argv: readonly string[] = process.argv): boolean =>
  argv.includes(JSON_FLAG);

/** Prints the JSON line (when asked for it with --json). */
export function printJson(output: BenchOutput, argv: readonly string[] = process.argv): void {
  if (wantsJson(argv)) process.stdout.write(`\n${JSON_PREFIX}${JSON.stringify(output)}\n`);
}

/** The last JSON line in a script's output, or a sentence saying why there is none. */
export function parseBenchOutput(stdout: string): BenchOutput | string {
  const lines = stdout.split('\n').filter((l) => l.startsWith(JSON_PREFIX));
  const last = lines.at(-1);
  if (last === undefined) return 'it printed no BENCH_JSON line';
  let value: unknown;
  try {
    value = JSON.parse(last.slice(JSON_PREFIX.length));
  } catch (error) {
    return `its BENCH_JSON line is not JSON (${(error as Error).message})`;
  }
  const output = value as Partial<BenchOutput>;
  if (typeof output.bench !== 'string' || !Array.isArray(output.figures))
    return 'its BENCH_JSON line has no "bench" name and "figures" list';
  const figures = output.figures.filter(
    (f): f is BenchFigure =>
      typeof f === 'object' &&
      f !== null &&
      typeof f.label === 'string' &&
      (typeof f.value === 'number' || f.value === null) &&
      typeof f.unit === 'string',
  );
  return { bench: output.bench, figures };
}

/** Whether a figure meets its goal: null when it has none or was not measured. */
export function met(figure: BenchFigure): boolean | null {
  if (figure.goal === null || figure.value === null || !Number.isFinite(figure.value)) return null;
  return figure.goal.op === '>='
    ? figure.value >= figure.goal.value
    : figure.value < figure.goal.value;
}

/** A number as the table prints it: grouped thousands, at most `digits` decimals. */
export function formatValue(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toLocaleString('en-US', { maximumFractionDigits: digits });
  return unit === '' ? text : `${text} ${unit}`;
}
