/**
 * `push-lab run` of several runs at once, each in a worker thread: a seed sweep (one line per
 * seed in seed order, then a summary) and several files (each file's block, in order); a bad
 * `--seeds`/`--jobs` and flags that fit one run only get one line and exit 2.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli, startCli } from '../../helpers/cli';
import { formatCount } from '../../../src/shared/format';

const smoke = path.join(repoRoot, 'resources/scenarios/smoke.yaml');
const outage = path.join(repoRoot, 'resources/scenarios/ttl-vs-outage.yaml');
const dir = mkdtempSync(path.join(tmpdir(), 'push-lab-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const eventsOf = (stdout: string): number | undefined => {
  const m = /^Smoke: [\d.]+ (?:ms|s|min|h) of lab time, ([\d,]+) events$/m.exec(stdout);
  return m ? Number(m[1]!.replace(/,/g, '')) : undefined;
};

describe('push-lab run --seeds', () => {
  it('runs every seed in a worker, prints a line per seed in order and a summary; each seed is the run --seed gives', () => {
    const sweep = runCli(
      ['run', smoke, '--duration', '20s', '--seeds', '1..4', '--jobs', '2'],
      120_000,
    );
    expect(sweep.stderr).toBe('');
    expect(sweep.code).toBe(0);
    const lines = sweep.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^sweep: 4 seeds of Smoke on [12] worker\(s\)$/);
    expect(lines.slice(1, 5)).toEqual(
      [1, 2, 3, 4].map((seed) =>
        expect.stringMatching(new RegExp(`^seed ${seed}: [\\d,]+ events, 0 violations; exit 0$`)),
      ),
    );
    expect(lines[5]).toBe('sweep: all 4 runs hold');
    // A seed's run in its worker is the run `--seed` gives in process, event for event.
    const single = runCli(['run', smoke, '--duration', '20s', '--seed', '3'], 60_000);
    expect(single.code).toBe(0);
    expect(lines[3]).toBe(
      `seed 3: ${formatCount(eventsOf(single.stdout)!)} events, 0 violations; exit 0`,
    );

    const listed = runCli(
      ['run', smoke, '--duration', '10s', '--seeds', '9,1,5', '--json'],
      120_000,
    );
    expect(listed.code).toBe(0);
    const records = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.slice(0, 3).map((r) => r['seed'])).toEqual([9, 1, 5]);
    expect(records.slice(0, 3).every((r) => r['exit'] === 0 && r['violations'] === 0)).toBe(true);
    expect(records[3]).toEqual({ type: 'sweep', runs: 3, failed: 0, failingSeeds: [], notRun: 0 });
  }, 240_000);

  it.each([
    ['5..1', '5..1 runs backwards'],
    ['1..20000', 'more than 10000 seeds'],
    ['1,x', '"x" is not a seed'],
    ['4294967296', '"4294967296" is not a seed'],
    ['1,2,1', '1 appears twice'],
    ['', '"" is not a seed'],
  ])('refuses --seeds %j in one line with exit 2', (value, why) => {
    const run = runCli(['run', smoke, '--seeds', value]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("'--seeds <list>'");
    expect(lines[0]).toContain(why);
    expect(lines[0]).toContain('allowed seeds like 1..100 or 1,5,9');
  });

  it('refuses --jobs out of range, flags for one run, and a sweep off the virtual clock', () => {
    for (const jobs of ['0', '65', 'two']) {
      const run = runCli(['run', smoke, '--seeds', '1..2', '--jobs', jobs]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/'--jobs <n>'.*allowed a whole number from 1 to 64/);
    }
    const out = runCli(['run', smoke, '--seeds', '1..2', '--out', path.join(dir, 't.jsonl')]);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      "push-lab: --out: writes one run's file; not with --seeds or several scenario files (run one of them on its own for it)\n",
    );
    const many = runCli(['run', smoke, outage, '--seeds', '1..10000']);
    expect(many.code).toBe(2);
    expect(many.stderr).toBe(
      'push-lab: --seeds: 2 files × 10000 seeds = 20000 runs; allowed at most 10000\n',
    );
    const both = runCli(['run', smoke, '--seeds', '1..2', '--seed', '3']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('push-lab: --seed: one seed; not with --seeds (put it in the list)\n');
    const scaled = path.join(dir, 'scaled.yaml');
    writeFileSync(
      scaled,
      'name: scaled\nduration: 10s\nclock: { mode: scaled, speed: 10 }\nservices: [{ id: ps1 }]\n',
    );
    const real = runCli(['run', scaled, '--seeds', '1..2']);
    expect(real.code).toBe(2);
    expect(real.stderr).toBe(
      `push-lab: --seeds: a sweep runs each seed on the virtual clock; ${scaled} has clock.mode "scaled" (allowed: virtual)\n`,
    );
  }, 120_000);
});

describe('push-lab run --seeds, interrupted', () => {
  it('stops on Ctrl-C: the seeds run are listed, the rest say so, workers end, exit 1', async () => {
    const cli = startCli(['run', smoke, '--seeds', '1..50', '--jobs', '1']);
    const exited = new Promise<number | null>((resolve) =>
      cli.child.once('close', (code) => resolve(code)),
    );
    try {
      await cli.waitFor(/^seed 1: /, 60_000);
      cli.child.kill('SIGINT');
      expect(await exited).toBe(1);
    } finally {
      await cli.stop();
    }
    const out = cli.lines.join('\n');
    expect(out).toMatch(/^seed 50: not run \(interrupted\)$/m);
    expect(out).toMatch(/^sweep: all \d+ runs hold \(interrupted: \d+ not run\)$/m);
    expect(cli.stderr()).toBe('');
  }, 90_000);
});

describe('push-lab run with several files', () => {
  it("runs them at once and prints each file's block in the order given", () => {
    const run = runCli(['run', smoke, outage, '--duration', '20s'], 120_000);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const smokeAt = run.stdout.indexOf(`${smoke}:\nSmoke: 20 s of lab time`);
    const outageAt = run.stdout.indexOf(`${outage}:\n`);
    expect(smokeAt).toBe(0);
    expect(outageAt).toBeGreaterThan(smokeAt);
    expect(run.stdout.match(/^schedule hash [0-9a-f]{64}$/gm)).toHaveLength(2);
    expect(run.stdout.match(/^invariants: all hold$/gm)).toHaveLength(2);
  }, 120_000);

  it('checks every file before running any: one bad file is exit 2 with its problems', () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: bad\nduration: -5\n');
    const run = runCli(['run', smoke, bad]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`push-lab: ${bad} is not a valid scenario:`);
  });
});
