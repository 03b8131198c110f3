/**
 * Browser-mode fixture: starts `push-lab web --port 0` as a real process (engine in node,
 * UI from out/renderer, built by `npm test` before this runs) and stops it afterwards.
 */
import { test as base } from '@playwright/test';
import { startCli, type Running } from '../helpers/cli';

export const test = base.extend<{ lab: { url: string; process: Running } }>({
  // eslint-disable-next-line no-empty-pattern
  lab: async ({}, use) => {
    const running = startCli(['web', '--port', '0']);
    try {
      const line = await running.waitFor(/running at http:\/\//, 30_000);
      const url = /(http:\/\/\S+)/.exec(line)![1]!;
      await use({ url, process: running });
    } finally {
      await running.stop();
    }
  },
});

export { expect } from '@playwright/test';
