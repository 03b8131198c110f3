/**
 * Issue 11: the run bar and the timeline show one "now". The status a show publishes carries
 * the lab time and event count of the last event it recorded, and follows its events: the
 * sandbox's status used to stay as it was at start, and a paused run's status said the
 * pacer's estimate (00:16:54.684) while the timeline ended at its last event (16:49.7).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunStatus, TimelineInfo } from '../../../src/shared/workbench';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { STATUS_INTERVAL_MS, Workbench } from '../../../src/main/engine/workbench/workbench';
import { eventually } from '../../helpers/poll';
import { commandValue, examplesDir } from '../../helpers/workbench';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function started(wall?: VirtualClock): Promise<{ bench: Workbench; published: RunStatus[] }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'push-lab-runbar-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const bench = new Workbench({ dataDir: dir, examplesDir, ...(wall ? { wall } : {}) });
  await bench.start();
  cleanups.push(() => bench.stop());
  const published: RunStatus[] = [];
  bench.onRunStatus((s) => published.push(s));
  return { bench, published };
}

const value = commandValue;

/** Bounded wait for what the lab does on its own (real sockets, real pacing). */
async function until(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  await eventually(what, predicate, { timeoutMs });
}

/** The timeline's end as the timeline bar measures it: from its first event to its last. */
async function timelineEnd(bench: Workbench): Promise<{ ms: number; events: number }> {
  const info = await value<TimelineInfo>(bench, { type: 'timeline', buckets: 1 });
  return { ms: info.lastT - info.firstT, events: info.lastSeq - info.firstSeq + 1 };
}

describe('the run bar and the timeline read one "now"', () => {
  it("the sandbox's published status follows its events: lab time and count of the last one", async () => {
    const wall = new VirtualClock();
    const { bench, published } = await started(wall);
    const atStart = bench.status().events;
    const subscriptionId = Object.keys(
      JSON.parse(JSON.stringify(bench.snapshot().subscriptions)) as object,
    )[0]!;
    const sent = await value<{ messageId: string }>(bench, {
      type: 'send',
      subscriptionId,
      ttlSeconds: 60,
      text: 'status, follow me',
    });
    await until('the message to be acked', () => {
      const messages = JSON.parse(JSON.stringify(bench.snapshot().messages)) as Record<
        string,
        { state: string }
      >;
      return messages[sent.messageId]?.state === 'acked';
    });
    // The status throttle runs on the injected wall clock: let its period pass.
    wall.advance(STATUS_INTERVAL_MS);
    const end = await timelineEnd(bench);
    const last = published.at(-1)!;
    expect(end.events).toBeGreaterThan(atStart);
    expect(last.events).toBe(end.events);
    expect(last.elapsedMs).toBe(end.ms);
    expect(bench.status()).toMatchObject({ events: end.events, elapsedMs: end.ms });
  });

  it("a paused run's status time and count equal the timeline's end, published too", async () => {
    const { bench, published } = await started();
    const smoke = await readFile(path.join(examplesDir, 'smoke.yaml'), 'utf8');
    await value(bench, { type: 'run.start', text: smoke, speed: 20 });
    await until('the run to record events', () => {
      const s = bench.status();
      return s.state === 'running' && s.elapsedMs > 5_000;
    });
    await value(bench, { type: 'run.pause' });
    // A clock step under way when the pause came may still record its events.
    let settled = -1;
    await until('the paused run to settle', () => {
      const events = bench.status().events;
      const still = events === settled;
      settled = events;
      return still && published.at(-1)?.events === events;
    });
    const status = bench.status();
    expect(status.state).toBe('paused');
    const end = await timelineEnd(bench);
    expect(status.elapsedMs).toBe(end.ms);
    expect(status.events).toBe(end.events);
    expect(published.at(-1)).toMatchObject({ elapsedMs: end.ms, events: end.events });
  });
});
