/**
 * What `npm run bench` (bench/all.ts) prints and keeps: one table of every figure (bench,
 * figure, goal, measured, met) and a dated block appended to bench/RESULTS.md with the
 * commit and the machine, so a regression shows up in review. Pure but for the append, so a
 * unit test checks it on made-up bench outputs (test/unit/bench/results.test.ts).
 */
import { appendFile, readFile } from 'node:fs/promises';
import { formatValue, met, type BenchFigure, type BenchOutput } from './record';

/** One bench script's run: its output, or why it has none. */
export type BenchRun =
  | { bench: string; ok: true; output: BenchOutput; seconds: number }
  | { bench: string; ok: false; reason: string; seconds: number };

export interface Machine {
  cores: number;
  cpu: string;
  node: string;
  /** One-minute load average when the run started (the machine is shared). */
  load: number;
}

export interface RunInfo {
  /** When the run started. */
  date: Date;
  /** `git rev-parse --short HEAD`, with "+ uncommitted changes" when the tree is dirty. */
  commit: string;
  machine: Machine;
  /** The runner's own flags (e.g. --short), as given. */
  flags: string[];
}

export interface Row {
  bench: string;
  figure: string;
  goal: string;
  measured: string;
  met: 'yes' | 'no' | '—' | 'not measured';
}

const goalText = (figure: BenchFigure): string =>
  figure.goal === null
    ? '—'
    : `${figure.goal.op === '>=' ? '≥' : '<'} ${formatValue(figure.goal.value, figure.unit)}`;

/** The table's rows: one per figure, one for a bench that gave none (with its reason). */
export function rows(runs: readonly BenchRun[]): Row[] {
  return runs.flatMap((run): Row[] => {
    if (!run.ok)
      return [
        {
          bench: run.bench,
          figure: '(every figure)',
          goal: '—',
          measured: `not measured: ${run.reason}`,
          met: 'not measured',
        },
      ];
    if (run.output.figures.length === 0)
      return [
        {
          bench: run.bench,
          figure: '(every figure)',
          goal: '—',
          measured: 'not measured: it reported no figures',
          met: 'not measured',
        },
      ];
    return run.output.figures.map((figure) => {
      const verdict = met(figure);
      const measured =
        figure.value === null
          ? `not measured: ${figure.reason ?? 'no reason given'}`
          : formatValue(figure.value, figure.unit) + (figure.note ? ` (${figure.note})` : '');
      return {
        bench: run.bench,
        figure: figure.label,
        goal: goalText(figure),
        measured,
        met:
          figure.value === null ? 'not measured' : verdict === null ? '—' : verdict ? 'yes' : 'no',
      };
    });
  });
}

const HEADINGS: readonly [keyof Row, string][] = [
  ['bench', 'bench'],
  ['figure', 'figure'],
  ['goal', 'goal'],
  ['measured', 'measured'],
  ['met', 'met'],
];

/** A Markdown table (cells padded to their column, `|` in a cell escaped). */
export function markdownTable(table: readonly Row[]): string {
  const cell = (text: string): string => text.replaceAll('|', '\\|');
  const widths = HEADINGS.map(([key, title]) =>
    Math.max(3, title.length, ...table.map((row) => cell(row[key]).length)),
  );
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(HEADINGS.map(([, title]) => title)),
    line(widths.map((w) => '-'.repeat(w))),
    ...table.map((row) => line(HEADINGS.map(([key]) => cell(row[key])))),
  ].join('\n');
}

/** How many figures met their goal, missed it, or were not measured. */
export function tally(table: readonly Row[]): string {
  const count = (m: Row['met']): number => table.filter((r) => r.met === m).length;
  return `${count('yes')} met, ${count('no')} not met, ${count('not measured')} not measured, ${count('—')} without a goal`;
}

/** The block appended to RESULTS.md for one run. */
export function resultsBlock(info: RunInfo, runs: readonly BenchRun[]): string {
  const { machine } = info;
  const date = info.date.toISOString().replace('T', ' ').slice(0, 16);
  const took = runs.map((r) => `${r.bench} ${Math.round(r.seconds)} s`).join(', ');
  const table = rows(runs);
  return [
    `## \`npm run bench\` — ${date} UTC`,
    '',
    `Commit ${info.commit}; ${machine.cores} × ${machine.cpu}, node ${machine.node}, load average ` +
      `${machine.load.toFixed(1)} at the start${info.flags.length > 0 ? `; flags ${info.flags.join(' ')}` : ''}. ` +
      `Written by bench/all.ts (${took}).`,
    '',
    markdownTable(table),
    '',
    `${tally(table)}.`,
    '',
  ].join('\n');
}

/** Appends `block` to the results file, after one blank line. */
export async function appendResults(file: string, block: string): Promise<void> {
  const before = await readFile(file, 'utf8').catch(() => '');
  const gap =
    before === '' ? '' : before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
  await appendFile(file, gap + block);
}
