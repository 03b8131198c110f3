/**
 * The report's figures add up: every accepted message has one outcome — acked, expired,
 * replaced, dropped, lost or still queued at the end — in every row, on random event streams
 * (any order, repeated and stray events) and on the example scenarios; and a scenario run's
 * report carries its schedule hash.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../../src/main/engine/scenario/load';
import { reportExtras, runScenario } from '../../../src/main/engine/scenario/run';
import { buildReport, ReportBuilder, type Report } from '../../../src/main/engine/trace/report';
import { renderReportHtml } from '../../../src/main/engine/trace/report-html';
import type { MessageStats } from '../../../src/main/engine/trace/report-rows';
import { LabStream } from './lab-stream';
import { randomStream, randomSteps } from './random-stream';

const scenariosDir = path.resolve(import.meta.dirname, '../../../resources/scenarios');

/** Every message row of a report, named. */
function rows(report: Report): [string, MessageStats][] {
  return [
    ['totals', report.totals],
    ...report.services.map((s): [string, MessageStats] => [`service ${s.serviceId}`, s]),
    ...report.classes.map((c): [string, MessageStats] => [`class ${c.agentClass}`, c]),
    ...report.senders.map((s): [string, MessageStats] => [`sender ${s.agentId}`, s]),
  ];
}

function expectFiguresAddUp(report: Report, where: string): void {
  for (const [name, r] of rows(report)) {
    const outcomes = r.acked + r.expired + r.replaced + r.dropped + r.lost + r.stillQueued;
    expect(outcomes, `${where}: ${name} ${JSON.stringify(r)}`).toBe(r.accepted);
  }
}

describe('the report figures add up', () => {
  it('on random event streams, in every row, at any end', () => {
    fc.assert(
      fc.property(randomSteps(), fc.integer({ min: 0, max: 60_000 }), (steps, extra) => {
        const { s, endT } = randomStream(steps);
        for (const end of [endT, endT + extra]) {
          expectFiguresAddUp(buildReport(s.events, { endT: end }), `end ${end}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('counts a message by its first final event, and what is outstanding as lost or still queued', () => {
    const s = new LabStream()
      .service(0)
      .agent(0, 'ua1', 'user-agent')
      .subscribe(0, 'ps1.s1', 'ua1');
    s.accept(0, 'a', { ttlSeconds: 60 }).ack(10, 'a').expire(20, 'a'); // acked; the expiry is a violation
    s.accept(0, 'b', { ttlSeconds: 1 }).expire(1000, 'b');
    s.accept(0, 'c', { ttlSeconds: 1 }); // its TTL ran out: lost at the end
    s.accept(0, 'd', { ttlSeconds: 600 }); // still queued at the end
    s.accept(0, 'e', { ttlSeconds: 60 })
      .replace(5, 'e', 'f')
      .accept(5, 'f', { ttlSeconds: 60 })
      .drop(6, 'f');
    const report = buildReport(s.events, { endT: 10_000 });
    expect(report.totals).toMatchObject({
      accepted: 6,
      acked: 1,
      expired: 1,
      replaced: 1,
      dropped: 1,
      lost: 1,
      stillQueued: 1,
    });
    expect(report.violations.countByRule.bookkeeping).toBe(1);
    const html = renderReportHtml(report);
    expect(html).toContain('<th>Still queued</th>');
  });

  it('on the example scenarios (short runs), and their reports carry the schedule hash', async () => {
    const files = (await readdir(scenariosDir)).filter((f) => f.endsWith('.yaml')).sort();
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      const loaded = await loadScenario(path.join(scenariosDir, file));
      if (!loaded.ok) throw new Error(`${file}: ${loaded.problems.join('; ')}`);
      const builder = new ReportBuilder({ meta: null });
      const outcome = await runScenario(
        loaded.scenario,
        { durationMs: 20_000, mode: 'virtual' },
        { onEvent: (event) => builder.add(event) },
      );
      const { report } = builder.finish(outcome.endT, reportExtras(outcome));
      expect(report.totals.accepted, file).toBeGreaterThan(0);
      expectFiguresAddUp(report, file);
      expect(report.scheduleHash, file).toBe(outcome.scheduleHash);
      expect(renderReportHtml(report)).toContain(`schedule hash ${outcome.scheduleHash}`);
    }
  }, 180_000);
});
