/**
 * A sweep's lines and exit code when seeds fail: the failing seeds are named, the first one's
 * reproduction is printed, a failed run counts as failing, an interrupted one does not. The
 * verdicts come from the real report builder and checker over hand-written event streams.
 */
import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/events';
import { seedLine, summarize, type Answer, type Job } from '../../../src/main/cli/batch-output';
import type { Scenario } from '../../../src/main/engine/scenario/schema';
import { ReportBuilder } from '../../../src/main/engine/trace/report';
import { LabStream } from '../trace/lab-stream';

const endT = 10_000;
function answer(events: LabEvent[], seed: number): Answer {
  const builder = new ReportBuilder({
    meta: { scenario: 'S', seed, clockMode: 'virtual', pushLabVersion: 'test' },
  });
  for (const e of events) builder.add(e);
  const { report, check } = builder.finish(endT);
  return {
    ok: true,
    verdict: {
      scenario: 'S',
      seed,
      eventCount: events.length,
      scheduleHash: 'h',
      startT: 0,
      endT,
      cancelled: false,
      report,
      check,
    },
  };
}

const clean = new LabStream().service(0).delivered(10, 'm1', 5).events;
// Accepted with a 2 s TTL, pushed, never acked or expired before the end: lost.
const lost = new LabStream()
  .service(0)
  .accept(1000, 'm1', { ttlSeconds: 2 })
  .push(1000, 'm1').events;

const job = (seed: number): Job => ({ file: 's.yaml', scenario: {} as Scenario, seed });
const jobs = [job(1), job(2), job(3), job(4)];

describe('sweep output', () => {
  it('names the seeds that fail (violations or a failed run) and how to reproduce the first', () => {
    const answers: Answer[] = [
      answer(clean, 1),
      answer(lost, 2),
      { ok: false, error: 'scenario.run: its worker stopped (exit code 1)', notRun: false },
      answer(clean, 4),
    ];
    expect(answers.map((a, i) => seedLine(jobs[i]!, a, false))).toEqual([
      `seed 1: ${clean.length} events, 0 violations; exit 0`,
      `seed 2: ${lost.length} events, 1 violations (lost ×1); exit 1`,
      'seed 3: failed: scenario.run: its worker stopped (exit code 1); exit 1',
      `seed 4: ${clean.length} events, 0 violations; exit 0`,
    ]);
    const summary = summarize(jobs, answers, false);
    expect(summary.lines).toEqual([
      'sweep: 2 of 4 runs hold; failing seeds: 2, 3',
      'reproduce with: push-lab run s.yaml --seed 2',
    ]);
    expect(summary.exit).toBe(1);
    expect(JSON.parse(summary.json)).toEqual({
      type: 'sweep',
      runs: 4,
      failed: 2,
      failingSeeds: [
        { file: 's.yaml', seed: 2 },
        { file: 's.yaml', seed: 3 },
      ],
      notRun: 0,
    });
    expect(seedLine(jobs[1]!, answers[1]!, true)).toMatch(/^s\.yaml seed 2: /);
  });

  it('holds with exit 0 when every seed holds, and exit 1 when interrupted before the end', () => {
    const all = summarize(
      jobs,
      [1, 2, 3, 4].map((s) => answer(clean, s)),
      false,
    );
    expect(all).toMatchObject({ lines: ['sweep: all 4 runs hold'], exit: 0 });
    const cut = summarize(
      jobs,
      [
        answer(clean, 1),
        answer(clean, 2),
        { ok: false, error: 'scenario.run: cancelled', notRun: true },
        { ok: false, error: 'scenario.run: cancelled', notRun: true },
      ],
      false,
    );
    expect(cut).toMatchObject({
      lines: ['sweep: all 2 runs hold (interrupted: 2 not run)'],
      exit: 1,
    });
    expect(seedLine(jobs[2]!, { ok: false, error: 'x', notRun: true }, false)).toBe(
      'seed 3: not run (interrupted)',
    );
  });
});
