/**
 * The Electron shell. Its launch test needs an Electron binary, which cannot be downloaded
 * on every machine (not on Push Lab's CI): there it is skipped with the reason.
 */
import { _electron as electron, expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findElectronBinary } from '../../scripts/electron-binary.mjs';
import { repoRoot } from '../helpers/cli';

const binary = findElectronBinary();

test('the sandboxed preload bundle requires nothing but electron', () => {
  const preload = readFileSync(path.join(repoRoot, 'out/preload/index.cjs'), 'utf8');
  const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
  expect(required).toEqual(['electron']);
});

test('the Electron app opens a secure window showing the lab', async () => {
  test.skip(
    !binary,
    'no Electron binary on this machine (its download is blocked here); runs where one is installed',
  );
  const app = await electron.launch({ executablePath: binary!, args: [repoRoot], cwd: repoRoot });
  try {
    const window = await app.firstWindow();
    await expect(window.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
    // contextIsolation + sandbox: no Node in the page, only the contract from the preload.
    const page = await window.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      api: Object.keys((globalThis as { pushLab?: object }).pushLab ?? {}).sort(),
    }));
    expect(page).toEqual({
      require: 'undefined',
      process: 'undefined',
      api: ['command', 'onMessage', 'resync'],
    });
  } finally {
    await app.close();
  }
});
