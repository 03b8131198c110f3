/**
 * The Links form's field problems (issue 14): said at the field, in plain words, as typed —
 * and exactly where the engine would refuse the spec the form sends, because both read the
 * same bounds (each fault type's attribute table, shared/fault-bounds.ts).
 */
import { describe, expect, it } from 'vitest';
import { faultTypeViews } from '../../../src/main/engine/net/registry';
import { parseFaultSpec } from '../../../src/main/engine/net/spec';
import {
  buildFaultSpec,
  emptyForm,
  faultFieldProblems,
  type FaultForm,
} from '../../../src/renderer/src/features/links/fault-form';
import type { FaultAttribute } from '../../../src/shared/workbench';

const types = faultTypeViews();
const typeNames = types.map((t) => t.type);

/** A form of `type` with every attribute that needs one given a value the engine takes. */
function validForm(type: string): FaultForm {
  const attributes = types.find((t) => t.type === type)!.attributes;
  const form = emptyForm(type, attributes);
  const rows = form.rows.map((row) => {
    const a = attributes.find((x) => x.name === row.name);
    if (a === undefined || a.default !== undefined || a.defaultFrom !== undefined) return row;
    return { ...row, value: a.values?.[0] ?? String(a.max ?? 1) };
  });
  return { ...form, rows };
}

/** The fields the engine names when it refuses the form's spec ([] when it takes it). */
function engineFields(form: FaultForm): string[] {
  const built = buildFaultSpec(form, typeNames);
  if (!built.ok) return [built.field];
  const parsed = parseFaultSpec(built.spec);
  return parsed.ok ? [] : [...new Set(parsed.problems.map((p) => p.slice(0, p.indexOf(':'))))];
}

/** Values around an attribute's bounds, as typed. */
function valuesFor(a: FaultAttribute): string[] {
  if (a.type === 'enum') return [...(a.values ?? []), 'sometimes', '1'];
  const values = ['abc', '-1', '0', '0.5', '1', '1.5'];
  if (a.min !== undefined) values.push(String(a.min), String(a.min - 1), String(a.min + 0.25));
  if (a.max !== undefined) values.push(String(a.max), String(a.max + 1), String(a.max - 0.5));
  return values;
}

describe('faultFieldProblems', () => {
  it('flags a field exactly when the engine refuses it, for every attribute of every type', () => {
    let compared = 0;
    for (const type of types) {
      for (const a of type.attributes) {
        for (const value of valuesFor(a)) {
          const base = validForm(type.type);
          const rows = base.rows.map((r) => (r.name === a.name ? { ...r, value } : r));
          const form = { ...base, rows };
          const formFields = Object.keys(faultFieldProblems(form, types));
          // Checks across attributes (a slicer's variation below its size) stay the engine's.
          const engine = engineFields(form).filter((f) => f === `attributes.${a.name}`);
          expect(formFields, `${type.type}.${a.name} = ${value}`).toEqual(engine);
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(150);
  });

  it('flags toxicity and name exactly when the engine does, in plain words', () => {
    for (const toxicity of ['', '0', '0.3', '1', '-0.1', '1.01', 'half', 'NaN']) {
      const form = { ...validForm('latency'), toxicity };
      expect(Object.keys(faultFieldProblems(form, types)), toxicity).toEqual(engineFields(form));
    }
    for (const name of ['', 'slow', 'a.b-c_1', 'has space', 'x'.repeat(64), 'x'.repeat(65), 'é']) {
      const form = { ...validForm('latency'), name };
      expect(Object.keys(faultFieldProblems(form, types)), name).toEqual(engineFields(form));
    }
    const problems = faultFieldProblems({ ...validForm('latency'), toxicity: '2' }, types);
    expect(problems.toxicity).toBe(
      'toxicity is the share of connections it applies to, from 0 to 1, not 2',
    );
  });

  it('says a negative latency under its field with the allowed range, and a missing one', () => {
    const form = validForm('latency');
    const negative = {
      ...form,
      rows: form.rows.map((r) => (r.name === 'latency' ? { ...r, value: '-5' } : r)),
    };
    expect(faultFieldProblems(negative, types)).toEqual({
      'attributes.latency': 'latency is from 0 to 3,600,000 ms, not -5',
    });
    expect(faultFieldProblems(emptyForm('latency', types[0]!.attributes), types)).toEqual({
      'attributes.latency': 'latency is required: from 0 to 3,600,000 ms',
    });
    expect(faultFieldProblems(form, types)).toEqual({});
  });

  it('names an unknown attribute and checks each key of the JSON form', () => {
    const form: FaultForm = {
      ...validForm('latency'),
      attributesMode: 'json',
      json: '{"latency": 50, "jiter": 3}',
    };
    expect(faultFieldProblems(form, types).attributes).toBe(
      'latency has no attribute jiter; it has latency, jitter',
    );
    expect(engineFields(form)).toEqual(['attributes.jiter']);
    const big = { ...form, json: '{"latency": 4000000}' };
    expect(faultFieldProblems(big, types).attributes).toBe(
      'latency is from 0 to 3,600,000 ms, not 4000000',
    );
  });
});
