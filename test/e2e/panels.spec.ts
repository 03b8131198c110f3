/**
 * The views a presenter reads at 1280×800 (issue 14): the inspector docked beside the views
 * (their toolbars stay clickable; it opens from every kind of message row), topology details
 * and a legible expanded fleet, Flows with 20+ lanes scrolling under sticky lane headers, Log
 * rows that expand and collapse, and a tab row one line high.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, test, useScenario } from './fixtures';

const SHOTS = 'test-results/screenshots';

useScenario(
  'panels',
  `
name: Panels e2e
seed: 7
duration: 10m
clock: { mode: real }
services: [{ id: ps1 }]
userAgents: [{ id: phone, count: 20, service: ps1 }]
appServers: [{ id: as, service: ps1, traffic: { pattern: constant, ratePerSecond: 8 } }]
`,
);

test.use({ viewport: { width: 1280, height: 800 } });

/** True when the element's centre is the element itself on screen (nothing covers it). */
async function uncovered(page: Page, target: Locator): Promise<boolean> {
  const box = (await target.boundingBox())!;
  return page.evaluate(
    ([x, y, id]) => {
      const hit = document.elementFromPoint(x!, y!);
      return hit !== null && hit.closest(`[data-testid="${id}"]`) !== null;
    },
    [box.x + box.width / 2, box.y + box.height / 2, await target.getAttribute('data-testid')] as [
      number,
      number,
      string,
    ],
  );
}

async function tabRowIsOneLine(page: Page): Promise<void> {
  const tops = await page
    .locator('nav.nav-bar .nav-item, nav.nav-bar .nav-tools > *')
    .evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().top)));
  // Every tab and tool starts on the same line (within a few pixels of alignment).
  expect(Math.max(...tops) - Math.min(...tops)).toBeLessThanOrEqual(8);
  const nav = (await page.locator('nav.nav-bar').boundingBox())!;
  const tab = (await page.getByTestId('nav-overview').boundingBox())!;
  expect(nav.height).toBeLessThan(tab.height * 1.6);
}

test('the inspector docks beside the views and opens from every message row', async ({
  page,
  lab,
}) => {
  test.setTimeout(90_000);
  await page.goto(lab.url);
  await expect(page.getByTestId('message-row').first()).toBeVisible({ timeout: 30_000 });

  // From Overview's queue.
  const inspector = page.getByTestId('inspector');
  const row = page.getByTestId('message-row').first();
  await row.focus();
  await page.keyboard.press('Enter');
  await expect(inspector).toBeVisible();
  // Docked: the views' column ends where the inspector starts; the tab row's tools stay
  // clickable and the tab row one line.
  const dock = (await inspector.boundingBox())!;
  const content = (await page.locator('.app-content').boundingBox())!;
  expect(content.x + content.width).toBeLessThanOrEqual(dock.x + 1);
  expect(dock.x + dock.width).toBeLessThanOrEqual(1280);
  await tabRowIsOneLine(page);
  await expect(page.getByTestId('inspector-hex')).toBeVisible();
  // The hex dump fits the dock: nothing to scroll sideways, every line whole.
  const hex = page.getByTestId('inspector-hex');
  expect(await hex.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);

  // From the Log, whose search box stays usable beside the dock.
  await page.keyboard.press('Escape');
  await expect(inspector).toHaveCount(0);
  await page.getByTestId('nav-log').click();
  await page.getByTestId('log-pause').click();
  const logRow = page.locator('[data-testid="log-row"][data-kind="message.received"]').last();
  await logRow.click();
  await expect(inspector).toBeVisible();
  const logId = (await page.locator('.inspector-header code').innerText()).trim();
  expect(logId).toMatch(/^ps1\.m\d+$/);
  expect(await uncovered(page, page.getByTestId('log-pause'))).toBe(true);
  await page.getByTestId('log-pause').click();

  // From Flows: its Export menu (with the sequence chart) is clickable beside the dock.
  await page.getByTestId('nav-flows').click();
  await page.getByTestId('flows-mode-window').click();
  const arrow = page.locator('[data-testid="flow-arrow"][data-message-id]').first();
  await expect(arrow).toBeVisible({ timeout: 10_000 });
  const arrowId = await arrow.getAttribute('data-message-id');
  await arrow.locator('.flow-hit').click({ force: true });
  await expect(page.locator('.inspector-header code')).toHaveText(arrowId!);
  // By keyboard too: Enter on another message's arrow opens that one.
  const other = page
    .locator(`g.flow-clickable[role="button"]:not(:has([data-message-id="${arrowId}"]))`)
    .first();
  const otherId = await other.locator('[data-message-id]').getAttribute('data-message-id');
  await other.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('.inspector-header code')).toHaveText(otherId!);
  expect(await uncovered(page, page.getByTestId('export-menu'))).toBe(true);
  await page.getByTestId('export-menu').click();
  await expect(page.getByTestId('export-flow')).toBeVisible();
  expect(await uncovered(page, page.getByTestId('export-flow'))).toBe(true);
  expect(await uncovered(page, page.getByTestId('export-report'))).toBe(true);
  await tabRowIsOneLine(page);
  await page.screenshot({ path: `${SHOTS}/panels-inspector-docked.png` });

  // Resizing by keyboard widens the dock and narrows the views.
  const before = (await inspector.boundingBox())!.width;
  await page.getByTestId('inspector-resize').focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect.poll(async () => (await inspector.boundingBox())!.width).toBeGreaterThan(before);

  await inspector.getByTestId('inspector-close').click();
  await expect(inspector).toHaveCount(0);
});

test('topology: a node shows its facts; an expanded fleet of 20 stays legible', async ({
  page,
  lab,
}) => {
  test.setTimeout(60_000);
  await page.goto(lab.url);
  await page.getByTestId('nav-topology').click();
  const group = page.locator('[data-testid="topology-node"][data-group="user-agent:phone"]');
  await expect(group).toBeVisible({ timeout: 20_000 });
  await expect(group).toContainText('20/20 connected', { timeout: 20_000 });
  await group.click();
  const phones = page.locator('[data-testid="topology-node"][data-kind="user-agent"]');
  await expect(phones).toHaveCount(20);

  // Every label's size on screen: its computed font-size times the view's zoom.
  await expect
    .poll(async () => {
      const zoom = await page
        .locator('.react-flow__viewport')
        .evaluate((el) => new DOMMatrixReadOnly(getComputedStyle(el).transform).a);
      const px = await page
        .locator('.topo-node-label')
        .first()
        .evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
      return px * zoom;
    })
    .toBeGreaterThanOrEqual(11);
  await page.screenshot({ path: `${SHOTS}/panels-topology-fleet.png` });

  // A phone's details: kind, state, link, subscriptions, queue, energy, from the model.
  await page.locator('[data-testid="topology-node"][data-node-id="a:phone-3"]').click();
  const details = page.getByTestId('topology-details');
  await expect(details).toBeVisible();
  await expect(details).toHaveAttribute('data-node-id', 'a:phone-3');
  await expect(details.getByTestId('topology-detail-kind')).toHaveText('user agent');
  await expect(details.getByTestId('topology-detail-state')).toHaveText('connected');
  await expect(details.getByTestId('topology-detail-link')).toContainText(/up|impaired|down/);
  await expect(details.getByTestId('topology-detail-subscriptions')).toContainText(/1 active of 1/);
  await expect(details.getByTestId('topology-detail-queued')).toHaveText(/^\d+ messages$/);
  await expect(details.getByTestId('topology-detail-energy')).toBeVisible();
  // The service's details count its agents; Enter on a focused node opens them as a click does.
  await page.locator('.react-flow__node[data-id="s:ps1"]').focus();
  await page.keyboard.press('Enter');
  await expect(details).toHaveAttribute('data-node-id', 's:ps1');
  await expect(details.getByTestId('topology-detail-kind')).toHaveText('push service (rfc8030)');
  await details.getByTestId('topology-details-close').click();
  await expect(details).toHaveCount(0);
});

test('flows with 20+ lanes scroll sideways under sticky lane headers', async ({ page, lab }) => {
  test.setTimeout(60_000);
  await page.goto(lab.url);
  await page.getByTestId('nav-flows').click();
  await page.getByTestId('flows-mode-window').click();
  const header = page.getByTestId('flow-lane-header');
  // 20 phones, the service and the application server.
  await expect
    .poll(() => header.locator('[data-lane]').count(), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(20);
  await tabRowIsOneLine(page);
  // Paused, so the lanes hold still while the chart is scrolled and measured: running, the
  // window's lanes change with every batch (a lane added after the scroll lies past it).
  await page.getByTestId('run-pause').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'paused');

  const scroller = page.getByTestId('flows-scroll');
  const view = (await page.locator('.flows-view').boundingBox())!;
  expect(view.x + view.width).toBeLessThanOrEqual(1280);
  expect(await scroller.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);

  // Scrolled right and down: the header is still at the scroller's top, and the last lane's
  // name is in sight.
  await scroller.evaluate((el) => el.scrollTo({ left: el.scrollWidth, top: el.scrollHeight }));
  const box = (await scroller.boundingBox())!;
  await expect
    .poll(async () => Math.abs((await header.boundingBox())!.y - box.y))
    .toBeLessThanOrEqual(2);
  const last = header.locator('[data-lane]').last().locator('.flow-lane-label');
  const lastBox = (await last.boundingBox())!;
  expect(lastBox.x).toBeGreaterThanOrEqual(box.x);
  expect(lastBox.x + lastBox.width).toBeLessThanOrEqual(box.x + box.width);
  expect(lastBox.y).toBeGreaterThanOrEqual(box.y);
  // …and the times are still at its left edge, in the column that sticks there.
  const times = page.getByTestId('flow-time-column');
  expect(Math.abs((await times.boundingBox())!.x - box.x)).toBeLessThanOrEqual(2);
  const time = times.locator('.flow-time').last();
  await expect(time).toHaveText(/^[+-]?\d/);
  const timeBox = (await time.boundingBox())!;
  expect(timeBox.x).toBeGreaterThanOrEqual(box.x);
  expect(timeBox.x + timeBox.width).toBeLessThanOrEqual(box.x + 96);
  // An arrow's head is as big selected (a thicker line) as not: sized in the page's units.
  const head = page.locator('#flow-head');
  await expect(head).toHaveAttribute('markerUnits', 'userSpaceOnUse');
  await page.screenshot({ path: `${SHOTS}/panels-flows-scrolled.png` });
});

test('a long log row expands to its full text and collapses', async ({ page, lab }) => {
  test.setTimeout(60_000);
  await page.goto(lab.url);
  await page.getByTestId('nav-log').click();
  await expect(page.getByTestId('log-row').first()).toBeVisible({ timeout: 20_000 });
  await tabRowIsOneLine(page);
  await page.getByTestId('log-pause').click();
  // message.accepted carries the longest details (TTLs, urgency, size, receipt, sender…).
  const row = page.locator('[data-testid="log-row"][data-kind="message.accepted"]').last();
  const rest = row.getByTestId('log-rest');
  const cut = await rest.evaluate((el) => el.scrollWidth > el.clientWidth);
  const oneLine = (await row.boundingBox())!.height;

  // → expands, in place: the row grows to show the text whole, the next row moves down.
  await row.focus();
  await page.keyboard.press('ArrowRight');
  await expect(row).toHaveAttribute('aria-expanded', 'true');
  await expect.poll(async () => (await row.boundingBox())!.height).toBeGreaterThan(oneLine);
  expect(await rest.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  const seq = Number(await row.getAttribute('data-seq'));
  const next = page.locator(`[data-testid="log-row"][data-seq="${seq + 1}"]`);
  const rowBox = (await row.boundingBox())!;
  const nextBox = (await next.boundingBox())!;
  expect(nextBox.y).toBeGreaterThanOrEqual(rowBox.y + rowBox.height - 1);
  await page.screenshot({ path: `${SHOTS}/panels-log-expanded.png` });

  // ← collapses it to one line again.
  await page.keyboard.press('ArrowLeft');
  await expect(row).toHaveAttribute('aria-expanded', 'false');
  await expect.poll(async () => (await row.boundingBox())!.height).toBe(oneLine);
  expect(await rest.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(cut);

  // The disclosure mark toggles it by mouse; it does not open the inspector.
  await row.getByTestId('log-expand').click();
  await expect(row).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByTestId('inspector')).toHaveCount(0);
  await row.getByTestId('log-expand').click();
  await expect(row).toHaveAttribute('aria-expanded', 'false');
});

test('the tab row stays one line at 1280 px in every view, presentation mode too', async ({
  page,
  lab,
}) => {
  test.setTimeout(60_000);
  await page.goto(lab.url);
  for (const view of ['overview', 'flows', 'recordings']) {
    await page.getByTestId(`nav-${view}`).click();
    await tabRowIsOneLine(page);
  }
  await page.getByTestId('presentation-toggle').click();
  await tabRowIsOneLine(page);
  // Digit keys still pick views, and the picked tab is scrolled into sight.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('1');
  await page.keyboard.press('0');
  const recordings = page.getByTestId('nav-recordings');
  await expect(recordings).toHaveAttribute('aria-pressed', 'true');
  const strip = (await page.getByTestId('views-strip').boundingBox())!;
  const tab = (await recordings.boundingBox())!;
  expect(tab.x + tab.width).toBeLessThanOrEqual(strip.x + strip.width + 1);
  await page.keyboard.press('2');
  await expect(page.getByTestId('nav-topology')).toHaveAttribute('aria-pressed', 'true');
  await page.screenshot({ path: `${SHOTS}/panels-tabs-presentation.png` });
});
