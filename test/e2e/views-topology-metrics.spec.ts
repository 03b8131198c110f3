import { emptyModel } from '../../src/shared/model';
import { expect, test } from './fixtures';

const shot = (view: string) => `test-results/screenshots/${view}.png`;

test('topology, subscriptions and metrics views show the live lab', async ({ page, lab }) => {
  test.setTimeout(60_000);
  await page.goto(lab.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
  await expect(page.getByTestId('subscription-row')).toHaveCount(1);

  const send = page.getByTestId('send-button');
  for (let i = 0; i < 4; i++) {
    await expect(send).toBeEnabled({ timeout: 10_000 });
    await send.click();
  }
  await expect(page.getByTestId('message-row').first()).toHaveAttribute('data-state', 'acked', {
    timeout: 15_000,
  });

  // Topology: the push service and the user agent, joined by an edge.
  await page.getByTestId('nav-topology').click();
  const nodes = page.getByTestId('topology-node');
  await expect(nodes.filter({ has: page.locator('text=push service') }).first()).toBeVisible({
    timeout: 10_000,
  });
  await expect(page.locator('[data-testid="topology-node"][data-kind="service"]')).not.toHaveCount(
    0,
  );
  await expect(
    page.locator('[data-testid="topology-node"][data-kind="user-agent"]'),
  ).not.toHaveCount(0);
  await expect(page.locator('.react-flow__edge').first()).toBeAttached({ timeout: 10_000 });
  await page.screenshot({ path: shot('topology'), fullPage: true });

  // Subscriptions: sort and filter.
  await page.getByTestId('nav-subscriptions').click();
  const rows = page.getByTestId('subscription-row');
  await expect(rows).toHaveCount(1);
  const ownerHeader = page.locator('[role="columnheader"]', {
    has: page.getByTestId('sub-sort-owner'),
  });
  await page.getByTestId('sub-sort-owner').click();
  await expect(ownerHeader).toHaveAttribute('aria-sort', 'ascending');
  await page.getByTestId('sub-sort-owner').click();
  await expect(ownerHeader).toHaveAttribute('aria-sort', 'descending');
  await page.getByTestId('subscription-state-filter').selectOption('expired');
  await expect(rows).toHaveCount(0);
  await page.getByTestId('subscription-state-filter').selectOption('all');
  await expect(rows).toHaveCount(1);
  await page.getByTestId('subscription-filter').fill('no-such-subscription');
  await expect(rows).toHaveCount(0);
  await page.getByTestId('subscription-filter').fill('');
  await expect(rows).toHaveCount(1);
  await rows.first().click();
  await expect(rows.first()).toHaveAttribute('aria-selected', 'true');
  await page.screenshot({ path: shot('subscriptions'), fullPage: true });

  // Metrics: four uPlot charts, each drawn on a canvas, with deliveries counted.
  await page.getByTestId('nav-metrics').click();
  for (const id of ['metric-deliveries', 'metric-latency', 'metric-queue', 'metric-losses']) {
    const canvas = page.getByTestId(id).locator('canvas');
    await expect(canvas).toBeVisible({ timeout: 10_000 });
    const width = await canvas.evaluate((c: HTMLCanvasElement) => c.width);
    expect(width).toBeGreaterThan(0);
  }
  // Some bucket holds the deliveries of the sends above.
  await expect
    .poll(
      () =>
        page
          .getByTestId('metric-deliveries')
          .locator('canvas')
          .evaluate((c: HTMLCanvasElement) => {
            const ctx = c.getContext('2d');
            if (!ctx) return 0;
            const pixels = ctx.getImageData(0, 0, c.width, c.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
            return painted;
          }),
      { timeout: 10_000 },
    )
    .toBeGreaterThan(0);
  await page.screenshot({ path: shot('metrics'), fullPage: true });

  // Back to the overview: the core loop's table still works.
  await page.getByTestId('nav-overview').click();
  await expect(page.getByTestId('subscription-row')).toHaveCount(1);
});

test('a fleet of 1,000+ agents collapses into groups that expand on click', async ({
  page,
  lab,
}) => {
  test.setTimeout(60_000);
  // The page comes from the real lab; its WebSocket is answered here with a large fleet.
  let seq = 0;
  let t = 0;
  const ev = (body: Record<string, unknown>) => ({ ...body, seq: ++seq, t: (t += 1) });
  const fleet = [
    ev({ kind: 'service.started', serviceId: 'ps1', url: 'https://x', profile: 'rfc8030' }),
    ev({ kind: 'agent.started', agentId: 'as1', role: 'app-server', label: 'as1' }),
  ];
  for (let i = 1; i <= 1000; i++) {
    const agentId = `phone-${i}`;
    fleet.push(ev({ kind: 'agent.started', agentId, role: 'user-agent', label: agentId }));
    fleet.push(ev({ kind: 'agent.connected', agentId, serviceId: 'ps1' }));
  }
  for (let g = 1; g <= 20; g++) {
    const gatewayId = `gw-${g}`;
    fleet.push(
      ev({ kind: 'agent.started', agentId: gatewayId, role: 'gateway', label: gatewayId }),
    );
    fleet.push(ev({ kind: 'agent.connected', agentId: gatewayId, serviceId: 'ps1' }));
    for (let d = 1; d <= 3; d++) {
      const deviceId = `${gatewayId}.d${d}`;
      fleet.push(ev({ kind: 'agent.started', agentId: deviceId, role: 'device', label: deviceId }));
    }
  }
  fleet.push(ev({ kind: 'link.changed', linkId: 'lossy:gw-3', state: 'down', faults: ['outage'] }));
  fleet.push(ev({ kind: 'agent.sleep', agentId: 'phone-7' }));

  await page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
    ws.onMessage((raw) => {
      const message = JSON.parse(String(raw)) as { type: string };
      if (message.type !== 'resync') return;
      ws.send(
        JSON.stringify({
          type: 'snapshot',
          model: emptyModel(),
        }),
      );
      ws.send(JSON.stringify({ type: 'events', events: fleet }));
    });
  });
  await page.goto(lab.url);
  await page.getByTestId('nav-topology').click();

  const group = page.locator('[data-testid="topology-node"][data-group="user-agent:phone"]');
  await expect(group).toContainText('phone ×1000', { timeout: 15_000 });
  await expect(group).toContainText('1000/1000 connected · 1 asleep');
  await expect(
    page.locator('[data-testid="topology-node"][data-group="gateway:gw"]'),
  ).toContainText('gw ×20');
  // One gateway of twenty is cut off: the group's edge is impaired and says so, not down.
  await expect(page.locator('.react-flow__edge.topo-edge-impaired')).not.toHaveCount(0);
  await expect(page.locator('.react-flow__edge-text', { hasText: '20 · 1 down' })).toHaveCount(1);
  await page.screenshot({ path: shot('topology-fleet'), fullPage: true });

  await group.click();
  await expect(page.getByRole('button', { name: 'Collapse groups' })).toBeVisible();
  await expect(group).toHaveCount(0);
  // Only what is in view is rendered: many single user agents, not all thousand.
  const phones = page.locator('[data-testid="topology-node"][data-kind="user-agent"]');
  await expect.poll(() => phones.count(), { timeout: 15_000 }).toBeGreaterThan(10);
  await page.screenshot({ path: shot('topology-fleet-expanded'), fullPage: true });
  await page.getByRole('button', { name: 'Collapse groups' }).click();
  await expect(group).toHaveCount(1);
});
