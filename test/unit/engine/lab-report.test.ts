import { afterEach, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/events';
import { Lab } from '../../../src/main/engine/lab';
import { eventually } from '../../helpers/poll';

let lab: Lab | null = null;
afterEach(async () => {
  await lab?.stop();
  lab = null;
});

describe('the live lab report command', () => {
  it('reports every message sent so far, as JSON or self-contained HTML', async () => {
    const started = new Lab();
    lab = started;
    await started.start();
    const sub = [...started.snapshot().subscriptions.values()][0]!;
    const sent = await lab.execute({
      type: 'send',
      subscriptionId: sub.id,
      ttlSeconds: 60,
      text: 'for the report',
    });
    expect(sent).toMatchObject({ ok: true, value: { status: 201 } });
    await eventually('the message to be acked', () => started.snapshot().counters.acked >= 1, {
      timeoutMs: 5000,
    });
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

describe("a bare lab's recorder (serve)", () => {
  it('reports seed null when it was given none, and "none" in HTML (before: seed 1)', async () => {
    lab = new Lab();
    await lab.start();
    const report = JSON.parse(lab.reportText('json')) as { meta: { seed: unknown } };
    expect(report.meta).toMatchObject({ scenario: null, seed: null, clockMode: 'real' });
    const html = lab.reportText('html');
    expect(html).toContain('seed (none)');
    expect(html).not.toContain('seed 1');
  });

  it('keeps its model, verdicts and report while a listener throws on every event', async () => {
    lab = new Lab({
      listener: () => {
        throw new Error('listener broken');
      },
    });
    await lab.start();
    expect(lab.snapshot().subscriptions.size).toBe(1);
    const events: LabEvent[] = [];
    lab.onEvent((e) => events.push(e));
    expect((await lab.execute({ type: 'subscribe' })).ok).toBe(true);
    expect(lab.snapshot().subscriptions.size).toBe(2);
    expect(events.some((e) => e.kind === 'lab.error')).toBe(true);
    const report = JSON.parse(lab.reportText('json')) as { span: { eventCount: number } };
    expect(report.span.eventCount).toBe(lab.snapshot().seq);
  });
});
