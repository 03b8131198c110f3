/**
 * A bundle cut by kill -9 of a real `push-lab run --bundle` mid-run: `replay` says it is cut
 * in one line, with the lab time it covers against the scenario's 2 h, checks what is there
 * and exits 3; `rerun` and `diff` flag it too. Before closing records it replayed as
 * "invariants: all hold", exit 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot, runCli } from '../../helpers/cli';

const dir = mkdtempSync(path.join(tmpdir(), 'push-lab-cut-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenario = `
name: long run
seed: 5
duration: 2h
services: [{ id: ps1 }]
userAgents: [{ id: phone, count: 20, service: ps1 }]
appServers:
  - id: as
    service: ps1
    traffic: { pattern: poisson, ratePerSecond: 5 }
`;

const bundle = path.join(dir, 'killed.plb');

/** Starts the run, waits until the bundle holds some flushed progress, then sends `signal`. */
async function killMidRun(
  bundle: string,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<number | null> {
  const file = path.join(dir, 'long.yaml');
  writeFileSync(file, scenario);
  const child = spawn(process.execPath, [binPath, 'run', file, '--bundle', bundle], {
    cwd: repoRoot,
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const size = (() => {
        try {
          return statSync(bundle).size;
        } catch {
          return 0;
        }
      })();
      if (size > 8_000) break; // several 200 ms flushes: the run is well under way
      if (child.exitCode !== null) throw new Error('the run ended before it could be killed');
      if (Date.now() > deadline) throw new Error('no progress in the bundle within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    child.kill(signal);
  }
  return exited;
}

describe('a bundle cut by kill -9', () => {
  beforeAll(async () => {
    expect(await killMidRun(bundle)).toBeNull(); // killed by the signal, no exit code
  }, 90_000);

  it('replay says it is cut, with the lab time it covers of the 2 h, and exits 3', () => {
    const replay = runCli(['replay', bundle]);
    expect(replay.code).toBe(3);
    const cut = replay.stdout.split('\n').filter((l) => l.startsWith('cut:'));
    expect(cut).toHaveLength(1);
    expect(cut[0]).toMatch(
      /^cut: covers \d\d:\d\d:\d\d of 02:00:00 — the run did not finish \(killed\?\)$/,
    );
    // The invariants are checked over what is there.
    expect(replay.stdout).toMatch(/invariants: all hold/);
    expect(replay.stderr).not.toMatch(/\n\s+at /);
  });

  it('replay --json carries the same verdict', () => {
    const replay = runCli(['replay', bundle, '--json']);
    expect(replay.code).toBe(3);
    const result = JSON.parse(replay.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ type: 'replay', cut: true, durationMs: 7_200_000 });
    expect(result['coveredMs']).toBeGreaterThan(0);
    expect(result['coveredMs']).toBeLessThan(7_200_000);
  });

  it('diff flags it', () => {
    const diff = runCli(['diff', bundle, bundle]);
    expect(diff.code).toBe(0);
    expect(diff.stderr).toMatch(/warning: .*killed\.plb: cut: covers .* of 02:00:00/);
  });

  it('rerun flags a cut bundle and still runs its scenario', () => {
    const file = path.join(dir, 'short.yaml');
    const whole = path.join(dir, 'short.plb');
    const cut = path.join(dir, 'short-cut.plb');
    writeFileSync(file, scenario.replace('duration: 2h', 'duration: 20s'));
    expect(runCli(['run', file, '--bundle', whole], 60_000).code).toBe(0);
    writeFileSync(cut, readFileSync(whole).subarray(0, statSync(whole).size - 100));
    const rerun = runCli(['rerun', cut], 60_000);
    expect(rerun.stderr).toMatch(
      /^push-lab: warning: .*short-cut\.plb: cut: covers .* of 00:00:20 — .*; rerunning the whole scenario$/m,
    );
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/invariants: all hold/);
  }, 90_000);
});

describe('a run stopped by SIGTERM', () => {
  it('closes its bundle cleanly: replay says it stopped early and exits 0', async () => {
    const stopped = path.join(dir, 'stopped.plb');
    expect(await killMidRun(stopped, 'SIGTERM')).toBe(0);
    const replay = runCli(['replay', stopped]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(
      /^stopped early: covers \d\d:\d\d:\d\d of 02:00:00 — closed cleanly$/m,
    );
    expect(replay.stdout).not.toMatch(/^cut:/m);
  }, 90_000);
});
