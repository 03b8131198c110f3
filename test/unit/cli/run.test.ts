import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../../helpers/cli';

const dir = mkdtempSync(path.join(tmpdir(), 'push-lab-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('push-lab run', () => {
  it('runs a scenario, streams its trace, writes the report, and exits 0 when every invariant holds', () => {
    const trace = path.join(dir, 'trace.jsonl');
    const report = path.join(dir, 'report.html');
    const run = runCli(
      [
        'run',
        path.join(repoRoot, 'resources/scenarios/smoke.yaml'),
        '--out',
        trace,
        '--report',
        report,
      ],
      120_000,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^schedule hash [0-9a-f]{64}$/m);
    expect(run.stdout).toMatch(/invariants: all hold/);
    const lines = readFileSync(trace, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      type: 'push-lab-trace',
      scenario: 'Smoke',
      seed: 7,
      clockMode: 'virtual',
    });
    const events = lines.slice(1, -1);
    expect(events.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(
      events.map((_, i) => i + 1),
    );
    expect(JSON.parse(lines.at(-1)!)).toEqual({
      type: 'end',
      version: 1,
      events: events.length,
      lastSeq: events.length,
      labTimeMs: 120_000,
      reason: 'finished',
    });
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).not.toMatch(/<script/i);
  }, 150_000);

  it('gives the same schedule hash for the same seed and another for a different seed', () => {
    const file = path.join(repoRoot, 'resources/scenarios/smoke.yaml');
    const hash = (extra: string[]) =>
      /^schedule hash ([0-9a-f]{64})$/m.exec(
        runCli(['run', file, '--duration', '30s', ...extra], 120_000).stdout,
      )?.[1];
    const reportFile = path.join(dir, 'hash.json');
    const a = hash(['--seed', '11', '--report', reportFile]);
    expect(a).toBeDefined();
    // The report file carries the hash the run printed (before: only `run --json` had it).
    expect(JSON.parse(readFileSync(reportFile, 'utf8'))).toMatchObject({ scheduleHash: a });
    expect(hash(['--seed', '11'])).toBe(a);
    expect(hash(['--seed', '12'])).not.toBe(a);
  }, 200_000);

  it('refuses a bad scenario with exit 2 and every problem listed', () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: bad\nduration: -5\nservices: []\nshape: round\n');
    const run = runCli(['run', bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`push-lab: ${bad} is not a valid scenario:`);
    expect(run.stderr).toMatch(/duration: not a duration/);
    expect(run.stderr).toMatch(/services: .*(got \[\])/);
    expect(run.stderr).toMatch(
      /shape: unknown agent kind "shape"; allowed userAgents, gateways, appServers/,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
