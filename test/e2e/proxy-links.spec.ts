/**
 * `push-lab web --proxy`: a proxy between two real endpoints is a link of the sandbox. Cutting
 * it in the Links view is a toxic its Toxiproxy API lists; a toxic added through the API
 * shows in the view at once; restoring in the view removes the cut from the API's list.
 */
import { expect, linkRow, test } from './fixtures';

test.use({
  // The upstream need not answer: the faults are what is tested, not the bytes.
  labArgs: ['--proxy', 'edge@127.0.0.1:0=127.0.0.1:9', '--proxy-api', '127.0.0.1:0'],
});

interface Toxic {
  name: string;
  type: string;
}

test('a proxy’s faults change from the Links view and from its Toxiproxy API alike', async ({
  page,
  lab,
}) => {
  test.setTimeout(60_000);
  const api = /(http:\/\/\S+)/.exec(await lab.process.waitFor(/^api http/))![1]!;
  const toxics = async (): Promise<string[]> => {
    const response = await fetch(`${api}/proxies/edge/toxics`);
    return ((await response.json()) as Toxic[]).map((t) => `${t.name}:${t.type}`);
  };

  await page.goto(lab.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
  await page.getByTestId('nav-links').click();
  const row = linkRow(page, 'proxy:edge');
  await expect(row).toHaveAttribute('data-agent-id', 'edge', { timeout: 15_000 });
  await expect(row).toHaveAttribute('data-state', 'up');

  // Cut in the view: the API lists the outage the view added.
  await row.getByTestId('link-select').check();
  await page.getByTestId('link-cut').click();
  await expect(row.locator('[data-fault-name="cut"]')).toHaveAttribute('data-active', 'true');
  await expect(row).toHaveAttribute('data-state', 'down');
  await expect.poll(toxics).toEqual(['cut:outage']);

  // A toxic added through the API shows in the view without a reload.
  const added = await fetch(`${api}/proxies/edge/toxics`, {
    method: 'POST',
    body: JSON.stringify({ type: 'latency', attributes: { latency: 120 } }),
  });
  expect(added.status).toBe(200);
  await expect(row.locator('[data-fault-name="latency_downstream"]')).toBeVisible();

  // Restore in the view: the cut is gone from the API, the latency stays.
  await page.getByTestId('link-restore').click();
  await expect(row.locator('[data-fault-name="cut"]')).toHaveCount(0);
  await expect.poll(toxics).toEqual(['latency_downstream:latency']);
  await expect(row).toHaveAttribute('data-state', 'impaired');
});
