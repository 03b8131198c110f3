/**
 * Each stage's attribute table is the one description of its attributes: the spec validation
 * is built from it (every bound, default, enum and integer rule in the table is enforced, with
 * the usual `field (got, allowed)` sentence), the link state follows its `takesLinkDown`, and
 * the workbench hands the same table to the Links form.
 */
import { describe, expect, it } from 'vitest';
import { linksInfo } from '../../../src/main/engine/workbench/links';
import {
  Link,
  parseFaultSpec,
  STAGE_DEFINITIONS,
  STAGES,
  faultTypeViews,
} from '../../../src/main/engine/net';
import type { FaultAttribute } from '../../../src/shared/workbench';
import { VirtualClock } from '../../../src/main/engine/clock/virtual';
import { Rng } from '../../../src/main/engine/rng/rng';

/** A value the table allows: the default, else the first enum value, else the bottom of the range. */
function allowed(a: FaultAttribute): number | string {
  if (a.default !== undefined) return a.default;
  if (a.values) return a.values[0]!;
  if (a.minExclusive) return Math.min(a.min! + 1, a.max!);
  return a.name === 'average_size' ? a.max! : a.min!;
}

/** Every required attribute at an allowed value, so a spec is valid but for what a test changes. */
function valid(type: string): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const a of STAGES.get(type)!.attributes) {
    if (a.default === undefined && a.defaultFrom === undefined) attributes[a.name] = allowed(a);
  }
  return attributes;
}

const problemsOf = (type: string, change: Record<string, unknown>): string[] => {
  const parsed = parseFaultSpec({ type, attributes: { ...valid(type), ...change } });
  return parsed.ok ? [] : parsed.problems;
};

const each = STAGE_DEFINITIONS.flatMap((def) => def.attributes.map((a) => [def.type, a] as const));

describe('stage attribute tables', () => {
  it('describe every attribute fully: a type, a description, a range for numbers, values for enums', () => {
    for (const [type, a] of each) {
      expect(a.description.length, `${type}.${a.name}`).toBeGreaterThan(0);
      if (a.type === 'enum') expect(a.values?.length, `${type}.${a.name}`).toBeGreaterThan(0);
      else {
        expect(a.min, `${type}.${a.name} min`).toBeTypeOf('number');
        expect(a.max, `${type}.${a.name} max`).toBeTypeOf('number');
      }
    }
  });

  it('are the fields a spec may carry: anything else is refused, naming the table', () => {
    for (const def of STAGE_DEFINITIONS) {
      const names = def.attributes.map((a) => a.name).join(', ');
      expect(problemsOf(def.type, { nonsense: 1 })).toEqual([
        `attributes.nonsense: unknown field (got 1, allowed ${names})`,
      ]);
    }
  });

  it('enforce every upper bound', () => {
    for (const [type, a] of each.filter(([, a]) => a.max !== undefined)) {
      const over = a.type === 'integer' ? a.max! + 1 : a.max! + 0.5;
      expect(problemsOf(type, { [a.name]: over }), `${type}.${a.name}`).toContain(
        `attributes.${a.name}: too big (got ${over}, allowed ≤ ${a.max})`,
      );
      expect(problemsOf(type, { [a.name]: a.max }), `${type}.${a.name} at max`).toEqual([]);
    }
  });

  it('enforce every lower bound, exclusive where the table says so', () => {
    for (const [type, a] of each.filter(([, a]) => a.min !== undefined)) {
      const under = a.minExclusive ? a.min! : a.min! - 1;
      const op = a.minExclusive ? '>' : '≥';
      expect(problemsOf(type, { [a.name]: under }), `${type}.${a.name}`).toContain(
        `attributes.${a.name}: too small (got ${under}, allowed ${op} ${a.min})`,
      );
    }
  });

  it('refuse a fraction where the table says integer, and a value outside an enum', () => {
    for (const [type, a] of each.filter(([, a]) => a.type === 'integer')) {
      expect(problemsOf(type, { [a.name]: a.min! + 0.5 }), `${type}.${a.name}`).toEqual([
        `attributes.${a.name}: wrong type (got ${a.min! + 0.5}, allowed an integer)`,
      ]);
    }
    for (const [type, a] of each.filter(([, a]) => a.type === 'enum')) {
      expect(problemsOf(type, { [a.name]: 'sideways' })).toEqual([
        `attributes.${a.name}: not an allowed value (got "sideways", allowed ${a.values!.join(', ')})`,
      ]);
    }
  });

  it('fill in each default the table states, and require what has none', () => {
    for (const def of STAGE_DEFINITIONS) {
      const parsed = parseFaultSpec({ type: def.type, attributes: valid(def.type) });
      if (!parsed.ok) throw new Error(parsed.problems.join('; '));
      const filled = parsed.value.attributes as Record<string, unknown>;
      for (const a of def.attributes) {
        if (a.default !== undefined)
          expect(filled[a.name], `${def.type}.${a.name}`).toBe(a.default);
        if (a.default === undefined && a.defaultFrom === undefined) {
          const { [a.name]: _left, ...rest } = valid(def.type);
          const problems = parseFaultSpec({ type: def.type, attributes: rest });
          expect(problems.ok ? [] : problems.problems, `${def.type}.${a.name}`).toContain(
            `attributes.${a.name}: required (got nothing, allowed a number)`,
          );
        }
      }
    }
  });

  it('take the link down exactly where the table says so', () => {
    expect(
      faultTypeViews()
        .filter((t) => t.takesLinkDown)
        .map((t) => t.type),
    ).toEqual(['outage']);
    const clock = new VirtualClock();
    for (const def of STAGE_DEFINITIONS) {
      const link = new Link({ id: `l-${def.type}` }, clock, new Rng(1));
      link.addFault({ type: def.type, attributes: valid(def.type) });
      expect(link.state(), def.type).toBe(def.takesLinkDown ? 'down' : 'impaired');
      void link.close();
    }
  });

  it('reach the Links form as data, the same tables', () => {
    const info = linksInfo([]);
    expect(info.faultTypes).toEqual(faultTypeViews());
    const latency = info.faultTypes.find((t) => t.type === 'latency')!;
    expect(latency.defaultStream).toBe('downstream');
    expect(latency.attributes.map((a) => [a.name, a.unit, a.min, a.max, a.default])).toEqual([
      ['latency', 'ms', 0, 3_600_000, undefined],
      ['jitter', 'ms', 0, 3_600_000, 0],
    ]);
    // Structured clone survives (the answer crosses IPC and WebSocket as JSON).
    expect(JSON.parse(JSON.stringify(info.faultTypes))).toEqual(info.faultTypes);
  });
});
