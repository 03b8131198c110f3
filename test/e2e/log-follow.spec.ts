/**
 * The Log follows the newest event while scrolled to the bottom (with no scroll written per
 * batch: its scroller's origin is the bottom), keeps the rows being read in place when scrolled
 * up while events keep coming, and follows again once back at the bottom.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, logCount, test, useScenario } from './fixtures';

useScenario(
  'log-follow',
  `
name: Log follow e2e
seed: 3
duration: 10m
clock: { mode: real }
services: [{ id: ps1 }]
userAgents: [{ id: phone, count: 2, service: ps1 }]
appServers: [{ id: as, service: ps1, traffic: { pattern: constant, ratePerSecond: 4 } }]
`,
);

/** The seqs of the rows inside the list's visible box, in order. */
async function visibleSeqs(page: Page, list: Locator): Promise<number[]> {
  const box = (await list.boundingBox())!;
  const seqs: number[] = [];
  for (const row of await page.getByTestId('log-row').all()) {
    const r = await row.boundingBox();
    if (r && r.y >= box.y - 1 && r.y + r.height <= box.y + box.height + 1) {
      seqs.push(Number(await row.getAttribute('data-seq')));
    }
  }
  return seqs;
}

test('the log follows at the bottom, holds still when scrolled up, follows again', async ({
  page,
  lab,
}) => {
  test.setTimeout(90_000);
  await page.goto(lab.url);
  await page.getByTestId('nav-log').click();
  const list = page.getByTestId('log-list');
  const { total } = logCount(page);
  // More rows than the list shows.
  await expect.poll(total, { timeout: 30_000 }).toBeGreaterThan(120);

  // Following: the newest row is the last one in view.
  const newest = async (): Promise<number> => Math.max(...(await visibleSeqs(page, list)));
  const before = await newest();
  await expect.poll(newest).toBeGreaterThan(before);

  // Scrolled to the top, the oldest rows stay in view while events keep coming.
  const atBottom = await newest();
  await list.evaluate((el) => el.scrollTo({ top: -el.scrollHeight }));
  await expect.poll(async () => (await visibleSeqs(page, list))[0]).toBeLessThan(atBottom - 100);
  const held = await visibleSeqs(page, list);
  const grown = await total();
  await expect.poll(total).toBeGreaterThan(grown + 10);
  expect(await visibleSeqs(page, list)).toEqual(held);

  // Back at the bottom, it follows again.
  await list.evaluate((el) => el.scrollTo({ top: 0 }));
  const again = await newest();
  await expect.poll(newest).toBeGreaterThan(again);
  expect(await newest()).toBeGreaterThan(held[held.length - 1]!);
});
