/**
 * Issue 14: a big fleet takes seconds to start, and the run bar said "starting" with nothing
 * more. The status of a run still starting says how many agents have connected and how many
 * subscriptions are made, of the scenario's totals; once it runs it says nothing of it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunStatus } from '../../../src/shared/workbench';
import { Workbench } from '../../../src/main/engine/workbench/workbench';
import { eventually } from '../../helpers/poll';
import { commandValue, examplesDir } from '../../helpers/workbench';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const fleet = (count: number) => `name: fleet
seed: 3
duration: 30s
services:
  - id: push
userAgents:
  - id: phones
    count: ${count}
    service: push
  - id: tablets
    count: 20
    service: push
appServers:
  - id: app
    service: push
    traffic: { pattern: constant, ratePerSecond: 1 }
`;

describe('a fleet starting', () => {
  it('publishes agents connected and subscriptions made of the totals while starting, rising, and none once running', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'push-lab-fleet-start-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const bench = new Workbench({ dataDir: dir, examplesDir });
    await bench.start();
    cleanups.push(() => bench.stop());
    const published: RunStatus[] = [];
    bench.onRunStatus((s) => published.push(s));
    // The status read at every turn of the event loop while the fleet starts: the published
    // ones are throttled on the wall clock, so on a fast machine none may fall part way.
    const read: number[] = [];
    let reading = true;
    const readStatus = () => {
      const p = bench.status().starting;
      if (p) read.push(p.agents + p.subscriptions);
      if (reading) setImmediate(readStatus);
    };
    readStatus();
    cleanups.push(async () => {
      reading = false;
    });

    await commandValue(bench, { type: 'run.start', text: fleet(400), speed: 0, paused: true });
    await eventually('the run to have started', () => bench.status().state === 'paused', {
      timeoutMs: 60_000,
    });
    reading = false;
    const starting = published.filter((s) => s.state === 'starting' && s.mode === 'run');
    expect(starting.length).toBeGreaterThan(0);
    for (const s of starting) {
      expect(s.starting).toMatchObject({ agentsTotal: 420, subscriptionsTotal: 420 });
    }
    const done = starting.map((s) => s.starting!.agents + s.starting!.subscriptions);
    expect([...done].sort((a, b) => a - b)).toEqual(done);
    // Read while it starts, the progress rises and passes through values part way.
    expect([...read].sort((a, b) => a - b)).toEqual(read);
    expect(read.some((n) => n > 0 && n < 840)).toBe(true);
    expect(bench.status().starting ?? null).toBeNull();
  }, 90_000);
});
