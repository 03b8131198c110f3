import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario } from '../../../src/main/engine/scenario/load';
import { parseDurationMs } from '../../../src/main/engine/scenario/duration';

const scenariosDir = path.resolve(import.meta.dirname, '../../../resources/scenarios');

describe('scenario files', () => {
  it('accepts every example scenario', async () => {
    const files = readdirSync(scenariosDir).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      const loaded = await loadScenario(path.join(scenariosDir, file));
      expect(loaded.ok ? 'ok' : loaded.problems, file).toBe('ok');
    }
  });

  it('lists every problem at once: unknown key, wrong type, impossible value, undefined reference', () => {
    const result = parseScenario(`
name: broken
duration: 10m
services: [{ id: ps1 }]
links: [{ id: cell, faults: [{ type: loss, attributes: { p: 1.5 } }] }]
userAgents: [{ id: phones, count: "many", service: ps9, link: cell, colour: blue }]
appServers: [{ id: as, service: ps1, traffic: { pattern: poisson, ratePerSecond: 1 }, mix: { ttl: [{ value: -1, share: 1 }] } }]
`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^links\.0\.faults\.0: attributes\.p: .*\(got 1\.5/),
        expect.stringMatching(/^userAgents\.0\.count: .*\(got "many"\)/),
        'userAgents.0.colour: unknown key',
        expect.stringMatching(/^appServers\.0\.mix\.ttl\.0\.value: .*\(got -1\)/),
        'userAgents.0.service: no service "ps9"; allowed ps1 (got "ps9")',
      ]),
    );
  });

  it('names the line of a YAML syntax error', () => {
    const result = parseScenario('name: x\nduration: [1,\n', 'bad.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatch(/^bad\.yaml:\d+:\d+: /);
  });

  it('says which file cannot be read', async () => {
    const result = await loadScenario('/nonexistent/scenario.yaml');
    expect(result).toEqual({
      ok: false,
      problems: ['/nonexistent/scenario.yaml: cannot read it (ENOENT)'],
    });
  });

  it('reads durations with units', () => {
    expect(parseDurationMs('90')).toBe(90_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
    expect(parseDurationMs('2 parsecs')).toBeNull();
  });
});
