/**
 * The workbench loop in browser mode: load an example in the Scenario view, edit it with the
 * form and watch the YAML follow, see a bad value named under its field, save it to disk, run
 * it and drive the run from the run bar (pause, step, resume, space, speed, stop).
 */
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const shot = (name: string) => `test-results/screenshots/${name}.png`;

/** The lab keeps its recent files here, not in the user's own data directory. */
const dataDir = path.join(os.tmpdir(), `push-lab-e2e-scenario-${process.pid}`);
test.use({ labArgs: ['--data', dataDir] });
// After the lab has stopped (it may write there until then).
test.afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/**
 * Whether the run bar's time (HH:MM:SS.mmm) is the timeline's end (MM:SS.t, tenths floored);
 * the texts are returned when they disagree, to show in the failure.
 */
async function nowShown(page: Page): Promise<{ agree: true } | { bar: string; timeline: string }> {
  const bar = (await page.getByTestId('run-elapsed').textContent()) ?? '';
  const timeline = (await page.getByTestId('timeline-position').textContent()) ?? '';
  const [h, m, sec] = bar.split(':').map(Number) as [number, number, number];
  const tenths = Math.floor(Math.round((h * 3600 + m * 60 + sec) * 1000) / 100);
  const seconds = Math.floor(tenths / 10);
  const two = (n: number) => String(n).padStart(2, '0');
  const minutes = `${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}.${tenths % 10}`;
  const end = h > 0 ? `${h}:${minutes}` : minutes;
  return timeline.includes(`/ ${end} ·`) ? { agree: true } : { bar, timeline };
}

/** The 1-based line the textarea's caret is on. */
function caretLine(page: Page): Promise<number> {
  return page
    .getByTestId('scenario-text')
    .evaluate((el: HTMLTextAreaElement) => el.value.slice(0, el.selectionStart).split('\n').length);
}

test('edit, check, save and run a scenario, then drive the run', async ({ page, lab }) => {
  test.setTimeout(120_000);
  // The workspace: the engine saves scenarios there and nowhere else.
  const file = path.join(dataDir, 'scenarios', 'smoke-edited.yaml');
  try {
    await page.goto(lab.url);
    await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
    await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'running');
    await expect(page.getByTestId('run-mode')).toHaveText('sandbox');

    // Open: one click on an example loads it.
    await page.getByTestId('nav-scenario').click();
    await page.getByTestId('scenario-example-smoke').click();
    const yaml = page.getByTestId('scenario-text');
    await expect(yaml).toHaveValue(/^name: Smoke$/m);
    await expect(page.getByTestId('scenario-valid')).toBeVisible();
    await expect(page.getByTestId('scenario-dirty')).toHaveCount(0);

    // The form edits the YAML in place; the rest of the text stays as it was.
    const before = await yaml.inputValue();
    await page.getByTestId('scenario-field-seed').fill('4242');
    await expect(yaml).toHaveValue(before.replace(/^seed: .*$/m, 'seed: 4242'));
    await expect(page.getByTestId('scenario-dirty')).toBeVisible();

    // A bad value: named under its field and in the list; the list takes the caret there.
    const count = page.getByTestId('scenario-field-userAgents.0.count');
    await count.fill('-1');
    await expect(yaml).toHaveValue(/^ {4}count: -1$/m);
    const fieldError = page.getByTestId('scenario-field-error');
    await expect(fieldError).toHaveCount(1);
    await expect(fieldError).toContainText('userAgents.0.count');
    await expect(fieldError).toContainText('-1');
    const problem = page.getByTestId('scenario-problem').first();
    await expect(problem).toContainText('userAgents.0.count');
    const countLine = (await yaml.inputValue()).split('\n').indexOf('    count: -1') + 1;
    await problem.click();
    expect(await caretLine(page)).toBe(countLine);

    await count.fill('3');
    await expect(fieldError).toHaveCount(0);
    await expect(page.getByTestId('scenario-valid')).toContainText('3 user agents');

    // Save as: the file on disk is the editor's text.
    await page.getByTestId('scenario-path').fill(file);
    await page.getByTestId('scenario-save-as').click();
    await expect(page.getByTestId('scenario-notice')).toContainText('Saved');
    await expect(page.getByTestId('scenario-dirty')).toHaveCount(0);
    await expect(page.getByTestId('scenario-recent')).toHaveText(['smoke-edited.yaml']);
    const saved = readFileSync(file, 'utf8');
    expect(saved).toBe(await yaml.inputValue());
    expect(saved).toMatch(/^seed: 4242$/m);
    expect(saved).toMatch(/^description: Two phones on a jittery 4G link/m);
    await page.screenshot({ path: shot('scenario'), fullPage: true });

    // Run it: the run bar follows, and the views show the scenario's lab.
    await page.getByTestId('scenario-run').click();
    const state = page.getByTestId('run-state');
    await expect(state).toHaveAttribute('data-state', 'running');
    await expect(page.getByTestId('run-mode')).toHaveText('run');
    await expect(page.getByTestId('run-name')).toHaveText('Smoke');
    await expect(page.getByTestId('run-seed')).toHaveText('4242');
    await page.getByTestId('nav-subscriptions').click();
    await expect(page.getByTestId('subscription-row').first()).toBeVisible();
    // The run's radios are metered: joules per device class, live.
    await page.getByTestId('nav-metrics').click();
    await expect(page.getByTestId('metric-energy')).toContainText(
      /user-agent:lte [\d.,]+ (mJ|J|kJ)/,
      {
        timeout: 15_000,
      },
    );
    await expect(page.locator('[data-testid="metric-energy"] canvas').first()).toBeAttached();

    // Pause, then step: the run stays paused and moves on.
    await page.getByTestId('run-pause').click();
    await expect(state).toHaveAttribute('data-state', 'paused');
    await expect(page.getByTestId('run-resume')).toBeEnabled();
    await expect(page.getByTestId('run-pause')).toBeDisabled();
    const readout = async () =>
      `${await page.getByTestId('run-elapsed').textContent()} ${await page.getByTestId('run-events').textContent()}`;
    const paused = await readout();
    await expect
      .poll(
        async () => {
          await page.getByTestId('run-step').click();
          return readout();
        },
        { timeout: 15_000 },
      )
      .not.toBe(paused);
    await expect(state).toHaveAttribute('data-state', 'paused');
    // Paused, the run bar and the timeline show one "now": the lab time of the last event.
    await expect.poll(() => nowShown(page), { timeout: 5_000 }).toEqual({ agree: true });
    await page.screenshot({ path: shot('run-controls') });

    await page.getByTestId('run-resume').click();
    await expect(state).toHaveAttribute('data-state', 'running');

    // Space pauses and resumes (when not typing).
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Space');
    await expect(state).toHaveAttribute('data-state', 'paused');
    await page.keyboard.press('Space');
    await expect(state).toHaveAttribute('data-state', 'running');

    // A speed other than the current one; the select shows what the engine then reports.
    const speed = page.getByTestId('run-speed');
    const other = (await speed.inputValue()) === '60' ? '600' : '60';
    await speed.selectOption(other);
    await expect(speed).toHaveValue(other);

    await page.getByTestId('run-stop').click();
    await expect(state).toHaveAttribute('data-state', 'stopped');
    await expect(page.getByTestId('run-stop')).toBeDisabled();
    await expect(page.getByTestId('run-notice')).toHaveCount(0);
  } finally {
    rmSync(file, { force: true });
  }
});
