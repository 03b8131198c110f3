/**
 * The Log's rows are contained boxes laid out as flex columns (styles.css `.log-row`: the
 * browser repaints a row by itself and reuses the paint of rows that only moved). What that
 * must not change: a row whose state changes is drawn again, the columns keep the widths the
 * grid gave them (fixed, then 2 : 3), an expanded row pushes the rows below it down, and new
 * rows arriving while following are drawn with the filter applied to them.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, logCount, test, useScenario } from './fixtures';

useScenario(
  'log-rows-drawn',
  `
name: Log rows drawn e2e
seed: 5
duration: 10m
clock: { mode: real }
services: [{ id: ps1 }]
userAgents: [{ id: phone, count: 2, service: ps1 }]
appServers: [{ id: as, service: ps1, traffic: { pattern: constant, ratePerSecond: 4 } }]
`,
);

/** The pixels of a row, as the page draws them now. */
async function shot(page: Page, row: Locator): Promise<Buffer> {
  const box = (await row.boundingBox())!;
  return page.screenshot({ clip: box, animations: 'disabled', caret: 'hide' });
}

test('log rows are redrawn when they change, keep their columns and push rows below', async ({
  page,
  lab,
}) => {
  test.setTimeout(90_000);
  await page.goto(lab.url);
  await page.getByTestId('nav-log').click();
  const { count, total } = logCount(page);
  await expect.poll(total, { timeout: 30_000 }).toBeGreaterThan(40);

  // New rows, while following, are drawn with the filter applied to them.
  const newest = async (): Promise<number> =>
    Number(await page.getByTestId('log-row').last().getAttribute('data-seq'));
  await page.getByTestId('log-search').fill('message.acked');
  await expect(count).toContainText(' of ');
  const first = await newest();
  await expect.poll(newest, { timeout: 20_000 }).toBeGreaterThan(first);
  const kinds = await page
    .getByTestId('log-row')
    .evaluateAll((all) => all.map((r) => r.getAttribute('data-kind')));
  expect(new Set(kinds)).toEqual(new Set(['message.acked']));
  await page.getByTestId('log-search').fill('');
  await expect(count).not.toContainText(' of ');

  // Held still (paused), so a row is where it was between two screenshots.
  await page.getByTestId('log-pause').click();
  await page.mouse.move(0, 0);
  const rows = page.getByTestId('log-row');
  const row = rows.nth((await rows.count()) - 3);
  const seq = await row.getAttribute('data-seq');

  // The columns: fixed widths, then ids and details sharing the rest 2 : 3.
  const columns = await row.evaluate((el) =>
    [...el.children].map((c) => c.getBoundingClientRect().width),
  );
  const rem = await page.evaluate(() =>
    parseFloat(getComputedStyle(document.documentElement).fontSize),
  );
  expect(columns[0]).toBeCloseTo(1 * rem, 0);
  expect(columns[1]).toBeCloseTo(6.5 * rem, 0);
  expect(columns[2]).toBeCloseTo(12 * rem, 0);
  expect(columns[3]! / columns[4]!).toBeCloseTo(2 / 3, 1);
  // On one line, the ids 0.6rem apart, each read as its label and its (shortened) value.
  const ids = await row
    .locator('.log-ids > span')
    .evaluateAll((all) => all.map((c) => c.getBoundingClientRect()));
  expect(ids.length).toBeGreaterThan(1);
  expect(ids[1]!.left - ids[0]!.right).toBeCloseTo(0.6 * rem, 0);
  await expect(row.locator('.log-ids > span').first()).toHaveText(/^[a-z]+:\S+$/);

  // Selected (a message row opens its message), the row is drawn again, in its new colour.
  const before = await shot(page, row);
  await row.click();
  await expect(row).toHaveClass(/row-selected/);
  await page.mouse.move(0, 0);
  const selected = page.locator(`[data-testid="log-row"][data-seq="${seq}"]`);
  await expect.poll(async () => (await shot(page, selected)).equals(before)).toBe(false);

  // Expanded by keyboard, it grows and the next row starts where it ends.
  const next = page.locator(`[data-testid="log-row"][data-seq="${seq}"] + [data-testid="log-row"]`);
  const oneLine = (await selected.boundingBox())!.height;
  await selected.focus();
  await page.keyboard.press('ArrowRight');
  await expect(selected).toHaveAttribute('aria-expanded', 'true');
  await expect.poll(async () => (await selected.boundingBox())!.height).toBeGreaterThan(oneLine);
  await expect
    .poll(async () => {
      const grown = (await selected.boundingBox())!;
      return Math.abs((await next.boundingBox())!.y - (grown.y + grown.height));
    })
    .toBeLessThanOrEqual(1);
  await page.keyboard.press('ArrowLeft');
  await expect(selected).toHaveAttribute('aria-expanded', 'false');
  await expect.poll(async () => (await selected.boundingBox())!.height).toBe(oneLine);
});
