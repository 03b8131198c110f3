/**
 * `npm run bench`'s table and its RESULTS.md block, on made-up bench outputs: the runner
 * (bench/all.ts) is checked here without running a benchmark (no wall-clock figure is ever
 * judged in `npm test`).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  JSON_PREFIX,
  met,
  parseBenchOutput,
  printJson,
  type BenchOutput,
} from '../../../bench/record';
import {
  appendResults,
  markdownTable,
  resultsBlock,
  rows,
  tally,
  type BenchRun,
} from '../../../bench/results';

const replay: BenchOutput = {
  bench: 'replay',
  figures: [
    { label: 'first view', value: 123.4, unit: 'ms', goal: { op: '<', value: 1000 } },
    { label: 'whole index', value: 4.56, unit: 's', goal: { op: '<', value: 3 } },
    { label: 'seek median', value: 12.3456, unit: 'ms', goal: null },
  ],
};

const push: BenchOutput = {
  bench: 'push',
  figures: [
    { label: 'end to end', value: 21_500, unit: 'msg/s', goal: { op: '>=', value: 20_000 } },
    {
      label: 'accept | ratio',
      value: null,
      unit: '%',
      goal: { op: '>=', value: 60 },
      reason: 'h2load not found',
    },
  ],
};

/** What a bench script prints with --json: its human-readable lines, then the JSON line. */
function scriptOutput(output: BenchOutput): string {
  let printed = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof write;
  try {
    printJson(output, ['node', 'bench/x.ts', '--json']);
  } finally {
    process.stdout.write = write;
  }
  return `> push-lab@0.1.0 bench:x\nsome figures\n${JSON_PREFIX}{"bench":"old","figures":[]}\n${printed}`;
}

const runs: BenchRun[] = [
  { bench: 'replay', ok: true, output: replay, seconds: 80.4 },
  { bench: 'push', ok: true, output: push, seconds: 200 },
  { bench: 'ui', ok: false, reason: 'exit 1: bench:ui failed: no Chromium found', seconds: 1 },
];

describe('a bench script’s JSON line', () => {
  it('is printed only with --json, and the runner reads the last one back', () => {
    let printed = '';
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof write;
    try {
      printJson(replay, ['node', 'bench/replay.ts']);
    } finally {
      process.stdout.write = write;
    }
    expect(printed).toBe('');
    expect(parseBenchOutput(scriptOutput(replay))).toEqual(replay);
  });

  it('missing or broken, it is a sentence the table shows as the reason', () => {
    expect(parseBenchOutput('just text\n')).toBe('it printed no BENCH_JSON line');
    expect(parseBenchOutput(`${JSON_PREFIX}{oops\n`)).toMatch(/^its BENCH_JSON line is not JSON/);
    expect(parseBenchOutput(`${JSON_PREFIX}{"figures":[]}\n`)).toMatch(/no "bench" name/);
  });

  it('a figure meets its goal by its operator; without a goal or a value, neither', () => {
    const figure = replay.figures[0]!;
    expect(met(figure)).toBe(true);
    expect(met({ ...figure, value: 1000 })).toBe(false);
    expect(met(push.figures[0]!)).toBe(true);
    expect(met({ ...push.figures[0]!, value: 19_999 })).toBe(false);
    expect(met(replay.figures[2]!)).toBeNull();
    expect(met(push.figures[1]!)).toBeNull();
  });
});

describe('the runner’s table', () => {
  it('has one row per figure: goal, measured, met; a failed bench is not measured, never met', () => {
    expect(rows(runs)).toEqual([
      {
        bench: 'replay',
        figure: 'first view',
        goal: '< 1,000 ms',
        measured: '123 ms',
        met: 'yes',
      },
      { bench: 'replay', figure: 'whole index', goal: '< 3 s', measured: '4.56 s', met: 'no' },
      { bench: 'replay', figure: 'seek median', goal: '—', measured: '12.3 ms', met: '—' },
      {
        bench: 'push',
        figure: 'end to end',
        goal: '≥ 20,000 msg/s',
        measured: '21,500 msg/s',
        met: 'yes',
      },
      {
        bench: 'push',
        figure: 'accept | ratio',
        goal: '≥ 60 %',
        measured: 'not measured: h2load not found',
        met: 'not measured',
      },
      {
        bench: 'ui',
        figure: '(every figure)',
        goal: '—',
        measured: 'not measured: exit 1: bench:ui failed: no Chromium found',
        met: 'not measured',
      },
    ]);
    expect(tally(rows(runs))).toBe('2 met, 1 not met, 2 not measured, 1 without a goal');
  });

  it('prints as a Markdown table, a pipe in a cell escaped', () => {
    const table = markdownTable(rows(runs)).split('\n');
    expect(table).toHaveLength(2 + 6);
    expect(table[0]).toMatch(/^\| bench +\| figure +\| goal +\| measured +\| met +\|$/);
    expect(table[1]).toMatch(/^\| -+ \| -+ \| -+ \| -+ \| -+ \|$/);
    expect(table[6]).toContain('accept \\| ratio');
    // Every line as wide as the others: the columns line up.
    expect(new Set(table.map((line) => line.length)).size).toBe(1);
  });
});

describe('the RESULTS.md block', () => {
  const info = {
    date: new Date('2026-12-07T09:30:15Z'),
    commit: 'abc1234 + uncommitted changes',
    machine: { cores: 2, cpu: 'AMD EPYC 7B13', node: 'v20.20.2', load: 3.14 },
    flags: ['--short'],
  };

  it('says when, which commit, which machine, and holds the table', () => {
    const block = resultsBlock(info, runs);
    const lines = block.split('\n');
    expect(lines[0]).toBe('## `npm run bench` — 2026-12-07 09:30 UTC');
    expect(lines[2]).toBe(
      'Commit abc1234 + uncommitted changes; 2 × AMD EPYC 7B13, node v20.20.2, load average 3.1 at the start; flags --short. Written by bench/all.ts (replay 80 s, push 200 s, ui 1 s).',
    );
    expect(block).toContain(markdownTable(rows(runs)));
    expect(block.endsWith('2 met, 1 not met, 2 not measured, 1 without a goal.\n')).toBe(true);
  });

  it('is appended after what the file holds, one blank line between', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'push-lab-bench-'));
    try {
      const file = path.join(dir, 'RESULTS.md');
      await writeFile(file, '# Benchmark results\n\nearlier rows\n');
      await appendResults(file, resultsBlock(info, runs));
      await appendResults(file, resultsBlock({ ...info, commit: 'def5678' }, runs.slice(0, 1)));
      const text = await readFile(file, 'utf8');
      expect(text.startsWith('# Benchmark results\n\nearlier rows\n\n## `npm run bench`')).toBe(
        true,
      );
      expect(text.match(/^## `npm run bench`/gm)).toHaveLength(2);
      expect(text).toContain('without a goal.\n\n## `npm run bench`');
      expect(text).toContain('Commit def5678;');
      // A file that does not exist yet is started.
      const fresh = path.join(dir, 'new.md');
      await appendResults(fresh, 'block\n');
      expect(await readFile(fresh, 'utf8')).toBe('block\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
