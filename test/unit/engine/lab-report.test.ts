import { afterEach, describe, expect, it } from 'vitest';
import { Lab } from '../../../src/main/engine/lab';

let lab: Lab | null = null;
afterEach(async () => {
  await lab?.stop();
  lab = null;
});

describe('the live lab report command', () => {
  it('reports every message sent so far, as JSON or self-contained HTML', async () => {
    lab = new Lab();
    await lab.start();
    const sub = [...lab.snapshot().subscriptions.values()][0]!;
    const sent = await lab.execute({
      type: 'send',
      subscriptionId: sub.id,
      ttlSeconds: 60,
      text: 'for the report',
    });
    expect(sent).toMatchObject({ ok: true, value: { status: 201 } });
    const deadline = Date.now() + 5000;
    while (lab.snapshot().counters.acked < 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    const json = await lab.execute({ type: 'report', format: 'json' });
    if (!json.ok) throw new Error(json.error.message);
    const report = JSON.parse((json.value as { content: string }).content) as {
      totals: { accepted: number; delivered: number };
    };
    expect(report.totals).toMatchObject({ accepted: 1, delivered: 1 });
    const html = await lab.execute({ type: 'report', format: 'html' });
    expect(html.ok && (html.value as { content: string }).content).toMatch(/^<!doctype html>/i);
  });
});
