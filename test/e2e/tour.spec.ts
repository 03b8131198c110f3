/**
 * The tour (issue 14): the main user tasks, walked as a new user would, in each display
 * configuration a presenter meets — 1280×800 and 1920×1080, light and dark, with and without
 * presentation mode. Each step is asserted (not only photographed) and leaves a screenshot in
 * test-results/tour/<configuration>/<step>.png; `npm run tour` (scripts/tour.mjs) copies the
 * chosen ones to docs/screenshots/ for the README.
 *
 * One lab process per configuration (one test each, its tasks as steps), so the cost is the
 * tasks themselves: the two recordings are made once, before all of them.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { runCli } from '../helpers/cli';
import { expect, linkRow, test } from './fixtures';

export interface TourConfiguration {
  name: string;
  viewport: { width: number; height: number };
  theme: 'light' | 'dark';
  presentation: boolean;
}

/** Both sizes meet both themes; presentation mode is on in one of each size. */
export const TOUR_CONFIGURATIONS: readonly TourConfiguration[] = [
  {
    name: '1280x800-light',
    viewport: { width: 1280, height: 800 },
    theme: 'light',
    presentation: false,
  },
  {
    name: '1280x800-dark-presentation',
    viewport: { width: 1280, height: 800 },
    theme: 'dark',
    presentation: true,
  },
  {
    name: '1920x1080-dark',
    viewport: { width: 1920, height: 1080 },
    theme: 'dark',
    presentation: false,
  },
  {
    name: '1920x1080-light-presentation',
    viewport: { width: 1920, height: 1080 },
    theme: 'light',
    presentation: true,
  },
];

/**
 * Screenshots the README shows, by `<configuration>/<step>`: with PUSH_LAB_TOUR_PUBLISH=1
 * (`npm run tour`) each is also copied to docs/screenshots/<name>.png.
 */
export const PUBLISHED: Readonly<Record<string, string>> = {
  '1280x800-light/01-send-inspect': 'send-inspect',
  '1280x800-light/02-flows': 'flows',
  '1280x800-light/04-run-topology': 'topology',
  '1280x800-light/05-links-cut': 'links-cut',
  '1280x800-light/07-compare': 'compare',
  '1280x800-light/10-diff': 'diff',
  '1920x1080-dark/09-recording-metrics': 'metrics-dark',
  '1280x800-dark-presentation/06-travel': 'travel-presentation',
};
const publish = process.env['PUSH_LAB_TOUR_PUBLISH'] === '1';

/** The lab's data directory (recordings are opened from its recordings folder). */
const dataDir = path.join(os.tmpdir(), `push-lab-tour-e2e-${process.pid}`);
const recordings = path.join(dataDir, 'recordings');
const bundle = path.join(recordings, 'smoke.jsonl.gz');
const otherSeed = path.join(recordings, 'smoke-seed8.jsonl.gz');

/** Two phones on a 4G link, on the real clock: long enough to cut its link and look back. */
const SCENARIO = `name: Tour
description: Two phones on a 4G link and one application server, in real time.
seed: 7
duration: 10m
clock: { mode: real }
services:
  - id: ps1
links:
  - id: cell
    preset: fast-4g
userAgents:
  - id: phone
    count: 2
    service: ps1
    link: cell
    radio: lte
appServers:
  - id: news
    service: ps1
    traffic: { pattern: poisson, ratePerSecond: 2 }
    mix:
      ttl: [{ value: 600, share: 1 }]
`;

const PROFILES = ['rfc8030', 'draft-thomson', 'draft-damaggio'];
/** Two profiles: the comparison is the task, not its width (each is a run of smoke). */
const COMPARED = ['rfc8030', 'draft-thomson'];

test.use({ labArgs: ['--data', dataDir] });

test.beforeAll(() => {
  test.setTimeout(120_000);
  mkdirSync(recordings, { recursive: true });
  const smoke = 'resources/scenarios/smoke.yaml';
  for (const args of [
    [smoke, '--bundle', bundle],
    [smoke, '--seed', '8', '--bundle', otherSeed],
  ]) {
    const run = runCli(['run', ...args, '--no-progress'], 60_000);
    expect(run.code, run.stderr).toBe(0);
  }
});

test.afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function show(page: Page, view: string): Promise<void> {
  await page.getByTestId(`nav-${view}`).click();
  await expect(page.getByTestId(`nav-${view}`)).toHaveAttribute('aria-pressed', 'true');
}

for (const config of TOUR_CONFIGURATIONS) {
  test.describe(config.name, () => {
    test.use({ viewport: config.viewport });

    test(`the tour at ${config.name}`, async ({ page, lab }) => {
      test.setTimeout(240_000);
      const shot = async (step: string) => {
        const file = `test-results/tour/${config.name}/${step}.png`;
        await page.screenshot({ path: file });
        const name = PUBLISHED[`${config.name}/${step}`];
        if (publish && name) {
          mkdirSync('docs/screenshots', { recursive: true });
          copyFileSync(file, `docs/screenshots/${name}.png`);
        }
      };

      await test.step('open the lab in this display configuration', async () => {
        await page.goto(lab.url);
        await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
        await page.getByTestId('theme-select').selectOption(config.theme);
        await expect(page.locator('html')).toHaveAttribute('data-theme', config.theme);
        const present = page.getByTestId('presentation-toggle');
        if (config.presentation) await present.click();
        await expect(present).toHaveAttribute('aria-pressed', String(config.presentation));
        // The page never scrolls sideways, in any theme, size or presentation mode.
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow, `${config.name}: the page is wider than the window`).toBeLessThanOrEqual(
          0,
        );
      });

      await test.step('send a message and inspect it', async () => {
        await page.getByTestId('send-button').click();
        const row = page.getByTestId('message-row').first();
        await expect(row).toHaveAttribute('data-state', 'acked');
        await row.click();
        const inspector = page.getByTestId('inspector');
        await expect(inspector).toBeVisible();
        await expect(
          inspector.getByTestId('inspector-step').and(page.locator('[data-kind="message.acked"]')),
        ).not.toHaveCount(0);
        await shot('01-send-inspect');
        // Its exchange as a sequence chart: the push promise to the user agent, and more.
        await show(page, 'flows');
        await expect(
          page.getByTestId('flow-arrow').and(page.locator('[data-label^="PUSH_PROMISE"]')).first(),
        ).toBeVisible();
        await shot('02-flows');
        await page.getByTestId('inspector-close').click();
        await show(page, 'overview');
        await expect(inspector).toHaveCount(0);
      });

      await test.step('about: version and licenses', async () => {
        await page.getByTestId('about-open').click();
        const about = page.getByTestId('about-dialog');
        await expect(about).toBeVisible();
        const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string })
          .version;
        await expect(page.getByTestId('about-version')).toHaveText(`version ${version}`);
        await expect(about.locator('summary', { hasText: 'react' }).first()).toBeVisible();
        await shot('03-about');
        await page.getByTestId('about-close').click();
        await expect(about).toHaveCount(0);
      });

      await test.step('run a scenario', async () => {
        await show(page, 'scenario');
        await page.getByTestId('scenario-example-smoke').click();
        const yaml = page.getByTestId('scenario-text');
        await expect(yaml).toHaveValue(/^name: Smoke$/m);
        await yaml.fill(SCENARIO);
        await expect(page.getByTestId('scenario-valid')).toBeVisible();
        await page.getByTestId('scenario-run').click();
        await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'running');
        await expect(page.getByTestId('run-name')).toHaveText('Tour');
        await show(page, 'subscriptions');
        await expect(page.getByTestId('subscription-row').first()).toBeVisible({ timeout: 30_000 });
        await show(page, 'topology');
        await shot('04-run-topology');
      });

      let linkId = '';
      let before = '';
      await test.step('cut a link', async () => {
        await show(page, 'links');
        const first = page.getByTestId('link-row').first();
        await expect(first).toBeVisible({ timeout: 15_000 });
        linkId = (await first.getAttribute('data-link-id'))!;
        const link = linkRow(page, linkId);
        before = (await link.getAttribute('data-state'))!;
        expect(before).not.toBe('down');
        await link.getByTestId('link-select').check();
        await page.getByTestId('link-cut').click();
        await expect(link).toHaveAttribute('data-state', 'down', { timeout: 10_000 });
        await shot('05-links-cut');
      });

      await test.step('travel back before the cut, then return to live', async () => {
        const canvas = page.getByTestId('timeline-canvas');
        const box = (await canvas.boundingBox())!;
        // The start of the run: before the cut (made seconds into it).
        await canvas.click({ position: { x: 2, y: 10 } });
        const banner = page.getByTestId('travel-banner');
        await expect(banner).toBeVisible();
        expect(box.width).toBeGreaterThan(100);
        await expect(page.getByTestId('link-editor')).toHaveAttribute('data-locked', 'true');
        await expect(linkRow(page, linkId)).not.toHaveAttribute('data-state', 'down');
        await shot('06-travel');
        await page.getByTestId('travel-banner-live').click();
        await expect(banner).toHaveCount(0);
        await expect(linkRow(page, linkId)).toHaveAttribute('data-state', 'down');
      });

      await test.step('stop the run', async () => {
        // Stopped, the run's report is final, and Compare's workers have the machine to
        // themselves.
        await page.getByTestId('run-stop').click();
        await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'stopped');
      });

      await test.step('export the report', async () => {
        const download = page.waitForEvent('download');
        await page.getByTestId('export-menu').click();
        await page.getByTestId('export-report').click();
        const file = await download;
        expect(file.suggestedFilename()).toMatch(/\.html$/);
        const html = readFileSync((await file.path())!, 'utf8');
        expect(html).toMatch(/<html/i);
        expect(html).toContain('Tour');
      });

      await test.step('compare a scenario under two profiles', async () => {
        await show(page, 'compare');
        const scenario = page.getByTestId('compare-scenario');
        await expect(scenario.locator('option[value="smoke"]')).toHaveCount(1, { timeout: 15_000 });
        await scenario.selectOption('smoke');
        for (const p of PROFILES) {
          const box = page.getByTestId(`compare-profile-${p}`);
          if (COMPARED.includes(p)) await box.check();
          else await box.uncheck();
        }
        await page.getByTestId('compare-run').click();
        await expect(page.getByTestId('compare-table')).toBeVisible({ timeout: 120_000 });
        await expect(page.getByTestId('compare-error')).toHaveCount(0);
        for (const p of COMPARED) await expect(page.getByTestId(`compare-col-${p}`)).toBeVisible();
        await shot('07-compare');
      });

      await test.step('open a recording', async () => {
        await show(page, 'recordings');
        await page.getByTestId('bundle-path').fill(bundle);
        await page.getByTestId('bundle-open').click();
        await expect(page.getByTestId('recordings-error')).toHaveCount(0);
        await expect
          .poll(async () => Number(await page.getByTestId('recording-events').textContent()))
          .toBeGreaterThan(100);
        await expect(page.getByTestId('run-name')).toHaveText('smoke.jsonl.gz');
        // The middle of the recording: the views show the lab as it was then.
        const canvas = page.getByTestId('timeline-canvas');
        const box = (await canvas.boundingBox())!;
        await canvas.click({ position: { x: box.width / 2, y: 10 } });
        await expect(page.getByTestId('timeline-position')).toHaveAttribute(
          'data-travelling',
          'true',
        );
        await show(page, 'overview');
        await expect(page.getByTestId('subscription-row').first()).toBeVisible();
        await shot('08-recording');
        await show(page, 'metrics');
        await shot('09-recording-metrics');
      });

      await test.step('diff two recordings', async () => {
        await show(page, 'recordings');
        await page.getByTestId('diff-a').fill(bundle);
        await page.getByTestId('diff-b').fill(otherSeed);
        await page.getByTestId('diff-run').click();
        await expect(page.getByTestId('diff-result')).toHaveAttribute('data-diverged', 'true');
        await expect(page.locator('tr[data-differs="true"]').first()).toBeVisible();
        await shot('10-diff');
      });
    });
  });
}
