import { readFile } from 'node:fs/promises';
import type { Download, Page } from '@playwright/test';
import { expect, test } from './fixtures';

const shot = (name: string) => `test-results/screenshots/${name}.png`;

async function downloaded(page: Page, click: () => Promise<void>): Promise<[Download, string]> {
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 10_000 }),
    click(),
  ]);
  const file = await download.path();
  return [download, await readFile(file, 'utf8')];
}

async function sendAndWaitAcked(page: Page, count: number) {
  const send = page.getByTestId('send-button');
  for (let i = 0; i < count; i++) {
    await expect(send).toBeEnabled({ timeout: 10_000 });
    await send.click();
  }
  await expect(page.getByTestId('message-row').first()).toHaveAttribute('data-state', 'acked', {
    timeout: 15_000,
  });
}

test('exports the trace, the subscriptions and the flow chart', async ({ page, lab }) => {
  test.setTimeout(60_000);
  await page.goto(lab.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
  await expect(page.getByTestId('subscription-row')).toHaveCount(1);
  await sendAndWaitAcked(page, 2);

  // The export tools sit behind the nav bar's Export menu (it stays open while one is used).
  await page.getByTestId('export-menu').click();
  const [trace, jsonl] = await downloaded(page, () => page.getByTestId('export-trace').click());
  expect(trace.suggestedFilename()).toMatch(/^push-lab-trace-\d{8}-\d{6}\.jsonl$/);
  const lines = jsonl.trimEnd().split('\n');
  expect(JSON.parse(lines[0]!)).toEqual({
    type: 'push-lab-trace',
    version: 1,
    scenario: null,
    seed: null,
    clockMode: 'real',
    pushLabVersion: '0.1.0',
  });
  const events = lines.slice(1).map((l) => JSON.parse(l) as { seq: number; kind: string });
  expect(events.length).toBeGreaterThan(3);
  expect(events.map((e) => e.kind)).toContain('message.acked');
  // In order, gap-free.
  for (let i = 1; i < events.length; i++) expect(events[i]!.seq).toBe(events[i - 1]!.seq + 1);

  const [csv, text] = await downloaded(page, () =>
    page.getByTestId('export-subscriptions').click(),
  );
  expect(csv.suggestedFilename()).toMatch(/\.csv$/);
  const records = text.split('\r\n');
  expect(records[0]).toBe('id,owner,profile,createdAt_ms,outstanding,lastDeliveryAt_ms,state');
  expect(records[1]).toMatch(/,active$/);
  // Whole numbers for a spreadsheet, the unit in the header: no float in any cell.
  expect(records[1]).not.toMatch(/\d\.\d/);
  expect(records).toHaveLength(3); // one subscription, and the empty string after the last CRLF

  // The engine's report of the lab so far, self-contained HTML.
  const [reportFile, html] = await downloaded(page, () =>
    page.getByTestId('export-report').click(),
  );
  expect(reportFile.suggestedFilename()).toMatch(/^push-lab-report-\d{8}-\d{6}\.html$/);
  expect(html).toMatch(/^<!doctype html>/i);
  expect(html).toContain('No invariant violations');
  expect(html).not.toMatch(/<script/i);

  // The native menu's File → Export items arrive as a window event (simulated here).
  const [, viaMenu] = await downloaded(page, () =>
    page.evaluate(() => {
      window.dispatchEvent(new CustomEvent('push-lab:export', { detail: 'subscriptions' }));
    }),
  );
  expect(viaMenu.split('\r\n')[0]).toBe(
    'id,owner,profile,createdAt_ms,outstanding,lastDeliveryAt_ms,state',
  );

  // The sequence chart button appears on the Flows view only.
  await expect(page.getByTestId('export-flow')).toHaveCount(0);
  await page.getByTestId('nav-flows').click();
  await expect(page.getByTestId('flow-arrow').first()).toBeVisible({ timeout: 10_000 });
  await page.getByTestId('export-menu').click();
  const [svgFile, svg] = await downloaded(page, () => page.getByTestId('export-flow').click());
  expect(svgFile.suggestedFilename()).toMatch(/\.svg$/);
  expect(svg.startsWith('<?xml')).toBe(true);
  expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
  expect(svg).toContain('style="');
  expect(svg).toContain('data-testid="flow-arrow"');
});

test('theme, presentation mode and keyboard shortcuts', async ({ page, lab }) => {
  test.setTimeout(60_000);
  await page.goto(lab.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
  const html = page.locator('html');
  await expect(html).toHaveAttribute('data-theme', 'system');

  // The theme switch and the presentation toggle.
  await page.getByTestId('theme-select').selectOption('dark');
  await expect(html).toHaveAttribute('data-theme', 'dark');
  const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  expect(bg).toBe('rgb(20, 22, 26)');
  await page.screenshot({ path: shot('dark'), fullPage: true });
  await page.getByTestId('theme-select').selectOption('light');
  await expect(html).toHaveAttribute('data-theme', 'light');

  await page.getByTestId('presentation-toggle').click();
  await expect(html).toHaveClass(/\bpresentation\b/);
  const fontSize = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
  expect(parseFloat(fontSize)).toBeCloseTo(18.9, 1);
  await page.screenshot({ path: shot('presentation'), fullPage: true });

  // Settings survive a reload (localStorage).
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'light');
  await expect(html).toHaveClass(/\bpresentation\b/);

  // Keys: "p" toggles presentation mode, "t" cycles the theme.
  await page.keyboard.press('p');
  await expect(html).not.toHaveClass(/\bpresentation\b/);
  await page.keyboard.press('t');
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await page.keyboard.press('t');
  await expect(html).toHaveAttribute('data-theme', 'system');

  // Digits switch views in nav order.
  await page.keyboard.press('2');
  await expect(page.getByTestId('nav-topology')).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('3');
  await expect(page.getByTestId('nav-subscriptions')).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('1');
  await expect(page.getByTestId('nav-overview')).toHaveAttribute('aria-pressed', 'true');

  // Keys typed into a field are text, not shortcuts.
  await sendAndWaitAcked(page, 1);
  await page.keyboard.press('/');
  await expect(page.getByTestId('nav-log')).toHaveAttribute('aria-pressed', 'true');
  const search = page.getByTestId('log-search');
  await expect(search).toBeFocused();
  await page.keyboard.type('2t');
  await expect(search).toHaveValue('2t');
  await expect(page.getByTestId('nav-log')).toHaveAttribute('aria-pressed', 'true');
  await expect(html).toHaveAttribute('data-theme', 'system');
  await search.fill('');

  // Esc closes the inspector opened from the log.
  await page.locator('[data-testid="log-row"].log-row-message').first().click();
  await expect(page.getByTestId('inspector')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('inspector')).toHaveCount(0);
});
