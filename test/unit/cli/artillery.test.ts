import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { scenarioToArtillery, ARRIVALS_PER_SECOND_MAX } from '../../../src/main/cli/artillery';
import type { CliError } from '../../../src/main/cli/options';
import { parseFleetConfig, parseFlow } from '../../../src/main/engine/fleet/parse';
import { loadScenario, parseScenario } from '../../../src/main/engine/scenario/load';
import type { Scenario } from '../../../src/main/engine/scenario/schema';
import { repoRoot, runCli } from '../../helpers/cli';

const scenariosDir = path.join(repoRoot, 'resources', 'scenarios');
const TARGET = 'http://127.0.0.1:8443';
/** One `push-lab` process start (tsx compiles the CLI on a busy machine). */
const CLI_TIMEOUT_MS = 60_000;

async function bundled(name: string): Promise<Scenario> {
  const loaded = await loadScenario(path.join(scenariosDir, name));
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return loaded.scenario;
}

function sendsOf(flow: unknown[]): { count: number; intervalMs: number; ttl: unknown }[] {
  return flow.flatMap((step) =>
    'send' in (step as object) ? [(step as { send: never }).send] : [],
  );
}

function thinkSeconds(flow: unknown[]): number {
  return flow.reduce<number>((sum, step) => sum + ((step as { think?: number }).think ?? 0), 0);
}

function convertError(scenario: Scenario, target?: string): CliError {
  try {
    scenarioToArtillery(scenario, target);
  } catch (error) {
    return error as CliError;
  }
  throw new Error('converted without an error');
}

describe('push-lab artillery: a scenario as an Artillery script', () => {
  const files = readdirSync(scenariosDir).filter((f) => f.endsWith('.yaml'));

  it.each(files)(
    '%s converts to a script the engine accepts, or is refused in one sentence',
    async (file) => {
      const scenario = await bundled(file);
      if (scenario.userAgents.length === 0) {
        const error = convertError(scenario, TARGET);
        expect(error.exitCode).toBe(2);
        expect(error.message).toMatch(/^userAgents: none in the scenario/);
        return;
      }
      const { script } = scenarioToArtillery(scenario, TARGET);
      const config = parseFleetConfig(script.config.target, script.config.engines['push-lab']);
      expect(config.ok && config.value.target).toBe(TARGET);
      const total = scenario.userAgents.reduce((sum, g) => sum + g.count, 0);
      expect(script.config.phases).toEqual([
        {
          name: 'user agents arrive',
          duration: Math.max(1, Math.ceil(total / ARRIVALS_PER_SECOND_MAX)),
          arrivalCount: total,
        },
      ]);
      expect(script.scenarios.map((s) => [s.name, s.weight])).toEqual(
        scenario.userAgents.map((g) => [g.id, g.count]),
      );
      for (const s of script.scenarios) {
        const flow = parseFlow(s.flow, s.name);
        expect(flow.ok ? flow.value.length : flow.message).toBe(s.flow.length);
        expect(s.engine).toBe('push-lab');
      }
    },
  );

  it('shares the planned sends out per VU over the window, with the TTL mix and the link', async () => {
    const scenario = await bundled('ttl-vs-outage.yaml');
    const { script, notes } = scenarioToArtillery(scenario, TARGET);
    const flow = script.scenarios[0]!.flow;
    // constant 0.2/s over 40 min = 480 sends to 10 phones: 48 each, one every 50 s.
    expect(sendsOf(flow)).toEqual([
      {
        to: 'self',
        count: 48,
        intervalMs: 50_000,
        ttl: [
          { value: 60, share: 1 },
          { value: 86400, share: 1 },
        ],
        urgency: 'normal',
        bytes: 64,
      },
    ]);
    const options = script.config.engines['push-lab'];
    expect(options.seed).toBe(8030);
    expect(options.link?.preset).toBe('fast-4g');
    expect(options.link?.faults).toHaveLength(1);
    expect(options.reconnect).toEqual({ initialMs: 2000, maxMs: 60_000, jitter: 0.3 });
    expect(notes).toContain("appServers.0.mix.receiptShare: the engine's sends ask for no receipt");
    expect(notes.some((n) => n.startsWith('userAgents.0.radio:'))).toBe(true);
    expect(notes.some((n) => n.startsWith('clock.mode:'))).toBe(true);
  });

  it('keeps a server that starts late and holds each VU for the whole duration', async () => {
    const scenario = await bundled('flash-crowd.yaml');
    const { script, notes } = scenarioToArtillery(scenario, TARGET);
    const flow = script.scenarios[0]!.flow;
    expect(flow[0]).toEqual({ subscribe: {} });
    expect(flow[1]).toEqual({ think: 10 });
    // bursts of 5000 at 10 s and 100 s (3 min): 10,000 sends, 2 per phone.
    expect(sendsOf(flow)).toMatchObject([{ count: 2, ttl: 300, urgency: 'high' }]);
    const [send] = sendsOf(flow);
    expect(thinkSeconds(flow) * 1000 + send!.count * send!.intervalMs).toBeLessThanOrEqual(
      scenario.duration,
    );
    expect(script.config.engines['push-lab'].vapid).toBe(false);
    expect(notes.some((n) => n.startsWith('services.0.limits:'))).toBe(true);
    expect(notes.some((n) => n.startsWith('appServers.0.traffic: a burst'))).toBe(true);
    expect(notes.some((n) => n.startsWith('userAgents: the 5000 user agents'))).toBe(true);
  });

  it('takes the target from an external service, and refuses a lab service without --target', async () => {
    const external = parseScenario(
      [
        'name: external',
        'clock: { mode: real }',
        'duration: 30s',
        'services: [{ id: far, url: "https://push.example.test:8443/" }]',
        'userAgents: [{ id: p, service: far, count: 3 }]',
      ].join('\n'),
    );
    if (!external.ok) throw new Error(external.problems.join('\n'));
    const { script, notes } = scenarioToArtillery(external.scenario);
    expect(script.config.target).toBe('https://push.example.test:8443/');
    expect(script.scenarios[0]!.flow).toEqual([{ subscribe: {} }, { think: 30 }]);
    expect(notes).toEqual([]);

    const inLab = convertError(await bundled('smoke.yaml'));
    expect(inLab.exitCode).toBe(2);
    expect(inLab.message).toMatch(/^services\.0\.url: service "ps1" runs inside the lab/);
    const badTarget = convertError(await bundled('smoke.yaml'), 'ftp://x');
    expect(badTarget.message).toBe(
      '--target: got "ftp://x"; allowed an http:// or https:// URL of an RFC 8030 push service',
    );
  });

  it(
    'prints the script on stdout and the notes on stderr; exit 2 on a bad scenario',
    () => {
      const ok = runCli(
        ['artillery', path.join(scenariosDir, 'smoke.yaml'), '--target', TARGET],
        CLI_TIMEOUT_MS,
      );
      expect(ok.code).toBe(0);
      const script = parse(ok.stdout);
      expect(script.config.target).toBe(TARGET);
      expect(script.scenarios[0].engine).toBe('push-lab');
      expect(ok.stderr).toMatch(/^push-lab artillery: clock\.mode: /m);
      const bad = runCli(['artillery', path.join(scenariosDir, 'smoke.yaml')], CLI_TIMEOUT_MS);
      expect(bad.code).toBe(2);
      expect(bad.stdout).toBe('');
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    },
    2 * CLI_TIMEOUT_MS,
  );
});
