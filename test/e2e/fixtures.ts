/**
 * Browser-mode fixture: starts `push-lab web --port 0` as a real process (engine in node,
 * UI from out/renderer, built by `npm test` before this runs) and stops it afterwards.
 * `lab.url` is the printed URL, access token included.
 * `test.use({ labArgs: [...] })` adds arguments (e.g. a bundle to open).
 * Every test also fails on an error the page left uncaught or a view failed on (its
 * ViewBoundary logs it), naming it: a blank or half-drawn window is otherwise only a timeout.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { startCli, type Running } from '../helpers/cli';

export const test = base.extend<{ labArgs: string[]; lab: { url: string; process: Running } }>({
  labArgs: [[], { option: true }],
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.stack ?? String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error' && / view failed:/.test(message.text())) {
        errors.push(message.text());
      }
    });
    await use(page);
    expect(errors, 'errors in the page').toEqual([]);
  },
  lab: async ({ labArgs }, use) => {
    // Its own data directory (recent files, recordings), unless the test names one.
    const dataDir = labArgs.includes('--data')
      ? null
      : mkdtempSync(path.join(tmpdir(), 'push-lab-e2e-'));
    const running = startCli([
      'web',
      '--port',
      '0',
      ...(dataDir ? ['--data', dataDir] : []),
      ...labArgs,
    ]);
    try {
      const line = await running.waitFor(/running at http:\/\//, 30_000);
      const url = /(http:\/\/\S+)/.exec(line)![1]!;
      // Browser mode refuses every request without the token the printed URL carries.
      if (!new URL(url).searchParams.get('token')) throw new Error(`no token in ${url}`);
      await use({ url, process: running });
    } finally {
      await running.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  },
});

/**
 * The lab of the tests in this scope opens `text` as its scenario (a file written in the
 * temporary directory before them and removed after).
 */
export function useScenario(name: string, text: string): void {
  const file = path.join(tmpdir(), `push-lab-${name}-e2e-${process.pid}.yaml`);
  test.use({ labArgs: [file] });
  test.beforeAll(() => writeFileSync(file, text));
  test.afterAll(() => rmSync(file, { force: true }));
}

/** The Links view's row of one link. */
export function linkRow(page: Page, linkId: string): Locator {
  return page.locator(`[data-testid="link-row"][data-link-id="${linkId}"]`);
}

/** The Log's count line, and the number of events it says the Log holds (its first number). */
export function logCount(page: Page): { count: Locator; total: () => Promise<number> } {
  const count = page.getByTestId('log-count');
  const total = async (): Promise<number> => Number(/\d+/.exec(await count.innerText())![0]);
  return { count, total };
}

export { expect };
