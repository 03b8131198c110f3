/**
 * A scenario against an external push service — another `push-lab serve` process — run from
 * the UI: it runs on the real clock to its end, the run bar says why it can be stopped but
 * not paused, Topology shows the service as external, and the counters and the queue hold the
 * messages the witness told from the agents' evidence, acked.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startCli, type Running } from '../helpers/cli';
import { expect, test } from './fixtures';

const file = path.join(tmpdir(), `push-lab-external-e2e-${process.pid}.yaml`);
let serve: Running;

test.use({ labArgs: [file] });
test.beforeAll(async () => {
  serve = startCli(['serve', '--h2c', '--port', '0', '--subscriptions', '0', '--json']);
  const { url } = JSON.parse(await serve.waitFor(/"type":"listening"/)) as { url: string };
  writeFileSync(
    file,
    [
      'name: external e2e',
      'duration: 6s',
      'clock: { mode: real }',
      `services: [{ id: ext, url: "${url}/" }]`,
      'userAgents: [{ id: phone, count: 2, service: ext }]',
      'appServers: [{ id: as, service: ext, stop: 4s, traffic: { pattern: constant, ratePerSecond: 2 } }]',
    ].join('\n'),
  );
});
test.afterAll(async () => {
  await serve.stop();
  rmSync(file, { force: true });
});

test('an external scenario runs from the UI in real time, stop alone, its messages delivered', async ({
  page,
  lab,
}) => {
  test.setTimeout(60_000);
  await page.goto(lab.url);
  await expect(page.getByTestId('run-mode')).toHaveText(/run/);
  await expect(page.getByTestId('run-warning')).toContainText('external push service');
  await expect(page.getByTestId('run-pause')).toBeDisabled();
  await expect(page.getByTestId('run-speed')).toBeDisabled();

  await page.getByTestId('nav-topology').click();
  await expect(page.getByTestId('topology-external')).toContainText('external http://127.0.0.1:');

  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'finished', {
    timeout: 30_000,
  });
  // Every message the application server sent (2/s for 4 s) was accepted and acked.
  const count = async (key: string): Promise<number> =>
    Number((await page.getByTestId(`counter-${key}`).innerText()).replace(/\D+/g, ''));
  expect(await count('accepted')).toBeGreaterThanOrEqual(6);
  expect(await count('acked')).toBe(await count('accepted'));
  await page.getByTestId('nav-overview').click();
  await expect(
    page.locator('[data-testid="message-row"][data-state="acked"]').first(),
  ).toBeVisible();
});
