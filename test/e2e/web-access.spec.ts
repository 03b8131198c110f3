/**
 * Browser mode's access control seen from Chromium: the UI loads and connects under the
 * security headers without one CSP violation, a page without the token is refused, the
 * cookie from the first load lets the page in again, and a non-loopback --host warns.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startCli } from '../helpers/cli';
import { expect, test } from './fixtures';

test('the UI loads, connects and exports under the security headers with no CSP violation', async ({
  page,
  lab,
}) => {
  test.setTimeout(60_000);
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/content security policy|csp violation/i.test(message.text())) {
      violations.push(message.text());
    }
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) =>
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  const response = await page.goto(lab.url);
  expect(response?.status()).toBe(200);
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain(`connect-src 'self' ws://${new URL(lab.url).host};`);
  expect(response?.headers()['x-frame-options']).toBe('DENY');
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
  await expect(page.getByTestId('subscription-row')).toHaveCount(1);

  // Every view draws under the policy, and the SVG export (inline styles) works.
  await page.getByTestId('send-button').click();
  await expect(page.getByTestId('message-row').first()).toHaveAttribute('data-state', 'acked');
  const views = page.locator('nav.nav-bar [data-testid^="nav-"]');
  for (let i = 0; i < (await views.count()); i++) {
    await views.nth(i).click();
    await expect(views.nth(i)).toHaveAttribute('aria-pressed', 'true');
  }
  await page.getByTestId('nav-flows').click();
  await expect(page.getByTestId('flow-arrow').first()).toBeVisible({ timeout: 10_000 });
  await page.getByTestId('export-menu').click();
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 10_000 }),
    page.getByTestId('export-flow').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.svg$/);
  expect(violations).toEqual([]);
});

test('a page without the token is refused; the cookie from the first load lets it in again', async ({
  page,
  lab,
}) => {
  const origin = new URL(lab.url).origin;
  const bare = await page.goto(`${origin}/`);
  expect(bare?.status()).toBe(401);
  await expect(page.locator('body')).toContainText('token missing');
  expect(bare?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");

  expect((await page.goto(lab.url))?.status()).toBe(200);
  // No token in this page's URL: the HttpOnly cookie carries it, to the WebSocket as well.
  const again = await page.goto(`${origin}/`);
  expect(again?.status()).toBe(200);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
  expect(await page.evaluate(() => document.cookie)).toBe('');
  expect(lab.process.stderr()).not.toMatch(/warning/);
});

test('--host 0.0.0.0 prints a warning naming the risk, and a loopback URL with the token', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'push-lab-e2e-'));
  const running = startCli(['web', '--host', '0.0.0.0', '--port', '0', '--data', dataDir]);
  try {
    const line = await running.waitFor(/running at http:\/\//, 30_000);
    expect(line).toMatch(/running at http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
    await expect
      .poll(() => running.stderr())
      .toMatch(
        /push-lab: warning: browser mode listens on 0\.0\.0\.0:\d+, reachable from the network/,
      );
    expect(running.stderr()).toMatch(
      /Anyone on the network who learns the token can read and write the lab’s files and run scenarios/,
    );
    expect(running.stderr()).toMatch(/cleartext HTTP/);
    expect(running.stderr()).not.toContain(
      new URL(line.split(' ').pop()!).searchParams.get('token')!,
    );
  } finally {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
