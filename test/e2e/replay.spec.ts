/**
 * Recordings and time travel in browser mode: the lab opens a recorded bundle; the timeline
 * travels (click, step, arrow keys); the Recordings view diffs a recording against its rerun
 * and against a run with another seed, shows the divergence in the flows, and opens a
 * damaged bundle with a warning and a dropped bundle by upload.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { expect, test } from './fixtures';

/** The lab's data directory: the engine opens recordings from its recordings folder only. */
const dataDir = path.join(os.tmpdir(), `push-lab-replay-e2e-${process.pid}`);
const dir = path.join(dataDir, 'recordings');
const bundle = path.join(dir, 'smoke.jsonl.gz');
const damaged = path.join(dir, 'damaged.jsonl.gz');
const otherSeed = path.join(dir, 'seed8.jsonl.gz');
const shot = (name: string) => `test-results/screenshots/${name}.png`;

test.use({ labArgs: ['--data', dataDir, bundle] });

test.beforeAll(() => {
  test.setTimeout(120_000);
  mkdirSync(dir, { recursive: true });
  const smoke = 'resources/scenarios/smoke.yaml';
  for (const args of [
    [smoke, '--bundle', bundle],
    [smoke, '--seed', '8', '--bundle', otherSeed],
  ]) {
    const run = runCli(['run', ...args, '--no-progress'], 60_000);
    expect(run.code, run.stderr).toBe(0);
  }
  // Cut the compressed file short: it opens up to its last intact event.
  const bytes = readFileSync(bundle);
  writeFileSync(damaged, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
});

test.afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test('the timeline travels through the recording', async ({ page, lab }) => {
  await page.goto(lab.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
  const timeline = page.getByTestId('timeline');
  await expect(timeline).toBeVisible();
  await expect(page.getByTestId('timeline-playhead')).toBeVisible();

  const position = page.getByTestId('timeline-position');
  const seqOf = async () => Number(await position.getAttribute('data-seq'));
  await expect(position).toHaveAttribute('data-travelling', 'false');
  const endSeq = await seqOf();
  expect(endSeq).toBeGreaterThan(100);
  const accepted = page.getByTestId('counter-accepted').locator('dd');
  const endAccepted = await accepted.textContent();
  expect(Number(endAccepted)).toBeGreaterThan(10);

  // The middle of the run: fewer messages accepted, an earlier event.
  const canvas = page.getByTestId('timeline-canvas');
  const box = (await canvas.boundingBox())!;
  await canvas.click({ position: { x: box.width / 2, y: 10 } });
  await expect(position).toHaveAttribute('data-travelling', 'true');
  await expect(accepted).not.toHaveText(endAccepted!);
  const middle = await seqOf();
  expect(middle).toBeGreaterThan(1);
  expect(middle).toBeLessThan(endSeq);

  // The recording carries its links: listed at the moment shown, nothing to edit.
  await page.getByTestId('nav-links').click();
  await expect(page.getByTestId('link-row').first()).toBeVisible();
  await expect(page.getByTestId('links-empty')).toHaveCount(0);
  await expect(page.getByTestId('link-editor')).toHaveAttribute('data-locked', 'true');
  await page.getByTestId('nav-overview').click();

  await page.getByTestId('timeline-step-forward').click();
  await expect(position).toHaveAttribute('data-seq', String(middle + 1));
  await page.getByRole('slider', { name: 'Timeline position' }).focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect(position).toHaveAttribute('data-seq', String(middle - 1));

  // Markers and violations: the smoke run has receipts and no violation.
  await page.getByTestId('timeline-prev-marker').click();
  await expect(position).not.toHaveAttribute('data-seq', String(middle - 1));
  // A recording has no "live" to go back to.
  await expect(page.getByTestId('timeline-live')).toHaveCount(0);
  await page.getByTestId('timeline-next-violation').click();
  await expect(page.getByTestId('timeline-note')).toContainText('No violation');

  // Play moves the moment on; pause holds it.
  const beforePlay = await seqOf();
  await page.getByTestId('timeline-play').click();
  await expect(position).not.toHaveAttribute('data-seq', String(beforePlay));
  await page.getByTestId('timeline-play').click();
  await expect(page.getByTestId('timeline-play')).toHaveAttribute('aria-pressed', 'false');
  await page.screenshot({ path: shot('timeline'), fullPage: true });
});

test('recordings: diff against a rerun and another seed, then show the divergence', async ({
  page,
  lab,
}) => {
  test.setTimeout(90_000);
  const again = path.join(dir, 'again.jsonl.gz');
  // A virtual run reruns identically, event for event (smoke's links shape bandwidth too).
  const rerun = runCli(['rerun', bundle, '--no-progress', '--bundle', again], 60_000);
  expect(rerun.code, rerun.stderr).toBe(0);

  await page.goto(lab.url);
  await page.getByTestId('nav-recordings').click();
  await expect(page.getByTestId('recordings-view')).toBeVisible();
  await expect(page.getByTestId('bundle-warning')).toHaveCount(0);

  await page.getByTestId('diff-a').fill(bundle);
  await page.getByTestId('diff-b').fill(again);
  await page.getByTestId('diff-run').click();
  await expect(page.getByTestId('diff-result')).toHaveAttribute('data-diverged', 'false');
  await expect(page.getByTestId('recordings-error')).toHaveCount(0);

  // The open recording against a run with another seed: side A is what the lab shows.
  await page.getByTestId('diff-a').fill(bundle);
  await page.getByTestId('diff-b').fill(otherSeed);
  await page.getByTestId('diff-run').click();
  await expect(page.getByTestId('diff-result')).toHaveAttribute('data-diverged', 'true');
  await expect(page.locator('tr[data-differs="true"]').first()).toBeVisible();
  await page.screenshot({ path: shot('recordings'), fullPage: true });

  // Travel to the divergent event (index + 1) and show it in the flows.
  const index = Number(
    /event index (\d+)/.exec(
      (await page.getByTestId('diff-divergence').locator('caption').textContent()) ?? '',
    )?.[1],
  );
  await page.getByTestId('diff-show-in-flows').click();
  await expect(page.getByTestId('nav-flows')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('timeline-position')).toHaveAttribute(
    'data-seq',
    String(index + 1),
  );
});

test('recordings: errors, a damaged bundle, and a dropped one', async ({ page, lab }) => {
  await page.goto(lab.url);
  await page.getByTestId('nav-recordings').click();

  await page.getByTestId('bundle-path').fill(path.resolve('resources/scenarios/smoke.yaml'));
  await page.getByTestId('bundle-open').click();
  await expect(page.getByTestId('recordings-error')).toContainText(/\w+ \w+/);

  await page.getByTestId('bundle-path').fill(damaged);
  await page.getByTestId('bundle-open').click();
  await expect(page.getByTestId('bundle-warning')).toBeVisible();
  await expect(page.getByTestId('recordings-error')).toHaveCount(0);
  // The count as a person reads it, thousands grouped: "1,234".
  const eventsShown = async () =>
    Number((await page.getByTestId('recording-events').textContent())!.replace(/,/g, ''));
  const cutEvents = await eventsShown();
  expect(cutEvents).toBeGreaterThan(0);

  // A browser cannot name a dropped file's path: the bytes are uploaded.
  const data = readFileSync(bundle).toString('base64');
  await page.evaluate((base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'dropped.jsonl.gz'));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, cancelable: true }));
  }, data);
  await expect(page.getByTestId('bundle-warning')).toHaveCount(0);
  await expect(page.getByTestId('recordings-notice')).toContainText('Opened');
  expect(await eventsShown()).toBeGreaterThan(cutEvents);
});

test.describe('a live lab', () => {
  test.use({ labArgs: [] });

  test('travels back with Send locked under the banner, then returns to live', async ({
    page,
    lab,
  }) => {
    await page.goto(lab.url);
    await page.getByTestId('send-button').click();
    await expect(page.getByTestId('message-row').first()).toHaveAttribute('data-state', 'acked');
    const position = page.getByTestId('timeline-position');
    await expect(page.getByTestId('timeline-playhead')).toBeVisible();

    await page.getByTestId('timeline-step-back').click();
    await expect(position).toHaveAttribute('data-travelling', 'true');
    await expect(page.getByTestId('timeline-live')).toBeVisible();
    // Sending changes the lab: locked while the past is shown, and the banner says so.
    await expect(page.getByTestId('travel-banner')).toBeVisible();
    await expect(page.getByTestId('send-button')).toBeDisabled();
    await page.getByTestId('travel-banner-live').click();
    await expect(position).toHaveAttribute('data-travelling', 'false');
    await expect(page.getByTestId('travel-banner')).toHaveCount(0);
    await page.getByTestId('send-button').click();
    await expect(page.locator('[data-testid="message-row"][data-state="acked"]')).toHaveCount(2);
  });
});
