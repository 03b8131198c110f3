/**
 * A scenario against an external push service, run from the UI: it keeps its scenario's real
 * clock (the service lives in real time), so it can be stopped but not paused, stepped or sped
 * up, and says so; its `ca` is named relative to the scenario's file in the workspace, as
 * `push-lab run` reads it; the run's story holds the message events the witness tells from
 * the agents' evidence; a rerun finds the `ca` again.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/events';
import type { RunStatus } from '../../../src/shared/workbench';
import { startPushService, type RunningPushService } from '../../../src/main/engine/serve';
import type { Workbench } from '../../../src/main/engine/workbench/workbench';
import { OWN_CLOCK_WARNING } from '../../../src/main/engine/workbench/shows/run';
import { eventually } from '../../helpers/poll';
import { commandValue, workbenchPerTest } from '../../helpers/workbench';

let service: RunningPushService;
beforeAll(async () => {
  service = await startPushService({ port: 0, subscriptions: 0 });
});
afterAll(() => service.close());

let bench: Workbench;
let dir: string;
/** The events the workbench relays (the shows on screen), from each test's start. */
let events: LabEvent[];
workbenchPerTest('push-lab-external-run-', (b, d) => {
  bench = b;
  dir = d;
  events = [];
  b.onEvent((event) => events.push(event));
});

const scenarioText = (duration: string): string =>
  [
    'name: external from the UI',
    `duration: ${duration}`,
    'clock: { mode: real }',
    `services: [{ id: ext, url: "${service.url}/", ca: certs/ca.pem }]`,
    'userAgents: [{ id: phone, count: 2, service: ext }]',
    'appServers: [{ id: as, service: ext, traffic: { pattern: constant, ratePerSecond: 4 }, mix: { ttl: [{ value: 60, share: 1 }] } }]',
  ].join('\n');

/** Writes the scenario and its CA into the workspace, as the Scenario view saves them. */
async function saveScenario(text: string): Promise<void> {
  const workspace = path.join(dir, 'scenarios');
  await mkdir(path.join(workspace, 'certs'), { recursive: true });
  await writeFile(path.join(workspace, 'certs', 'ca.pem'), service.ca!);
  await writeFile(path.join(workspace, 'external.yaml'), text);
}

const ofKind = (kind: LabEvent['kind']) => events.filter((e) => e.kind === kind);

describe('an external scenario run from the UI', () => {
  it('runs on the real clock to its end, with stop alone, and its story has the messages', async () => {
    const text = scenarioText('3s');
    await saveScenario(text);
    const started = await commandValue<RunStatus>(bench, {
      type: 'run.start',
      text,
      path: 'external.yaml',
    });
    expect(started).toMatchObject({ mode: 'run', clockMode: 'real', speed: 1 });
    expect(started.controllable).toBe(false);
    expect(started.warning).toBe(OWN_CLOCK_WARNING);

    const paused = await bench.execute({ type: 'run.pause' });
    expect(paused.ok).toBe(false);
    expect(!paused.ok && paused.error).toMatchObject({
      code: 'ERR_NOT_AVAILABLE',
      message: `run.pause: ${OWN_CLOCK_WARNING}`,
    });

    await eventually('the run finished', () => bench.status().state === 'finished', {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    expect(ofKind('service.started')[0]).toMatchObject({ external: true });
    const accepted = ofKind('message.accepted').length;
    expect(accepted).toBeGreaterThanOrEqual(4);
    expect(ofKind('message.received').length).toBeGreaterThanOrEqual(accepted - 2);
    // The lab time is the wall's: about the scenario's 3 s, not a virtual jump.
    expect(bench.status().elapsedMs).toBeGreaterThan(2000);
  }, 30_000);

  it('a rerun finds the CA again; stop ends it early and keeps what ran', async () => {
    const text = scenarioText('1m');
    await saveScenario(text);
    await commandValue(bench, { type: 'run.start', text, path: 'external.yaml' });
    await eventually('a message received', () => ofKind('message.received').length > 0, {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    events.length = 0;
    const rerun = await commandValue<RunStatus>(bench, { type: 'bundle.rerun' });
    expect(rerun).toMatchObject({ mode: 'run', clockMode: 'real', controllable: false });
    await eventually(
      'a message received in the rerun',
      () => ofKind('message.received').length > 0,
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    const stopped = await commandValue<RunStatus>(bench, { type: 'run.stop' });
    expect(stopped.state).toBe('stopped');
  }, 40_000);

  it('refuses a CA named by a scenario that was never saved, saying what to do', async () => {
    const result = await bench.execute({ type: 'run.start', text: scenarioText('3s') });
    expect(!result.ok && result.error).toMatchObject({
      code: 'ERR_SCENARIO_INVALID',
      message:
        "services.0.ca: a CA file is named relative to the scenario's file; save the scenario first (or reach the service over http:, or with insecure: true)",
    });
    expect(bench.status().mode).toBe('sandbox');
  });

  it('Compare refuses it, saying why, instead of failing in its workers', async () => {
    const result = await bench.execute({
      type: 'compare',
      text: scenarioText('3s'),
      profiles: ['rfc8030', 'draft-thomson'],
    });
    expect(!result.ok && result.error).toMatchObject({
      code: 'ERR_SCENARIO_INVALID',
      message:
        "compare: services.0 is an external push service (url): Compare switches the lab's own services between profiles; run this scenario from the Scenario view instead",
    });
  });
});
