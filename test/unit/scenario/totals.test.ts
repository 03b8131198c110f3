/**
 * Scenario totals and the memory estimate, computed before a world is built; the hostile-YAML
 * bounds of the loader. Before: 100 groups × 100,000 user agents × 100 subscriptions was valid
 * field by field and a UI run.start of it took the process past 1.5 GB; /dev/zero was read
 * until memory ran out; a 10,000-deep nesting overflowed the stack.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/shared/commands';
import type { RunStatus } from '../../../src/shared/workbench';
import {
  loadScenario,
  parseScenario,
  SCENARIO_NESTING_DEPTH_MAX,
  SCENARIO_TEXT_BYTES_MAX,
} from '../../../src/main/engine/scenario/load';
import {
  DEVICE_BYTES,
  GATEWAY_BYTES,
  PLANNED_MESSAGE_BYTES,
  scenarioTotals,
  SUBSCRIPTION_BYTES,
  totalsProblems,
  USER_AGENT_BYTES,
} from '../../../src/main/engine/scenario/totals';
import type { Scenario } from '../../../src/main/engine/scenario/schema';
import { Workbench } from '../../../src/main/engine/workbench/workbench';
import { eventually } from '../../helpers/poll';

function scenario(text: string): Scenario {
  const loaded = parseScenario(text);
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  return loaded.scenario;
}

const fleet = `
name: fleet
duration: 10m
services: [{ id: ps }]
userAgents:
  - { id: phones, count: 30, service: ps, subscriptions: 3 }
  - { id: tablets, count: 10, service: ps }
gateways:
  - { id: gw, count: 4, service: ps, devices: { count: 25, wakeEvery: 5m } }
appServers:
  - { id: steady, service: ps, traffic: { pattern: constant, ratePerSecond: 2 }, start: 60, stop: 360 }
  - { id: bursts, service: ps, traffic: { pattern: burst, size: 7, every: 4m } }
  - id: script
    service: ps
    traffic: { pattern: script, sends: [{ at: 1 }, { at: 2 }, { at: 3 }] }
`;

/** Three application servers at 100,000 sends a second, for 1 s. */
const threeSenders = `name: s\nduration: 1s\nservices: [{ id: ps }]\nuserAgents: [{ id: u, service: ps }]\nappServers:\n${[
  1, 2, 3,
]
  .map(
    (i) => `  - { id: a${i}, service: ps, traffic: { pattern: constant, ratePerSecond: 100000 } }`,
  )
  .join('\n')}\n`;

/** One user-agent group line of an absurd scenario. */
const group = (i: number, count: number, subscriptions = 1): string =>
  `  - { id: g${i}, count: ${count}, service: ps, subscriptions: ${subscriptions} }`;

describe('scenario totals and the memory estimate', () => {
  it('adds up every group: agents, devices, subscriptions, links, planned messages, bytes', () => {
    const totals = scenarioTotals(scenario(fleet));
    const planned = 2 * 300 + 7 * 3 + 3; // 2/s over 60–360 s; 7 at 0, 4 and 8 min; 3 scripted
    expect(totals).toEqual({
      userAgents: 40,
      gateways: 4,
      agents: 44,
      devices: 100,
      subscriptions: 30 * 3 + 10 + 100,
      links: 44 + 3,
      plannedMessages: planned,
      estimatedBytes:
        40 * USER_AGENT_BYTES +
        30 * 2 * SUBSCRIPTION_BYTES +
        4 * GATEWAY_BYTES +
        100 * DEVICE_BYTES +
        planned * PLANNED_MESSAGE_BYTES,
    });
    expect(totalsProblems(scenario(fleet))).toEqual([]);
  });

  it('refuses totals over their bounds, naming the field, the total and the limit', () => {
    const text = `name: absurd\nduration: 1h\nservices: [{ id: ps }]\nuserAgents:\n${Array.from(
      { length: 100 },
      (_, i) => group(i, 100_000, 100),
    ).join('\n')}\n`;
    const loaded = parseScenario(text);
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems).toEqual([
      'userAgents: 10,000,000 agents (user agents and gateways) in total; allowed at most 20,000',
      'userAgents.subscriptions: 1,000,000,000 subscriptions in total; allowed at most 200,000',
    ]);
  });

  it('refuses an estimate over half the heap limit, and counts a --duration that plans more', () => {
    const s = scenario(
      `name: big\nduration: 1h\nservices: [{ id: ps }]\nuserAgents:\n${group(0, 1000)}\n`,
    );
    const bytes = scenarioTotals(s).estimatedBytes;
    expect(totalsProblems(s, bytes * 2)).toEqual([]);
    const [problem] = totalsProblems(s, bytes * 2 - 2 * 2 ** 20);
    expect(problem).toMatch(
      /^scenario: needs about 110 MiB \(1,000 agents, 0 devices, 1,000 subscriptions, 0 planned messages\); allowed at most 108 MiB, half of this process's heap limit/,
    );
    // Fits as written (1 s); a --duration of 1 h plans 3 × 2,000,000 (each server's cap).
    const senders = scenario(threeSenders);
    expect(totalsProblems(senders)).toEqual([]);
    expect(totalsProblems({ ...senders, duration: 3_600_000 })).toEqual([
      'appServers.traffic: 6,000,000 planned messages in total; allowed at most 5,000,000',
    ]);
  });
});

describe('the loader bounds hostile input', () => {
  it('refuses nesting deeper than the bound before yaml recurses into it, and counts what is under it', () => {
    const deep = (n: number): string =>
      `name: d\nduration: 1\nservices: ${'['.repeat(n)}${']'.repeat(n)}\n`;
    const refused = parseScenario(deep(10_000), 'deep.yaml');
    expect(refused).toEqual({
      ok: false,
      problems: [
        `deep.yaml:3: nested more than ${SCENARIO_NESTING_DEPTH_MAX} levels deep; a scenario needs fewer than 10`,
      ],
    });
    // Just under the bound the nesting is counted, not refused (the schema then says what is wrong).
    const under = parseScenario(deep(SCENARIO_NESTING_DEPTH_MAX - 2), 'ok.yaml');
    expect(under.ok ? [] : under.problems.join()).not.toMatch(/nested more than/);
    const mapping = `name: d\nduration: 1\n${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} 1\n`;
    expect(parseScenario(mapping, 'm.yaml')).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^m\.yaml:\d+: nested more than 64 levels deep/)],
    });
  });

  it('refuses text over the size bound, and a file that is not a regular file, without reading it', async () => {
    const big = parseScenario('#'.repeat(SCENARIO_TEXT_BYTES_MAX + 1), 'big.yaml');
    expect(big).toEqual({
      ok: false,
      problems: [
        `big.yaml: ${SCENARIO_TEXT_BYTES_MAX + 1} bytes; a scenario may have at most ${SCENARIO_TEXT_BYTES_MAX} bytes`,
      ],
    });
    const started = performance.now();
    expect(await loadScenario('/dev/zero')).toEqual({
      ok: false,
      problems: ['/dev/zero: is a device; a scenario must be a regular file'],
    });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('duration: 1e400 says so with the number as written', () => {
    const result = parseScenario('name: x\nduration: 1e400\nservices: [{ id: ps }]\n');
    expect(result).toEqual({
      ok: false,
      problems: [
        'duration: not a duration; allowed seconds (e.g. 90) or a string like "250ms", "90s", "10m", "1h30m" (got 1e400)',
      ],
    });
  });
});

describe('the UI path uses the same check', () => {
  let dir: string;
  let bench: Workbench;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'push-lab-totals-'));
    bench = new Workbench({ dataDir: dir, examplesDir: path.resolve('resources/scenarios') });
    await bench.start();
  });
  afterEach(async () => {
    await bench.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const absurd = `name: absurd\nduration: 1h\nservices: [{ id: ps }]\nuserAgents:\n${Array.from(
    { length: 100 },
    (_, i) => group(i, 100_000, 100),
  ).join('\n')}\n`;

  it('run.start and compare refuse the absurd scenario before building anything', async () => {
    const rss = process.memoryUsage().rss;
    const run = await bench.execute({ type: 'run.start', text: absurd });
    expect(run).toMatchObject({
      ok: false,
      error: {
        code: 'ERR_SCENARIO_INVALID',
        message: expect.stringContaining(
          'userAgents: 10,000,000 agents (user agents and gateways) in total; allowed at most 20,000',
        ),
      },
    });
    const compare = await bench.execute({ type: 'compare', text: absurd, profiles: ['rfc8030'] });
    expect(compare).toMatchObject({ ok: false, error: { code: 'ERR_SCENARIO_INVALID' } });
    // A small scenario that a long compare duration makes too big.
    const long = await bench.execute({
      type: 'compare',
      text: threeSenders,
      profiles: ['rfc8030'],
      durationMs: 3_600_000,
    });
    expect(long).toMatchObject({
      ok: false,
      error: {
        message: expect.stringMatching(
          /^compare: too big to run: appServers\.traffic: .* planned messages in total; allowed at most 5,000,000/,
        ),
      },
    });
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 2 ** 20);
  });

  it("run.start's seed has the scenario's bound (a 32-bit seed), named with its value", () => {
    const parsed = parseCommand({ type: 'run.start', text: 'name: x', seed: 2 ** 40 });
    expect(parsed).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^seed: .*\(got 1099511627776\)/) },
    });
    expect(parseCommand({ type: 'run.start', text: 'name: x', seed: 2 ** 32 - 1 }).ok).toBe(true);
  });

  it('opening a cut recording shows the cut sentence as the warning', async () => {
    // Recordings are read and written only in the data directory's recordings folder.
    const whole = path.join(dir, 'recordings', 'whole.plb');
    const started = await bench.execute({
      type: 'run.start',
      text: `name: w\nduration: 30s\nservices: [{ id: ps }]\nuserAgents:\n${group(0, 2)}\n`,
      speed: 1000,
    });
    expect(started.ok).toBe(true);
    await waitFor(() => ['finished', 'failed'].includes(bench.status().state));
    const saved = await bench.execute({ type: 'bundle.save', path: whole });
    expect(saved.ok).toBe(true);
    const bytes = await readFile(whole);
    const cut = path.join(dir, 'recordings', 'cut.plb');
    await writeFile(cut, bytes.subarray(0, bytes.length - 12));
    const opened = await bench.execute({ type: 'bundle.open', path: cut });
    expect(opened.ok).toBe(true);
    expect((opened.ok ? (opened.value as RunStatus) : null)?.warning).toMatch(
      /^cut: covers 00:00:\d\d of 00:00:30 — /,
    );
    const reopened = await bench.execute({ type: 'bundle.open', path: whole });
    expect((reopened.ok ? (reopened.value as RunStatus) : null)?.warning).toBeNull();
  }, 60_000);
});

async function waitFor(done: () => boolean): Promise<void> {
  await eventually('the run to end', done, { timeoutMs: 30_000, intervalMs: 50 });
}
