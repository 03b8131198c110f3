/**
 * The Links fault form says what is wrong at the field (issue 14): a negative latency's
 * problem appears under the latency field as it is typed, in plain words with the allowed
 * range, the Add button stays disabled while a field is wrong, and the problem goes as soon
 * as the value is right — then the fault is added.
 */
import { expect, linkRow, test, useScenario } from './fixtures';

useScenario(
  'fault-form',
  `
name: Fault form e2e
seed: 7
duration: 10m
clock: { mode: real }
services:
  - id: ps1
links:
  - id: cell
userAgents:
  - id: phone
    count: 1
    service: ps1
    link: cell
`,
);

test('a bad value is named under its field and the form cannot be sent until it is right', async ({
  page,
  lab,
}) => {
  await page.goto(lab.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
  await page.getByTestId('nav-links').click();
  const first = page.getByTestId('link-row').first();
  await expect(first).toBeVisible({ timeout: 15_000 });
  const linkId = (await first.getAttribute('data-link-id'))!;
  await linkRow(page, linkId).getByTestId('link-select').check();

  await page.getByTestId('fault-type').selectOption('latency');
  const save = page.getByTestId('link-fault-save');
  const latency = page.getByTestId('fault-attr-value').first();
  const errors = page.getByTestId('fault-field-error');
  // Left empty, the required latency is named under it.
  await expect(errors).toHaveText(['latency is required: from 0 to 3,600,000 ms']);
  await expect(save).toBeDisabled();

  await latency.fill('-5');
  const error = page.locator('[data-testid="fault-field-error"][data-field="attributes.latency"]');
  await expect(error).toHaveText('latency is from 0 to 3,600,000 ms, not -5');
  // Under the field, not under the button.
  const fieldBox = (await latency.boundingBox())!;
  const errorBox = (await error.boundingBox())!;
  const saveBox = (await save.boundingBox())!;
  expect(errorBox.y).toBeGreaterThanOrEqual(fieldBox.y + fieldBox.height - 1);
  expect(errorBox.y).toBeLessThan(saveBox.y);
  await expect(save).toBeDisabled();
  await expect(page.getByTestId('link-error')).toHaveCount(0);

  await page.getByTestId('fault-toxicity').fill('2');
  await expect(page.locator('[data-testid="fault-field-error"][data-field="toxicity"]')).toHaveText(
    'toxicity is the share of connections it applies to, from 0 to 1, not 2',
  );
  await page.getByTestId('fault-toxicity').fill('');
  await page.screenshot({ path: 'test-results/screenshots/fault-form.png', fullPage: true });

  // Right again: no stale problem, and the fault goes on.
  await latency.fill('120');
  await expect(errors).toHaveCount(0);
  await expect(save).toBeEnabled();
  await save.click();
  await expect(page.getByTestId('link-notice')).toContainText('1 link changed');
  await expect(
    linkRow(page, linkId).locator(
      '[data-testid="link-fault-chip"][data-fault-name="latency_downstream"]',
    ),
  ).toBeVisible();
});
