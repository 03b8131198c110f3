import { expect, test } from './fixtures';

const SHOTS = 'test-results/screenshots';

test('log, inspector and flows show a message end to end', async ({ page, lab }) => {
  test.setTimeout(60_000);
  await page.goto(lab.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
  await expect(page.getByTestId('subscription-row')).toHaveCount(1);

  // Traffic: one message, all the way to acked.
  await page.getByTestId('send-button').click();
  await expect(page.getByTestId('message-row').first()).toHaveAttribute('data-state', 'acked');

  // Log: rows, "/" focuses the search box, kind filter.
  await page.getByTestId('nav-log').click();
  const rows = page.getByTestId('log-row');
  await expect(rows.first()).toBeVisible();
  await page.keyboard.press('/');
  await expect(page.getByTestId('log-search')).toBeFocused();
  await page.getByTestId('log-search').blur();

  await page.getByTestId('log-kind-message').click();
  await expect(page.locator('[data-testid="log-row"][data-kind="message.received"]')).toHaveCount(
    1,
  );
  const kinds = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-kind')));
  expect(kinds.length).toBeGreaterThan(0);
  expect(kinds.every((k) => k?.startsWith('message.'))).toBe(true);

  // Pause, make more traffic elsewhere, come back: the list is frozen and counts what is new.
  await page.getByTestId('log-pause').click();
  await expect(page.getByTestId('log-new-count')).toHaveText(/0 new/);
  const frozen = await rows.count();
  await page.getByTestId('nav-overview').click();
  await page.getByTestId('send-button').click();
  await expect(page.locator('[data-testid="message-row"][data-state="acked"]')).toHaveCount(2);
  await page.getByTestId('nav-log').click();
  await expect(page.getByTestId('log-new-count')).toHaveText(/[1-9]\d* new/);
  await expect(rows).toHaveCount(frozen);
  await page.getByTestId('log-pause').click();
  await expect(page.getByTestId('log-new-count')).toHaveCount(0);
  await expect(page.locator('[data-testid="log-row"][data-kind="message.received"]')).toHaveCount(
    2,
  );
  await page.screenshot({ path: `${SHOTS}/log.png`, fullPage: true });

  // A message row opens the inspector with the message's story and decrypted preview.
  await page.locator('[data-testid="log-row"][data-kind="message.received"]').first().click();
  const inspector = page.getByTestId('inspector');
  await expect(inspector).toBeVisible();
  await expect(page.getByTestId('inspector-preview')).toHaveText('Hello from Push Lab');
  // The body as the service received it (aes128gcm ciphertext, in hex) and, decrypted with
  // the user agent's keys, the whole plaintext.
  await expect(page.getByTestId('inspector-body')).toHaveAttribute('data-decryption', 'ok');
  await expect(page.getByTestId('inspector-hex')).toContainText(/^0000 {2}[0-9a-f]{2} /);
  await expect(page.getByTestId('inspector-plaintext')).toHaveText('Hello from Push Lab');
  const steps = inspector.getByTestId('inspector-step');
  for (const kind of ['message.accepted', 'message.pushed', 'message.received', 'message.acked']) {
    await expect(steps.and(page.locator(`[data-kind="${kind}"]`)).first()).toBeVisible();
  }
  await expect(page.getByTestId('inspector-state')).toHaveText('acked');
  await inspector.screenshot({ path: `${SHOTS}/inspector.png` });

  // Flows for the selected message: PUSH_PROMISE and DELETE arrows.
  await page.getByTestId('nav-flows').click();
  const arrows = page.getByTestId('flow-arrow');
  await expect(arrows.and(page.locator('[data-label^="PUSH_PROMISE"]')).first()).toBeVisible();
  await expect(arrows.and(page.locator('[data-label="DELETE"]')).first()).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/flows.png`, fullPage: true });

  // The time window shows both messages; Esc closes the inspector.
  await page.getByTestId('flows-mode-window').click();
  await expect(arrows.and(page.locator('[data-label="DELETE"]'))).toHaveCount(2);
  await page.keyboard.press('Escape');
  await expect(inspector).toHaveCount(0);
  await arrows.and(page.locator('[data-label="DELETE"]')).last().click();
  await expect(inspector).toBeVisible();
  await inspector.getByTestId('inspector-close').click();
  await expect(inspector).toHaveCount(0);
});
