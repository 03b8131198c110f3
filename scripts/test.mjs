#!/usr/bin/env node
// `npm test`: typecheck, lint, build, unit + interop tests (vitest), end-to-end tests
// (Playwright in Chromium). Each runner writes a JSON report; this script adds them up and
// ends with one plain line `N passed, N failed, N skipped` (CI reads that line), exiting
// non-zero if anything failed. Typecheck, lint and build count as one check each.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from './chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, '.ci-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function step(title, command, args, env = {}) {
  process.stdout.write(`\n=== ${title} ===\n`);
  const started = process.hrtime.bigint();
  const run = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    `--- ${title}: exit ${run.status ?? run.signal} in ${seconds.toFixed(1)} s\n`,
  );
  return run.status === 0;
}

function check(title, command, args) {
  const ok = step(title, command, args);
  if (ok) totals.passed += 1;
  else {
    totals.failed += 1;
    failures.push(title);
  }
  return ok;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

// 1-2. Static checks.
check('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
check('lint', bin('eslint'), ['.']);
check('format', bin('prettier'), ['--check', '.']);

// 3. Build first: unit tests load the bundle's worker entry (test/unit/parallel), e2e the UI.
const built = check('build (electron-vite)', bin('electron-vite'), ['build']);

// 4. Unit and interop tests.
const vitestReport = path.join(results, 'vitest.json');
const vitestOk = step('unit + interop tests (vitest)', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestReport}`,
]);
const vitest = readJson(vitestReport);
if (vitest) {
  totals.passed += vitest.numPassedTests ?? 0;
  totals.failed += vitest.numFailedTests ?? 0;
  totals.skipped += (vitest.numPendingTests ?? 0) + (vitest.numTodoTests ?? 0);
  if (!vitestOk && (vitest.numFailedTests ?? 0) === 0) {
    totals.failed += 1; // a suite that failed to load counts as a failure
    failures.push('vitest (a suite failed to run)');
  } else if (!vitestOk) failures.push('vitest');
} else {
  totals.failed += 1;
  failures.push('vitest (no report)');
}

// 5. End-to-end tests in Chromium.
if (built) {
  const chromium = findChromium();
  const playwrightReport = path.join(results, 'playwright.json');
  if (!chromium) {
    process.stdout.write(
      '\nNo Chromium found (CHROMIUM_PATH, /usr/bin/chromium, Playwright): e2e tests not run.\n',
    );
    totals.failed += 1;
    failures.push('e2e (no Chromium; install Debian package chromium or set CHROMIUM_PATH)');
  } else {
    const ok = step(
      'end-to-end tests (Playwright)',
      bin('playwright'),
      ['test', '--reporter=list,json'],
      {
        PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightReport,
        CHROMIUM_PATH: chromium,
      },
    );
    const report = readJson(playwrightReport);
    if (report?.stats) {
      totals.passed += report.stats.expected ?? 0;
      totals.failed += (report.stats.unexpected ?? 0) + (report.stats.flaky ?? 0);
      totals.skipped += report.stats.skipped ?? 0;
      if (!ok) failures.push('e2e');
      if (!ok && !report.stats.unexpected) totals.failed += 1;
    } else {
      totals.failed += 1;
      failures.push('e2e (no report)');
    }
  }
}

process.stdout.write('\n');
if (failures.length > 0) process.stdout.write(`Failed: ${failures.join(', ')}\n`);
process.stdout.write(
  `${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`,
);
process.exitCode = totals.failed > 0 ? 1 : 0;
