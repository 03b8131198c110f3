/**
 * The run bar tells the truth about the run (issue 14): a big fleet's start shows how far it
 * has come and Stop cancels it; once the lab's server is gone, the bar no longer says
 * "running" (the state is unknown) and no control is offered.
 */
import { expect, test } from './fixtures';

test('starting 5,000 agents shows their progress, and Stop cancels the start', async ({
  page,
  lab,
}) => {
  test.setTimeout(120_000);
  await page.goto(lab.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
  await page.getByTestId('nav-scenario').click();
  await page.getByTestId('scenario-example-flash-crowd').click();
  await expect(page.getByTestId('scenario-valid')).toBeVisible();
  await page.getByTestId('scenario-run').click();

  const state = page.getByTestId('run-state');
  const progress = page.getByTestId('run-starting');
  await expect(progress).toContainText(
    /of 5,000 agents connected · [\d,]+ of 5,000 subscriptions/,
    {
      timeout: 30_000,
    },
  );
  await expect(state).toHaveAttribute('data-state', 'starting');
  // It moves while the fleet starts.
  const first = await progress.textContent();
  await expect(progress).not.toHaveText(first!, { timeout: 30_000 });
  await page.screenshot({ path: 'test-results/screenshots/run-starting.png' });

  await expect(page.getByTestId('run-stop')).toBeEnabled();
  await page.getByTestId('run-stop').click();
  await expect(state).toHaveAttribute('data-state', 'stopped', { timeout: 60_000 });
  await expect(progress).toHaveCount(0);
});

test('a killed server: the run bar says the state is unknown, not running', async ({
  page,
  lab,
}) => {
  await page.goto(lab.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
  const state = page.getByTestId('run-state');
  await expect(state).toHaveAttribute('data-state', 'running');
  await expect(page.getByTestId('run-sandbox')).toBeDisabled();

  await lab.process.stop();
  await expect(page.getByTestId('connection-banner')).toBeVisible({ timeout: 15_000 });
  await expect(state).toHaveAttribute('data-state', 'unknown');
  await expect(state).not.toHaveText(/running/);
  await expect(state).toHaveAttribute(
    'title',
    /^Last seen running; the connection to the lab is lost/,
  );
  for (const control of ['run-pause', 'run-stop', 'run-rerun', 'run-speed']) {
    await expect(page.getByTestId(control)).toBeDisabled();
  }
  await page.screenshot({ path: 'test-results/screenshots/run-disconnected.png' });
});
