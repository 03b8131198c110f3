/**
 * The HTML report as a browser lays it out at 1280×800: the page never scrolls sideways (wide
 * tables scroll inside their own box), and the latency histograms' axis labels, measured by
 * the browser, do not overlap. The report is the engine's own HTML for a wide run; no lab runs.
 */
import { expect, test } from '@playwright/test';
import { renderReportHtml } from '../../src/main/engine/trace/report-html';
import { wideReport } from '../unit/trace/wide-report';

test.use({ viewport: { width: 1280, height: 800 } });

test('the report fits 1280 px and its histogram labels do not overlap', async ({ page }) => {
  await page.setContent(renderReportHtml(wideReport()));
  const fit = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(fit.scrollWidth).toBeLessThanOrEqual(fit.innerWidth);
  await page.screenshot({ path: 'test-results/screenshots/report-1280.png', fullPage: true });
  // The widest table is wider than the window: it scrolls in its box, the page does not.
  const boxes = await page
    .locator('.scroll')
    .evaluateAll((els) => els.map((el) => ({ scroll: el.scrollWidth, client: el.clientWidth })));
  expect(boxes.some((box) => box.scroll > box.client)).toBe(true);

  const histograms = await page.locator('.hist svg').evaluateAll((svgs) =>
    svgs.map((svg) => {
      const frame = svg.getBoundingClientRect();
      const labels = [...svg.querySelectorAll('text.axis')].map((t) => {
        const r = t.getBoundingClientRect();
        return { text: t.textContent ?? '', left: r.left, right: r.right };
      });
      return { left: frame.left, right: frame.right, labels };
    }),
  );
  expect(histograms.length).toBeGreaterThan(1);
  for (const svg of histograms) {
    expect(svg.labels.length).toBeGreaterThan(2);
    for (const label of svg.labels) {
      expect(label.text).toMatch(/^[\d.,]+ (ms|s|min|h|d)$/);
      expect(label.left).toBeGreaterThanOrEqual(svg.left);
      expect(label.right).toBeLessThanOrEqual(svg.right);
    }
    for (let i = 1; i < svg.labels.length; i += 1)
      expect(svg.labels[i - 1]!.right).toBeLessThan(svg.labels[i]!.left);
  }
});
