/**
 * The marker list beside the timeline (issue 14) in browser mode: a recording with an outage,
 * expiries, receipts and an invariant violation opens; the list shows each with its sentence,
 * lab time and seq, filters by kind and text, travels to a row and shows a row's message in
 * Flows. The recording is written here event by event: a correct engine does not break an
 * invariant, so a run of it has no violation to list.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LabStream } from '../unit/trace/lab-stream';
import { expect, test } from './fixtures';

const dataDir = path.join(os.tmpdir(), `push-lab-e2e-markers-${process.pid}`);
const file = path.join(dataDir, 'recordings', 'markers.jsonl');

function recording(): string {
  const s = new LabStream().service(0).agent(0, 'ua1', 'user-agent').subscribe(0, 'ps1.s1', 'ua1');
  s.delivered(1_000, 'm0', 40, { receiptRequested: true }).receipt(1_050, 'm0', 204);
  s.at(2_000, { kind: 'link.changed', linkId: 'phone-3', state: 'down', faults: ['outage'] });
  s.accept(2_500, 'm1', { ttlSeconds: 1 }).expire(3_500, 'm1');
  s.at(4_000, { kind: 'link.changed', linkId: 'phone-3', state: 'up', faults: [] });
  s.ack(5_000, 'ghost'); // acknowledged, never accepted: a violation
  for (let i = 2; i < 40; i++) s.delivered(6_000 + i * 100, `m${i}`, 30);
  const header = {
    type: 'push-lab-trace',
    version: 1,
    scenario: 'markers',
    seed: 1,
    clockMode: 'virtual',
    pushLabVersion: 'e2e',
  };
  const last = s.events[s.events.length - 1]!;
  const end = {
    type: 'end',
    version: 1,
    events: s.events.length,
    lastSeq: last.seq,
    labTimeMs: last.t,
    reason: 'finished',
  };
  return [header, ...s.events, end].map((r) => JSON.stringify(r)).join('\n') + '\n';
}

test.use({ labArgs: ['--data', dataDir, file] });
test.beforeAll(() => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, recording());
});
test.afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test('the marker list lists, filters, travels and shows a message in Flows', async ({
  page,
  lab,
}) => {
  await page.goto(lab.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'open');
  await expect(page.getByTestId('run-mode')).toHaveText('replay');
  await page.getByTestId('marker-list-toggle').click();
  const rows = page.getByTestId('marker-row');
  // A receipt, an outage (the link's return is not a marker), an expiry and a violation.
  await expect(rows).toHaveCount(4);
  await expect(page.getByTestId('marker-count')).toHaveText('4 of 4 listed');
  const outage = rows.and(page.locator('[data-kind="outage"]'));
  await expect(outage.getByTestId('marker-label')).toHaveText('link phone-3 down (outage)');
  await expect(outage).toContainText('+00:02.0');
  const violation = rows.and(page.locator('[data-kind="violation"]'));
  await expect(violation.getByTestId('marker-label')).toContainText('ghost');
  await expect(violation.getByTestId('marker-label')).toContainText('never accepted');

  // Filters: a kind off, then text.
  await page.getByTestId('marker-filter-receipt').uncheck();
  await expect(rows).toHaveCount(3);
  await page.getByTestId('marker-filter-text').fill('PHONE-3');
  await expect(rows).toHaveCount(1);
  await expect(page.getByTestId('marker-count')).toHaveText('1 of 1 listed');
  await page.getByTestId('marker-filter-text').fill('');
  await expect(rows).toHaveCount(3);

  // A row travels there: the timeline shows its seq.
  const position = page.getByTestId('timeline-position');
  const violationSeq = await violation.getAttribute('data-seq');
  await violation.click();
  await expect(position).toHaveAttribute('data-seq', violationSeq!);
  await expect(position).toHaveAttribute('data-travelling', 'true');
  await expect(violation).toHaveAttribute('data-current', 'true');

  // The keys: ↑ from the violation's row to the expiry, Enter travels there.
  await violation.focus();
  await page.keyboard.press('ArrowUp');
  const expiry = rows.and(page.locator('[data-kind="expiry"]'));
  await expect(expiry).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(position).toHaveAttribute('data-seq', (await expiry.getAttribute('data-seq'))!);

  // "show in flows" selects the row's message and shows it in Flows; an outage names none.
  await expect(outage.getByTestId('marker-flows')).toBeDisabled();
  await expiry.getByTestId('marker-flows').click();
  await expect(page.getByTestId('nav-flows')).toHaveClass(/active/);
  await expect(page.getByTestId('flows-mode-message')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('.flow-selected').first()).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/marker-list.png', fullPage: true });
});
