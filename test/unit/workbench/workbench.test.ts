import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/events';
import type { Result } from '../../../src/shared/result';
import type { RunStatus, TimelineInfo } from '../../../src/shared/workbench';
import { parseScenario } from '../../../src/main/engine/scenario/load';
import { runScenario } from '../../../src/main/engine/scenario/run';
import type { Workbench } from '../../../src/main/engine/workbench/workbench';
import { eventually } from '../../helpers/poll';
import { examplesDir, hostCall, workbenchPerTest } from '../../helpers/workbench';

const smoke = async (): Promise<string> => readFile(path.join(examplesDir, 'smoke.yaml'), 'utf8');

let dir: string;
let bench: Workbench;
workbenchPerTest('push-lab-wb-', (b, d) => ((bench = b), (dir = d)));

/** Runs a command as a host would: parsed first. */
const call = (input: Record<string, unknown>): Promise<Result<unknown>> => hostCall(bench, input);

async function value<T>(input: Record<string, unknown>): Promise<T> {
  const result = await call(input);
  if (!result.ok) throw new Error(`${String(input['type'])}: ${result.error.message}`);
  return result.value as T;
}

async function until(predicate: (s: RunStatus) => boolean, timeoutMs = 60_000): Promise<RunStatus> {
  return eventually('the run status', () => (predicate(bench.status()) ? bench.status() : null), {
    timeoutMs,
  });
}

describe('the workbench', () => {
  it('starts with the sandbox lab, and refuses run controls there with a sentence', async () => {
    const status = bench.status();
    expect(status).toMatchObject({ mode: 'sandbox', state: 'running', controllable: false });
    expect([...bench.snapshot().services.keys()]).toEqual(['ps1']);
    const paused = await call({ type: 'run.pause' });
    expect(paused.ok).toBe(false);
    if (!paused.ok) expect(paused.error.message).toMatch(/sandbox lab/);
  });

  it('runs a scenario paused, steps it, then runs it to the end; clients are reset on the switch', async () => {
    let resets = 0;
    bench.onReset(() => (resets += 1));
    const events: LabEvent[] = [];
    bench.onEvent((e) => events.push(e));
    const started = await value<RunStatus>({
      type: 'run.start',
      text: await smoke(),
      paused: true,
      speed: 0,
    });
    expect(resets).toBe(1);
    expect(started).toMatchObject({ mode: 'run', name: 'Smoke', epoch: 2 });
    const paused = await until((s) => s.state === 'paused');
    expect(paused.controllable).toBe(true);
    const before = paused.elapsedMs;
    const stepped = await value<RunStatus>({ type: 'run.step', count: 5 });
    expect(stepped.state).toBe('paused');
    expect(stepped.elapsedMs).toBeGreaterThan(before);
    await value({ type: 'run.resume' });
    const done = await until((s) => s.state === 'finished');
    // The lab time of the last event: the duration, plus the world's stopping after it.
    const end = await value<TimelineInfo>({ type: 'timeline', buckets: 1 });
    expect(done.elapsedMs).toBe(end.lastT - end.firstT);
    expect(done.elapsedMs).toBeGreaterThanOrEqual(120_000);
    expect(bench.snapshot().subscriptions.size).toBe(2);
    // Energy is part of the model (energy.sampled events): both phones' radios are metered.
    const energy = bench.snapshot().energy;
    expect(energy.classes.length).toBeGreaterThan(0);
    expect(energy.perDevice.every((series) => (series[series.length - 1] ?? 0) > 0)).toBe(true);
    const metered = [...bench.snapshot().agentFacts.values()].filter((a) => a.joules !== null);
    expect(metered).toHaveLength(2);
    expect(events.length).toBeGreaterThan(0);
    // Only the run's events were relayed, in order, gap-free.
    expect(events.every((e, i) => i === 0 || e.seq === events[i - 1]!.seq + 1)).toBe(true);
  });

  it(
    'paced in slices, a run yields the same events as a headless run of the same scenario',
    { timeout: 120_000 },
    async () => {
      const text = await smoke();
      const headless: LabEvent[] = [];
      const loaded = parseScenario(text);
      if (!loaded.ok) throw new Error(loaded.problems.join('; '));
      await runScenario(loaded.scenario, {}, { onEvent: (e) => headless.push(e) });
      const paced: LabEvent[] = [];
      const off = bench.onEvent((e) => paced.push(e));
      await value({ type: 'run.start', text, speed: 0 });
      await until((s) => s.state === 'finished');
      off();
      const seek = await value<{ events: LabEvent[] }>({ type: 'seek', seq: 1e9, window: 20_000 });
      // Everything the run emitted is in its timeline, whether relayed or not.
      expect(seek.events.map((e) => JSON.stringify(e))).toEqual(
        headless.map((e) => JSON.stringify(e)),
      );
    },
  );

  it("changes a link's faults while the run runs, all or nothing, naming what is wrong", async () => {
    await value({ type: 'run.start', text: await smoke(), paused: true, speed: 0 });
    await until((s) => s.state === 'paused');
    const info = await value<{ links: { id: string; state: string }[]; presets: unknown[] }>({
      type: 'links',
    });
    expect(info.links.map((l) => l.id)).toEqual(['cell:phone-1', 'cell:phone-2']);
    expect(info.presets.length).toBeGreaterThan(3);
    const bad = await call({
      type: 'link.faults',
      linkIds: ['cell:phone-1'],
      faults: [{ type: 'latency', attributes: { latency: -5 } }],
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.error.message).toMatch(/faults\[0\]\.attributes\.latency: too small \(got -5/);
    const unknown = await call({ type: 'link.faults', linkIds: ['nope'], faults: [] });
    expect(!unknown.ok && unknown.error.message).toMatch(/linkIds: no link "nope"/);
    const cut = await value<{ id: string; state: string }[]>({
      type: 'link.faults',
      linkIds: ['cell:phone-1'],
      faults: [{ type: 'outage', name: 'cut' }],
    });
    expect(cut[0]).toMatchObject({ id: 'cell:phone-1', state: 'down' });
    // Faults kept by name are left running; the others go.
    const restored = await value<{ faults: { name: string }[]; state: string }[]>({
      type: 'link.faults',
      linkIds: ['cell:phone-1', 'cell:phone-2'],
      faults: [{ type: 'latency', name: 'slow', attributes: { latency: 200 } }],
    });
    expect(restored.map((l) => l.faults.map((f) => f.name))).toEqual([['slow'], ['slow']]);
    expect(restored[0]!.state).toBe('impaired');
  });

  it('validates scenario text with each problem placed on its line, and saves atomically', async () => {
    const text = (await smoke()).replace('count: 2', 'count: -2');
    const check = await value<{ ok: boolean; problems: { path: string; line: number }[] }>({
      type: 'scenario.validate',
      text,
    });
    expect(check.ok).toBe(false);
    const problem = check.problems.find((p) => p.path === 'userAgents.0.count');
    expect(problem?.line).toBe(text.split('\n').findIndex((l) => l.includes('count: -2')) + 1);
    const file = path.join(dir, 'scenarios', 'mine.yaml');
    await writeFile(file, 'old');
    const saved = await value<{ bytes: number }>({ type: 'scenario.save', path: file, text });
    expect(saved.bytes).toBe(Buffer.byteLength(text));
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(await value<string[]>({ type: 'scenario.recent' })).toEqual(['mine.yaml']);
    const missing = await call({ type: 'scenario.read', path: 'none.yaml' });
    expect(!missing.ok && missing.error.message).toMatch(/none\.yaml: cannot read it \(ENOENT\)/);
    const examples = await value<{ id: string }[]>({ type: 'scenario.examples' });
    expect(examples.map((e) => e.id)).toContain('smoke');
  });

  it('saves a run as a bundle, opens it for replay and travels in it; a rerun does not diverge', async () => {
    await value({ type: 'run.start', text: await smoke(), speed: 0 });
    await until((s) => s.state === 'finished');
    const first = 'first.jsonl.gz';
    const saved = await value<{ events: number }>({ type: 'bundle.save', path: first });
    expect(saved.events).toBeGreaterThan(50);

    const opened = await value<RunStatus>({ type: 'bundle.open', path: first });
    expect(opened).toMatchObject({ mode: 'replay', state: 'recorded', canRerun: true });
    expect(opened.events).toBe(saved.events);
    const middle = await value<{ seq: number; model: { seq: number } }>({
      type: 'seek',
      seq: Math.floor(saved.events / 2),
      window: 10,
    });
    expect(middle.model.seq).toBe(middle.seq);
    const info = await value<{ density: number[] }>({ type: 'timeline', buckets: 50 });
    expect(info.density.reduce((a, b) => a + b, 0)).toBe(saved.events);

    await value({ type: 'bundle.rerun' });
    await until((s) => s.mode === 'run' && s.state === 'finished');
    const second = 'second.jsonl.gz';
    await value({ type: 'bundle.save', path: second });
    const diff = await value<{ divergence: unknown; figures: string[] }>({
      type: 'bundle.diff',
      a: first,
      b: second,
    });
    expect(diff.divergence).toBeNull();
    expect(diff.figures).toEqual([]);

    const notBundle = path.join(dir, 'recordings', 'not.gz');
    await writeFile(notBundle, 'hello');
    const refused = await call({ type: 'bundle.open', path: notBundle });
    expect(refused.ok).toBe(false);
    // The open show is never lost to a bad file.
    expect(bench.status().mode).toBe('run');
  });

  it('compares profiles: one run per profile, with figures and series', async () => {
    const result = await value<{
      rows: { profile: string; accepted: number; delivered: number; deliveredSeries: number[] }[];
    }>({
      type: 'compare',
      text: await smoke(),
      profiles: ['rfc8030', 'draft-thomson', 'draft-damaggio'],
      durationMs: 30_000,
    });
    expect(result.rows.map((r) => r.profile)).toEqual([
      'rfc8030',
      'draft-thomson',
      'draft-damaggio',
    ]);
    for (const row of result.rows) {
      expect(row.accepted).toBeGreaterThan(0);
      expect(row.deliveredSeries.length).toBeGreaterThan(0);
      // One fact, one owner: the series counts each message once, at its first delivery,
      // so it adds up to the report's delivered total.
      expect(row.deliveredSeries.reduce((a, b) => a + b, 0)).toBe(row.delivered);
    }
  });
});
