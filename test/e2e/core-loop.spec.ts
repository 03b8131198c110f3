import { expect, test } from './fixtures';

test('a message travels queued → pushed → acked, live, in browser mode', async ({ page, lab }) => {
  await page.goto(lab.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
  await expect(page.getByTestId('subscription-row')).toHaveCount(1);

  // Watch every state the row passes through, not just the last one.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seenStates: string[] }).seenStates = seen;
    new MutationObserver(() => {
      for (const row of document.querySelectorAll('[data-testid="message-row"]')) {
        const state = row.getAttribute('data-state') ?? '';
        if (seen[seen.length - 1] !== state) seen.push(state);
      }
    }).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-state'],
    });
  });

  await page.getByTestId('send-button').click();
  const row = page.getByTestId('message-row').first();
  await expect(row).toHaveAttribute('data-state', 'acked');
  const seen = await page.evaluate(
    () => (window as unknown as { seenStates: string[] }).seenStates,
  );
  // Delivery on loopback can be faster than a frame; the order of what was seen must hold.
  expect(seen[seen.length - 1]).toBe('acked');
  const order = ['queued', 'pushed', 'acked'];
  expect(seen.map((s) => order.indexOf(s))).toEqual([...seen.map((s) => order.indexOf(s))].sort());
  // A row that changed state under the user's eyes flashes in its new state's colour; one
  // that appeared already acked has nothing to announce.
  if (seen.length > 1) await expect(row).toHaveAttribute('data-cue', 'acked');
  else await expect(row).not.toHaveAttribute('data-cue');
  await page.screenshot({ path: 'test-results/screenshots/main-window.png', fullPage: true });

  // Clicking the queue's row opens the message's story, as a Log or Flows row does.
  await row.click();
  await expect(row).toHaveAttribute('aria-selected', 'true');
  const inspector = page.getByTestId('inspector');
  await expect(inspector).toBeVisible();
  const acked = inspector
    .getByTestId('inspector-step')
    .and(page.locator('[data-kind="message.acked"]'));
  await expect(acked.first()).toBeVisible();
});
