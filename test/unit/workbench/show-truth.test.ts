/**
 * Issue 11: what the workbench says of a show agrees with itself — the sandbox's violation
 * markers and its report read one checker and the same meta, and a saved recording's header
 * carries the show's real meta.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunStatus, TimelineInfo } from '../../../src/shared/workbench';
import { WalStore } from '../../../src/main/engine/push/store/wal';
import { openRecording } from '../../../src/main/engine/trace/diff';
import type { Report } from '../../../src/main/engine/trace/report';
import { SANDBOX_STORE_DIR, Workbench } from '../../../src/main/engine/workbench/workbench';
import { eventually } from '../../helpers/poll';
import { commandValue, examplesDir } from '../../helpers/workbench';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function started(): Promise<{ bench: Workbench; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'push-lab-truth-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const bench = new Workbench({ dataDir: dir, examplesDir });
  cleanups.push(() => bench.stop());
  return { bench, dir };
}

const value = commandValue;

async function reportOf(bench: Workbench): Promise<{ json: Report; html: string }> {
  const json = await value<{ content: string }>(bench, { type: 'report', format: 'json' });
  const html = await value<{ content: string }>(bench, { type: 'report', format: 'html' });
  return { json: JSON.parse(json.content) as Report, html: html.content };
}

/** The sandbox's violation markers, its report and its status agree (and find nothing). */
async function expectAgreeingSandbox(bench: Workbench): Promise<void> {
  const info = await value<TimelineInfo>(bench, { type: 'timeline', buckets: 1 });
  // Before: the timeline subscribed after the lab's first event and saw seq 2 first.
  expect(info.firstSeq).toBe(1);
  expect(info.markerCounts.violation).toBe(0);
  const { json, html } = await reportOf(bench);
  expect(json.violations.count).toBe(info.markerCounts.violation);
  expect(json.span.firstSeq).toBe(info.firstSeq);
  // The sandbox has no seed: the run bar (status) and the report both say so.
  expect(bench.status().seed).toBeNull();
  expect(json.meta).toMatchObject({ scenario: null, seed: null, clockMode: 'real' });
  expect(html).toContain('seed (none)');
  expect(html).not.toContain('seed 1');
}

describe('the sandbox: one checker, one meta', () => {
  it('a fresh sandbox shows 0 violations in its markers and its report, and no seed', async () => {
    const { bench } = await started();
    await bench.start();
    await expectAgreeingSandbox(bench);
  });

  it('so does the in-memory sandbox started after the durable one could not get its store', async () => {
    const { bench, dir } = await started();
    const held = await WalStore.open(path.join(dir, SANDBOX_STORE_DIR));
    cleanups.push(() => held.close());
    await bench.start();
    expect(bench.status()).toMatchObject({ mode: 'sandbox', state: 'running' });
    // The lab that failed is not recorded: its seqs would repeat the fallback's.
    await expectAgreeingSandbox(bench);
  });
});

describe('a saved scenario run carries its meta', () => {
  it('bundle.save, while it runs and once finished: scenario, seed and the virtual clock', async () => {
    const { bench, dir } = await started();
    await bench.start();
    const text = await readFile(path.join(examplesDir, 'smoke.yaml'), 'utf8');
    await value<RunStatus>(bench, { type: 'run.start', text, seed: 2015, speed: 0, paused: true });
    const expected = { scenario: 'Smoke', seed: 2015, clockMode: 'virtual' };
    const headerOf = async (name: string) => {
      await value(bench, { type: 'bundle.save', path: name });
      const reader = await openRecording(path.join(dir, 'recordings', name));
      reader.close();
      return reader.header;
    };
    expect(await headerOf('paused.jsonl.gz')).toMatchObject(expected);
    await value(bench, { type: 'run.resume' });
    await eventually('the run to finish', () => bench.status().state === 'finished', {
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    // The status the UI's trace export takes its header from says the same.
    expect(bench.status()).toMatchObject({ state: 'finished', ...expected });
    expect(await headerOf('finished.jsonl.gz')).toMatchObject(expected);
    // Its report names the run's schedule hash, and its figures add up.
    const { json, html } = await reportOf(bench);
    expect(json.scheduleHash).toMatch(/^[0-9a-f]{64}$/);
    expect(html).toContain(`schedule hash ${json.scheduleHash}`);
    const t = json.totals;
    expect(t.acked + t.expired + t.replaced + t.dropped + t.lost + t.stillQueued).toBe(t.accepted);
  });
});
