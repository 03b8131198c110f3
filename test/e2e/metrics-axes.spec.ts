/**
 * The Metrics charts read at every setting: in light and dark, with and without presentation
 * mode (larger type), each value axis's labels are whole on the canvas (nothing painted in
 * its leftmost columns, where a clipped label would run off), distinct, in the chart's unit,
 * and each header says what the chart shows, in which unit, over which window.
 */
import type { Page } from '@playwright/test';
import { expect, test, useScenario } from './fixtures';

const shot = (name: string) => `test-results/screenshots/metrics-axes-${name}.png`;

/** Per chart: a header phrase naming its unit and window, and the shape of its axis labels. */
const CHARTS = [
  { id: 'metric-deliveries', header: /per second, last 5 min/, label: /^[\d,.]+\/s$/ },
  {
    id: 'metric-latency',
    header: /p50 and p99 of each second, last 5 min/,
    label: /^[\d,.]+ (ms|s|min|h)$/,
  },
  { id: 'metric-queue', header: /count at each second, last 5 min/, label: /^[\d,]+$/ },
  { id: 'metric-losses', header: /per second, last 5 min/, label: /^[\d,.]+\/s$/ },
] as const;

/** What one chart's value axis shows and paints, read from the page. */
async function axisOf(page: Page, id: string) {
  return page.getByTestId(id).evaluate((section) => {
    const holder = section.querySelector<HTMLElement>('.metric-plot')!;
    const canvas = holder.querySelector('canvas')!;
    const over = holder.querySelector<HTMLElement>('.u-over')!;
    const ctx = canvas.getContext('2d')!;
    const scale = canvas.width / canvas.getBoundingClientRect().width;
    // The axis is the band left of the plot area.
    const axisW = Math.floor(over.offsetLeft * scale);
    const pixels = ctx.getImageData(0, 0, axisW, canvas.height).data;
    let painted = 0;
    let paintedAtEdge = 0;
    for (let y = 0; y < canvas.height; y++)
      for (let x = 0; x < axisW; x++) {
        if (pixels[(y * axisW + x) * 4 + 3]! === 0) continue;
        painted++;
        if (x < 2 * scale) paintedAtEdge++;
      }
    // The time labels, measured in the axis's own font, must fit side by side in the plot.
    const times = JSON.parse(holder.dataset['xLabels'] ?? '[]') as string[];
    const probe = document.createElement('canvas').getContext('2d')!;
    probe.font = holder.dataset['axisFont'] ?? '';
    const timeWidths = times.map((t) => probe.measureText(t).width);
    return {
      title: section.querySelector('.metric-title')?.textContent ?? '',
      labels: JSON.parse(holder.dataset['yLabels'] ?? '[]') as string[],
      times,
      timesWidth: timeWidths.reduce((a, b) => a + b, 0) + 4 * Math.max(0, times.length - 1),
      plotWidth: over.clientWidth,
      axisW,
      painted,
      paintedAtEdge,
    };
  });
}

/** Walks light/dark × presentation off/on and checks `charts` at each; a screenshot of each. */
async function checkEverySetting(
  page: Page,
  charts: readonly { id: string; header: RegExp; label: RegExp }[],
  name: string,
): Promise<void> {
  const html = page.locator('html');
  for (const theme of ['light', 'dark'] as const) {
    await page.getByTestId('theme-select').selectOption(theme);
    await expect(html).toHaveAttribute('data-theme', theme);
    for (const presentation of [false, true]) {
      const isOn = await html.evaluate((el) => el.classList.contains('presentation'));
      if (isOn !== presentation) await page.getByTestId('presentation-toggle').click();
      await expect(html).toHaveClass(presentation ? /\bpresentation\b/ : /^(?!.*\bpresentation\b)/);
      for (const chart of charts) {
        await expect
          .poll(async () => (await axisOf(page, chart.id)).labels.length, { timeout: 10_000 })
          .toBeGreaterThan(1);
        // A run a few seconds old spans one whole-second tick at presentation size: the time
        // axis gets its second label as the run goes on.
        await expect
          .poll(async () => (await axisOf(page, chart.id)).times.length, { timeout: 30_000 })
          .toBeGreaterThan(1);
        const axis = await axisOf(page, chart.id);
        const where = `${chart.id}, ${theme}${presentation ? ', presentation' : ''}`;
        expect(axis.title, where).toMatch(chart.header);
        for (const label of axis.labels) expect(label, where).toMatch(chart.label);
        expect(new Set(axis.labels).size, `${where}: distinct labels`).toBe(axis.labels.length);
        expect(axis.painted, `${where}: labels drawn`).toBeGreaterThan(0);
        expect(axis.paintedAtEdge, `${where}: a label runs off the left edge`).toBe(0);
        expect(axis.times.length, `${where}: time labels`).toBeGreaterThan(1);
        expect(new Set(axis.times).size, `${where}: distinct times`).toBe(axis.times.length);
        expect(axis.timesWidth, `${where}: time labels overlap`).toBeLessThan(axis.plotWidth);
      }
      await page.screenshot({
        path: shot(`${name}-${theme}${presentation ? '-presentation' : ''}`),
      });
    }
  }
}

test('metrics axes and headers read in both themes and in presentation mode', async ({
  page,
  lab,
}) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(lab.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
  await expect(page.getByTestId('subscription-row')).toHaveCount(1);
  const send = page.getByTestId('send-button');
  for (let i = 0; i < 6; i++) {
    await expect(send).toBeEnabled({ timeout: 10_000 });
    await send.click();
  }
  await expect(page.getByTestId('message-row').first()).toHaveAttribute('data-state', 'acked', {
    timeout: 15_000,
  });
  await page.getByTestId('nav-metrics').click();

  await checkEverySetting(page, CHARTS, 'sandbox');
});

/**
 * Latencies of seconds (a 6 s link latency): the axis reads "2 s … 6 s" where it read
 * "2,000 … 6,000" and clipped them, most of all in presentation mode.
 */
test.describe('a scenario with slow deliveries', () => {
  useScenario(
    'metrics-axes',
    `
name: Metrics axes e2e
description: One phone behind a link that holds every push for 6 s, in real time.
seed: 3
duration: 10m
clock: { mode: real }
services:
  - id: ps1
links:
  - id: slow
    faults:
      - { type: latency, attributes: { latency: 6000 } }
userAgents:
  - id: phone
    count: 1
    service: ps1
    link: slow
appServers:
  - id: news
    service: ps1
    traffic: { pattern: poisson, ratePerSecond: 2 }
    mix:
      ttl: [{ value: 600, share: 1 }]
`,
  );

  test('latency in seconds reads whole at every setting', async ({ page, lab }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(lab.url);
    await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
    await page.getByTestId('nav-metrics').click();
    await expect
      .poll(async () => (await axisOf(page, 'metric-latency')).labels.join(' '), {
        timeout: 60_000,
        intervals: [1000],
      })
      .toMatch(/\d s\b/);
    const latency = CHARTS.filter((c) => c.id === 'metric-latency');
    await checkEverySetting(page, latency, 'slow');
  });
});
