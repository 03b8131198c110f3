/**
 * Browser mode touches only its folders: `web --workspace DIR` saves scenarios there, and a
 * path outside is refused with a sentence the scenario view shows (issue 10, item 2).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';

/** Made by the lab itself on start. */
const workspace = path.join(os.tmpdir(), `push-lab-e2e-workspace-${process.pid}`);
test.use({ labArgs: ['--workspace', workspace] });
test.afterAll(() => rmSync(workspace, { recursive: true, force: true }));

test('saves into the chosen workspace and refuses paths outside it', async ({ page, lab }) => {
  await page.goto(lab.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
  await page.getByTestId('nav-scenario').click();
  await page.getByTestId('scenario-example-smoke').click();
  const yaml = page.getByTestId('scenario-text');
  await expect(yaml).toHaveValue(/^name: Smoke$/m);

  await page.getByTestId('scenario-path').fill('mine.yaml');
  await page.getByTestId('scenario-save-as').click();
  await expect(page.getByTestId('scenario-notice')).toContainText('Saved');
  expect(readFileSync(path.join(workspace, 'mine.yaml'), 'utf8')).toBe(await yaml.inputValue());

  const outside = path.join(os.tmpdir(), `push-lab-e2e-evil-${process.pid}.sh`);
  await page.getByTestId('scenario-path').fill(outside);
  await page.getByTestId('scenario-save-as').click();
  await expect(page.getByTestId('scenario-notice')).toContainText(
    `"${outside}" is outside the folders Push Lab may write: the workspace ${workspace}`,
  );
  expect(existsSync(outside)).toBe(false);

  await page.getByTestId('scenario-path').fill('/etc/passwd');
  await page.getByTestId('scenario-open').click();
  await expect(page.getByTestId('scenario-notice')).toContainText(
    '"/etc/passwd" is outside the folders Push Lab may read',
  );
  await expect(yaml).not.toHaveValue(/root:/);
});
