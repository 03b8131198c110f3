import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli';

const dir = mkdtempSync(path.join(tmpdir(), 'push-lab-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenario = `
name: replay test
seed: 21
duration: 90s
services: [{ id: ps1 }]
links: [{ id: cell, faults: [{ type: latency, attributes: { latency: 70, jitter: 30 } }] }]
userAgents: [{ id: phone, count: 3, service: ps1, link: cell }]
appServers:
  - id: as
    service: ps1
    traffic: { pattern: poisson, ratePerSecond: 1 }
    mix: { ttl: [{ value: 30, share: 1 }], receiptShare: 0.5, topicShare: 0.2 }
`;

describe('run bundles: replay, rerun, diff', () => {
  const first = path.join(dir, 'first.plb');
  const second = path.join(dir, 'second.plb');

  beforeAll(() => {
    writeFileSync(path.join(dir, 'scenario.yaml'), scenario);
    const run = runCli(
      ['run', path.join(dir, 'scenario.yaml'), '--bundle', first, '--no-progress'],
      120_000,
    );
    expect(run.code).toBe(0);
  }, 150_000);

  it('replays a bundle: the verdict and a summary, exit 0', () => {
    const replay = runCli(['replay', first]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/^replay test: seed 21, virtual clock, recorded by Push Lab /);
    expect(replay.stdout).toMatch(/invariants: all hold/);
  });

  it('reruns a virtual-time bundle identically, event for event', () => {
    const rerun = runCli(['rerun', first, '--bundle', second, '--no-progress'], 120_000);
    expect(rerun.code).toBe(0);
    const diff = runCli(['diff', first, second]);
    expect(diff.stdout).toMatch(/^no divergence: \d+ events, identical event for event/);
    expect(diff.code).toBe(0);
  }, 150_000);

  it('names the first divergence between two different runs', () => {
    const other = path.join(dir, 'other.plb');
    expect(
      runCli(
        [
          'run',
          path.join(dir, 'scenario.yaml'),
          '--seed',
          '22',
          '--bundle',
          other,
          '--no-progress',
        ],
        120_000,
      ).code,
    ).toBe(0);
    const diff = runCli(['diff', first, other]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(
      /^first divergence at event #\d+ \(lab time \+[\d:.]+ from the start\):/,
    );
    expect(diff.stdout).toMatch(/figures:/);
  }, 150_000);

  it('opens a cut bundle up to its last intact event, says it is cut, and exits 3', () => {
    const bytes = readFileSync(first);
    const cut = path.join(dir, 'cut.plb');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const replay = runCli(['replay', cut]);
    expect(replay.code).toBe(3);
    expect(replay.stdout).toMatch(/\d+ events over/);
    expect(replay.stdout).toMatch(/^cut: covers 00:00:\d\d of 00:01:30 — the run did not finish/m);
    expect(replay.stderr).toMatch(/^push-lab: warning: trace cut at line \d+/m);
  });

  it('refuses a file that is not a recording, with a sentence and exit 2', () => {
    const junk = path.join(dir, 'junk.txt');
    writeFileSync(junk, 'hello\n');
    const replay = runCli(['replay', junk]);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toMatch(/^push-lab: .*junk\.txt is not a Push Lab trace/);
    expect(replay.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a recording from a newer Push Lab, naming the version it needs', () => {
    const newer = path.join(dir, 'newer.jsonl');
    writeFileSync(
      newer,
      JSON.stringify({
        type: 'push-lab-trace',
        version: 1,
        scenario: 'x',
        seed: 1,
        clockMode: 'virtual',
        pushLabVersion: '99.0.0',
      }) + '\n',
    );
    const replay = runCli(['replay', newer]);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toMatch(
      /recorded by Push Lab 99\.0\.0; opening it needs Push Lab 99\.0\.0 or later/,
    );
  });

  it('refuses to rerun a plain trace', () => {
    const trace = path.join(dir, 'plain.jsonl');
    expect(
      runCli(
        [
          'run',
          path.join(dir, 'scenario.yaml'),
          '--duration',
          '10s',
          '--out',
          trace,
          '--no-progress',
        ],
        120_000,
      ).code,
    ).toBe(0);
    const rerun = runCli(['rerun', trace]);
    expect(rerun.code).toBe(2);
    expect(rerun.stderr).toMatch(/is a plain trace, not a run bundle/);
  }, 150_000);
});
