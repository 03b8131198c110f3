/**
 * Issue 14: the Scenario view's Run is off while the text it shows has problems, and a YAML
 * syntax error says its place once ("… at line 16, column 5: … ] at line 16, column 5:." before).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioCheck } from '../../../src/shared/workbench';
import { canRun } from '../../../src/renderer/src/features/scenario/scenario-commands';
import { readForm } from '../../../src/renderer/src/features/scenario/scenario-form';
import { setYamlValue } from '../../../src/renderer/src/features/scenario/yaml-edit';

const bad: ScenarioCheck = {
  ok: false,
  summary: null,
  problems: [{ path: 'seed', line: 2, column: 7, message: 'seed: wrong type (got "x")' }],
};
const good: ScenarioCheck = { ok: true, summary: null, problems: [] };

describe('canRun', () => {
  it('is off while the checked text has problems, on again once it has none', () => {
    const text = 'name: x\nseed: x\n';
    expect(canRun({ text, busy: null, check: bad, checkedText: text })).toBe(false);
    expect(canRun({ text, busy: null, check: good, checkedText: text })).toBe(true);
    // Edited since the check: the old verdict does not hold Run back (the lab checks again).
    expect(canRun({ text: `${text} `, busy: null, check: bad, checkedText: text })).toBe(true);
    expect(canRun({ text, busy: 'save', check: good, checkedText: text })).toBe(false);
    expect(canRun({ text: '  ', busy: null, check: null, checkedText: null })).toBe(false);
  });
});

describe('a YAML syntax error', () => {
  const text = 'name: x\nuserAgents:\n  - id: a\n    count: ]\n';

  it('says its line and column once, in front', () => {
    const form = readForm(text);
    expect(form.ok).toBe(false);
    if (form.ok) return;
    expect(form.message).toMatch(/^The YAML has an error at line 4, column \d+: [^]*\.$/);
    expect(form.message.match(/line \d+, column \d+/g)).toHaveLength(1);
    expect(form.message).not.toMatch(/:\.$/);
    const edit = setYamlValue(text, ['seed'], 3);
    expect(!edit.ok && edit.message.match(/line \d+, column \d+/g)).toHaveLength(1);
  });
});
