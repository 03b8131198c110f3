/**
 * `npm run bench`: runs every benchmark, one after the other (never two at once: they would
 * measure each other), each with `--json`; prints one table — bench, figure, goal, measured,
 * met — and appends it as a dated block (commit, machine) to bench/RESULTS.md. Not a test:
 * no figure fails anything, and nothing here runs in `npm test`.
 *
 * Options:
 *   --short        bench:fleet in its shortened form (1,000 UAs; 2 h of the fleet's day, its
 *                  speed-up measured against the goal's ×1,440): minutes instead of ten
 *   --only=a,b     run only these benches (push, serve, fleet, replay, ui, reducer, scale)
 *   --no-append    print the table, keep RESULTS.md as it is
 * Environment: BENCH_TIMEOUT_S (per bench, default 1800).
 *
 * bench:ui needs Chromium (CHROMIUM_PATH or /usr/bin/chromium); without it, or when any bench
 * fails, its row says "not measured" and why — never "met".
 */
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { JSON_FLAG, parseBenchOutput, type BenchOutput } from './record';
import {
  appendResults,
  markdownTable,
  resultsBlock,
  rows,
  tally,
  type BenchRun,
  type Machine,
} from './results';

const repoRoot = path.resolve(import.meta.dirname, '..');
const BENCHES = ['push', 'serve', 'fleet', 'replay', 'ui', 'reducer', 'scale'] as const;
type BenchName = (typeof BENCHES)[number];

const args = process.argv.slice(2);
const SHORT = args.includes('--short');
const APPEND = !args.includes('--no-append');
const onlyArg = args.find((a) => a.startsWith('--only='));
const TIMEOUT_MS = (Number(process.env['BENCH_TIMEOUT_S']) || 1800) * 1000;

function selected(): BenchName[] {
  if (onlyArg === undefined) return [...BENCHES];
  const names = onlyArg.slice('--only='.length).split(',').filter(Boolean);
  const unknown = names.filter((n) => !(BENCHES as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0)
    throw new Error(
      `--only: got "${names.join(',')}"; allowed a comma-separated list of ${BENCHES.join(', ')}`,
    );
  return BENCHES.filter((b) => names.includes(b));
}

/** Runs `npm run bench:<name> -- --json`, echoing its output, keeping stdout and stderr's end. */
function runBench(name: BenchName): Promise<BenchRun> {
  const started = performance.now();
  const extra = name === 'fleet' && SHORT ? ['--short'] : [];
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', `bench:${name}`, '--', JSON_FLAG, ...extra], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout ends the bench and everything it started.
      detached: true,
    });
    let stdout = '';
    let stderrTail = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-2000);
      process.stderr.write(chunk);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, TIMEOUT_MS);
    type Outcome = { ok: true; output: BenchOutput } | { ok: false; reason: string };
    const done = (run: Outcome): void => {
      clearTimeout(timer);
      resolve({ bench: name, seconds: (performance.now() - started) / 1000, ...run } as BenchRun);
    };
    child.on('error', (error) => done({ ok: false, reason: `cannot start npm: ${error.message}` }));
    child.on('close', (code, signal) => {
      if (timedOut) return done({ ok: false, reason: `timed out after ${TIMEOUT_MS / 1000} s` });
      const parsed = parseBenchOutput(stdout);
      if (code === 0 && typeof parsed !== 'string') return done({ ok: true, output: parsed });
      const lastError = stderrTail.trim().split('\n').at(-1)?.trim();
      const exit = signal !== null ? `killed by ${signal}` : `exit ${code}`;
      done({
        ok: false,
        reason:
          code === 0 ? String(parsed) : `${exit}${lastError ? `: ${lastError.slice(0, 200)}` : ''}`,
      });
    });
  });
}

function git(...gitArgs: string[]): string | null {
  const result = spawnSync('git', gitArgs, { cwd: repoRoot, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

function commit(): string {
  const head = git('rev-parse', '--short', 'HEAD') ?? 'unknown';
  const dirty = (git('status', '--porcelain', '--untracked-files=no') ?? '') !== '';
  return dirty ? `${head} + uncommitted changes` : head;
}

function machine(): Machine {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    node: process.version,
    load: os.loadavg()[0]!,
  };
}

async function main(): Promise<void> {
  const benches = selected();
  const info = { date: new Date(), commit: commit(), machine: machine(), flags: args };
  const runs: BenchRun[] = [];
  for (const name of benches) {
    process.stdout.write(`\n==== bench:${name} ====\n`);
    runs.push(await runBench(name));
  }
  const table = rows(runs);
  process.stdout.write(`\n${markdownTable(table)}\n\n${tally(table)}.\n`);
  if (APPEND) {
    const file = path.join(repoRoot, 'bench', 'RESULTS.md');
    await appendResults(file, resultsBlock(info, runs));
    process.stdout.write(`Appended to ${path.relative(process.cwd(), file)}.\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
