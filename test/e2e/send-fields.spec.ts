/**
 * The Send form says what is wrong at the field, in plain words, and keeps Send off until it
 * is right; an answer does not outlive the values it was about.
 */
import { expect, test } from './fixtures';

test('Send validates at the field and clears a stale answer', async ({ page, lab }) => {
  test.setTimeout(60_000);
  await page.goto(lab.url);
  await expect(page.getByTestId('subscription-row')).toHaveCount(1, { timeout: 30_000 });
  const ttl = page.getByTestId('send-ttl');
  const send = page.getByTestId('send-button');

  await ttl.fill('99999999999');
  await expect(page.getByTestId('send-ttl-problem')).toHaveText(
    'TTL is a whole number of seconds from 0 to 2,147,483,648 (about 68 years), not 99999999999',
  );
  await expect(ttl).toHaveAttribute('aria-invalid', 'true');
  await expect(send).toBeDisabled();
  await page.getByTestId('send-topic').fill('not a topic!');
  await expect(page.getByTestId('send-topic-problem')).toContainText('some not allowed');
  await page.screenshot({ path: 'test-results/screenshots/send-fields.png' });

  await ttl.fill('30');
  await page.getByTestId('send-topic').fill('');
  await expect(page.getByTestId('send-ttl-problem')).toHaveCount(0);
  await expect(page.getByTestId('send-topic-problem')).toHaveCount(0);
  await expect(send).toBeEnabled();
  await send.click();
  await expect(page.getByTestId('send-outcome')).toHaveAttribute('data-ok', 'true');

  // The answer was about TTL 30: changing a field takes it away.
  await ttl.fill('31');
  await expect(page.getByTestId('send-outcome')).toHaveText('');
});
