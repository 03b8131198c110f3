/**
 * Compare in worker threads: each profile in its own worker, at once, with the same figures
 * as in process; per-profile progress while it runs; cancel; a newer comparison stopping the
 * one running; and the show on screen answering commands all the while.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { Result } from '../../../src/shared/result';
import type { CompareProgress, CompareResult, RunStatus } from '../../../src/shared/workbench';
import type { ComparisonsOptions } from '../../../src/main/engine/workbench/comparisons';
import { Workbench } from '../../../src/main/engine/workbench/workbench';
import { eventually } from '../../helpers/poll';
import { examplesDir, hostCall } from '../../helpers/workbench';

const PROFILES = ['rfc8030', 'draft-thomson', 'draft-damaggio'];
const smoke = (): Promise<string> => readFile(path.join(examplesDir, 'smoke.yaml'), 'utf8');

const made: { bench: Workbench; dir: string }[] = [];
async function workbench(compare?: ComparisonsOptions): Promise<Workbench> {
  const dir = await mkdtemp(path.join(tmpdir(), 'push-lab-cmp-'));
  const bench = new Workbench({ dataDir: dir, examplesDir, ...(compare ? { compare } : {}) });
  await bench.start();
  made.push({ bench, dir });
  return bench;
}
afterEach(async () => {
  for (const { bench, dir } of made.splice(0)) {
    await bench.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

const call = (bench: Workbench, input: Record<string, unknown>): Promise<Result<unknown>> =>
  hostCall(bench, input);
async function value<T>(bench: Workbench, input: Record<string, unknown>): Promise<T> {
  const result = await call(bench, input);
  if (!result.ok) throw new Error(`${String(input['type'])}: ${result.error.message}`);
  return result.value as T;
}
const progress = (bench: Workbench): Promise<CompareProgress> =>
  value<CompareProgress>(bench, { type: 'compare.progress' });

describe('compare in worker threads', () => {
  it('runs each profile in a worker, gives the rows a run in process gives, and leaves the event loop free', async () => {
    const text = await smoke();
    const compare = { type: 'compare', text, profiles: PROFILES, durationMs: 20_000 };
    const timed = async (bench: Workbench) => {
      const before = performance.eventLoopUtilization();
      const result = await value<CompareResult>(bench, compare);
      return { result, elu: performance.eventLoopUtilization(before).utilization };
    };
    const inWorkers = await workbench();
    const inProcess = await workbench({ workers: 0 });
    const a = await timed(inWorkers);
    const b = await timed(inProcess);
    expect(a.result).toEqual(b.result);
    expect(a.result.rows.map((r) => r.profile)).toEqual(PROFILES);
    expect(a.result.rows.every((r) => r.accepted > 0)).toBe(true);
    expect(await progress(inWorkers)).toMatchObject({
      id: 1,
      running: false,
      where: 'workers',
      workers: Math.min(3, availableParallelism()),
      profiles: PROFILES.map((profile) => ({ profile, state: 'done', elapsedMs: 20_000 })),
    });
    expect((await progress(inProcess)).where).toBe('in-process');
    // The runs' work is on other threads: this one's event loop is far less busy than when it
    // runs them itself (a ratio within one test, not a time).
    expect(a.elu).toBeLessThan(b.elu / 2);
  }, 120_000);

  it('reports each profile as it goes, cancels on request, and the live show answers meanwhile', async () => {
    const bench = await workbench();
    const text = await smoke();
    await value<RunStatus>(bench, { type: 'run.start', text, speed: 1 });
    let settled = false;
    const compared = call(bench, {
      type: 'compare',
      text,
      profiles: PROFILES,
      durationMs: 30 * 60_000,
    }).finally(() => (settled = true));
    const moving = await eventually(
      'a profile past its start',
      async () => {
        const now = await progress(bench);
        return now.profiles.some((p) => p.state === 'running' && p.elapsedMs > 0) ? now : null;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    expect(moving).toMatchObject({ id: 1, running: true, where: 'workers' });
    expect(moving.profiles.map((p) => p.durationMs)).toEqual([1_800_000, 1_800_000, 1_800_000]);
    // The show on screen keeps answering while the comparison runs.
    const status = await value<RunStatus>(bench, { type: 'status' });
    expect(status).toMatchObject({ mode: 'run', name: 'Smoke', state: 'running' });
    expect((await call(bench, { type: 'snapshot' })).ok).toBe(true);
    expect(settled).toBe(false);

    expect(await value(bench, { type: 'compare.cancel' })).toEqual({ cancelled: true });
    const answer = await compared;
    expect(answer).toMatchObject({ ok: false, error: { code: 'ERR_CANCELLED' } });
    const after = await progress(bench);
    expect(after.running).toBe(false);
    expect(after.profiles.some((p) => p.state === 'cancelled')).toBe(true);
    expect(after.profiles.every((p) => p.state !== 'running')).toBe(true);
    expect(await value(bench, { type: 'compare.cancel' })).toEqual({ cancelled: false });
    expect((await value<RunStatus>(bench, { type: 'status' })).state).toBe('running');
  }, 120_000);

  it('stops the comparison running when a newer one starts', async () => {
    const bench = await workbench();
    const text = await smoke();
    const older = call(bench, { type: 'compare', text, profiles: PROFILES, durationMs: 3_600_000 });
    await eventually('the first comparison to run', async () => (await progress(bench)).running, {
      timeoutMs: 30_000,
    });
    const newer = await value<CompareResult>(bench, {
      type: 'compare',
      text,
      profiles: ['rfc8030'],
      durationMs: 10_000,
    });
    expect(await older).toMatchObject({ ok: false, error: { code: 'ERR_CANCELLED' } });
    expect(newer.rows.map((r) => r.profile)).toEqual(['rfc8030']);
    expect((await progress(bench)).id).toBe(2);
  }, 120_000);
});
