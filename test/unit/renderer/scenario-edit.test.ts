/** The scenario editor's pure parts: form edits that keep the YAML's comments and layout, the form's fields, problems placed on fields and lines. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  offsetAt,
  placeProblems,
  problemLines,
  problemPlace,
  problemsForField,
  problemText,
} from '../../../src/renderer/src/features/scenario/problems';
import { readForm, toYamlValue } from '../../../src/renderer/src/features/scenario/scenario-form';
import { setYamlValue } from '../../../src/renderer/src/features/scenario/yaml-edit';
import type { ScenarioProblem } from '../../../src/shared/workbench';

const scenario = (name: string) =>
  readFileSync(path.resolve(import.meta.dirname, '../../../resources/scenarios', name), 'utf8');

function edited(text: string, at: (string | number)[], value: string | number | boolean): string {
  const result = setYamlValue(text, at, value);
  if (!result.ok) throw new Error(result.message);
  return result.text;
}

/** The lines of `after` that are not in `before`, and those of `before` that went. */
function lineDiff(before: string, after: string) {
  const a = before.split('\n');
  const b = after.split('\n');
  return { added: b.filter((l) => !a.includes(l)), removed: a.filter((l) => !b.includes(l)) };
}

describe('setYamlValue', () => {
  it('changes only the value, keeping a comment on the same line', () => {
    const text = '# a comment\nname: x # keep me\nseed: 7 # and me\n';
    expect(edited(text, ['seed'], 42)).toBe('# a comment\nname: x # keep me\nseed: 42 # and me\n');
  });

  it('leaves the rest of a real scenario byte for byte (folded text, flow style)', () => {
    for (const file of ['commute.yaml', 'field-gateway.yaml', 'smoke.yaml']) {
      const text = scenario(file);
      const after = edited(text, ['seed'], 99);
      expect(lineDiff(text, after).added).toEqual(['seed: 99']);
      expect(lineDiff(text, after).removed).toHaveLength(1);
      expect(parse(after).seed).toBe(99);
    }
  });

  it('edits inside lists of groups and nested maps', () => {
    const text = scenario('field-gateway.yaml');
    const after = edited(
      edited(text, ['gateways', 0, 'devices', 'count'], 7),
      ['gateways', 0, 'count'],
      3,
    );
    expect(lineDiff(text, after).added).toEqual(['      count: 7', '    count: 3']);
    expect(parse(after).gateways[0]).toMatchObject({ count: 3, devices: { count: 7 } });
  });

  it('adds a missing key to a block map at its indentation, before a trailing comment', () => {
    const text = 'userAgents:\n  - id: a # phones\n    service: ps1\n# end\n';
    expect(edited(text, ['userAgents', 0, 'count'], 3)).toBe(
      'userAgents:\n  - id: a # phones\n    service: ps1\n    count: 3\n# end\n',
    );
    expect(edited('name: x', ['seed'], 2)).toBe('name: x\nseed: 2');
  });

  it('adds a missing key to a flow map in flow style', () => {
    expect(edited('clock: { mode: virtual } # c\n', ['clock', 'speed'], 5)).toBe(
      'clock: { mode: virtual, speed: 5 } # c\n',
    );
    expect(edited('clock: {}\n', ['clock', 'mode'], 'real')).toBe('clock: { mode: real }\n');
  });

  it('creates missing maps on the way, as one flow line', () => {
    const text = scenario('smoke.yaml');
    const after = edited(text, ['clock', 'mode'], 'scaled');
    expect(lineDiff(text, after).added).toEqual(['clock: { mode: scaled }']);
    expect(lineDiff(text, after).removed).toEqual([]);
    expect(edited('clock:\nseed: 1\n', ['clock', 'speed'], 2)).toBe(
      'clock: { speed: 2 }\nseed: 1\n',
    );
  });

  it('starts an empty text', () => {
    expect(edited('', ['name'], 'My lab')).toBe('name: My lab\n');
    expect(edited('# only a comment', ['clock', 'mode'], 'real')).toBe(
      '# only a comment\nclock: { mode: real }\n',
    );
  });

  it('quotes text that would read as something else', () => {
    expect(edited('seed: 1\n', ['seed'], '12')).toBe('seed: "12"\n');
    expect(edited('name: x\n', ['name'], 'a: b')).toBe('name: "a: b"\n');
    expect(edited('count: 1\n', ['count'], '-')).toBe('count: "-"\n');
    expect(parse(edited('count: 1\n', ['count'], '-')).count).toBe('-');
  });

  it('refuses to edit broken YAML or a path that is not there, saying why', () => {
    const broken = setYamlValue('a: [1\nb: 2\n', ['a'], 1);
    expect(broken).toMatchObject({ ok: false });
    expect(!broken.ok && broken.message).toMatch(/^fix the YAML first \(line \d+, column \d+: /);
    expect(setYamlValue('userAgents: []\n', ['userAgents', 0, 'count'], 1)).toEqual({
      ok: false,
      message: 'userAgents has no item 0',
    });
    expect(setYamlValue('- a\n', ['name'], 'x')).toEqual({
      ok: false,
      message: 'the scenario must be a map of fields (name:, seed:, …)',
    });
  });
});

describe('readForm', () => {
  it('reads the common settings of a scenario', () => {
    const form = readForm(scenario('commute.yaml'));
    if (!form.ok) throw new Error(form.message);
    const fields = Object.fromEntries(
      form.groups.flatMap((g) => g.fields).map((f) => [f.key, f.value]),
    );
    expect(fields).toEqual({
      name: 'Phone fleet on a commute',
      seed: '2015',
      duration: '30m',
      'clock.mode': 'virtual',
      'clock.speed': '',
      'services.0.profile': 'rfc8030',
      'userAgents.0.count': '20',
    });
    expect(form.groups.map((g) => g.title)).toEqual([
      'Scenario',
      'Clock',
      'Services',
      'User agents',
    ]);
  });

  it('labels groups by id and includes gateways and their devices', () => {
    const form = readForm(scenario('field-gateway.yaml'));
    if (!form.ok) throw new Error(form.message);
    const gateways = form.groups.find((g) => g.title === 'Gateways')!;
    expect(gateways.fields.map((f) => [f.key, f.label, f.value])).toEqual([
      ['gateways.0.count', 'gw count', ''],
      ['gateways.0.devices.count', 'gw devices each', '50'],
    ]);
  });

  it('says where the YAML is broken instead of a form', () => {
    const form = readForm('name: [x\n');
    expect(form.ok).toBe(false);
    expect(!form.ok && form.message).toMatch(/line \d+, column \d+/);
  });

  it('a form edit shows up in the form read back', () => {
    const text = edited(
      scenario('smoke.yaml'),
      ['userAgents', 0, 'count'],
      toYamlValue('integer', '5'),
    );
    const form = readForm(text);
    expect(
      form.ok &&
        form.groups.flatMap((g) => g.fields).find((f) => f.key === 'userAgents.0.count')?.value,
    ).toBe('5');
  });
});

describe('toYamlValue', () => {
  it('turns numbers into numbers and leaves the rest for the check to name', () => {
    expect(toYamlValue('integer', '12')).toBe(12);
    expect(toYamlValue('integer', '-1')).toBe(-1);
    expect(toYamlValue('integer', 'many')).toBe('many');
    expect(toYamlValue('number', '2.5')).toBe(2.5);
    expect(toYamlValue('seed', '42')).toBe(42);
    expect(toYamlValue('seed', 'abc')).toBe('abc');
    expect(toYamlValue('seed', '123456789012345678901234')).toBe('123456789012345678901234');
    expect(toYamlValue('duration', '90')).toBe(90);
    expect(toYamlValue('duration', '1h30m')).toBe('1h30m');
    expect(toYamlValue('text', ' 12 ')).toBe(' 12 ');
  });
});

describe('problems', () => {
  const problem = (p: Partial<ScenarioProblem>): ScenarioProblem => ({
    path: null,
    line: null,
    column: null,
    message: 'wrong',
    ...p,
  });

  it('belong to the field they name, or the field that holds them', () => {
    const list = [
      problem({ path: 'userAgents.0.count', message: 'too small' }),
      problem({ path: 'userAgents.0.count.extra' }),
      problem({ path: 'userAgents.0.countdown' }),
      problem({ path: 'seed' }),
      problem({ path: null }),
    ];
    expect(problemsForField(list, 'userAgents.0.count').map((p) => p.path)).toEqual([
      'userAgents.0.count',
      'userAgents.0.count.extra',
    ]);
    expect(problemsForField(list, 'name')).toEqual([]);
  });

  it('read with the field named once', () => {
    expect(problemText(problem({ path: 'seed', message: 'expected an integer (got 1.5)' }))).toBe(
      'seed: expected an integer (got 1.5)',
    );
    expect(problemText(problem({ path: 'seed', message: 'seed: bad' }))).toBe('seed: bad');
    expect(problemText(problem({ message: 'bad indentation' }))).toBe('bad indentation');
    expect(problemPlace(problem({ line: 3, column: 7 }))).toBe('3:7');
    expect(problemPlace(problem({ line: 3 }))).toBe('3');
    expect(problemPlace(problem({}))).toBe('');
  });

  it('without a line are placed at the field they name, or the map that lacks it', () => {
    const text = scenario('smoke.yaml');
    const placed = placeProblems(text, [
      problem({ path: 'userAgents.0.count' }),
      problem({ path: 'appServers.0.mix.ttl.0.value' }),
      problem({ path: 'userAgents.0.keepalive' }),
      problem({ path: 'seed', line: 1, column: 1 }),
      problem({ path: null }),
    ]);
    const lines = text.split('\n');
    const at = (p: ScenarioProblem) => lines[p.line! - 1]!.slice(p.column! - 1);
    expect(at(placed[0]!)).toBe('2');
    expect(at(placed[1]!)).toBe('60, share: 1 }]');
    expect(at(placed[2]!)).toBe('id: phone');
    expect(placed[3]).toMatchObject({ line: 1, column: 1 });
    expect(placed[4]).toMatchObject({ line: null });
    expect([...problemLines(placed)].sort((a, b) => a - b)).toEqual([1, 11, 12, 21]);
  });

  it('offsetAt finds a line and column, clamped to the text', () => {
    const text = 'ab\ncde\nf';
    expect(offsetAt(text, 1, 1)).toBe(0);
    expect(offsetAt(text, 2, 2)).toBe(4);
    expect(offsetAt(text, 2, 99)).toBe(6);
    expect(offsetAt(text, 9, 1)).toBe(text.length);
  });
});
