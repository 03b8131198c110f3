import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  faultSpecSchema,
  parseFaultSpec,
  parseFaultSpecs,
  STAGE_DEFINITIONS,
  STAGES,
} from '../../../src/main/engine/net';

const problemsOf = (input: unknown): string[] => {
  const parsed = parseFaultSpec(input);
  return parsed.ok ? [] : parsed.problems;
};

describe('fault spec validation', () => {
  it('fills in defaults and names a fault `${type}_${stream}`', () => {
    expect(parseFaultSpec({ type: 'latency', attributes: { latency: 5 } })).toEqual({
      ok: true,
      value: {
        type: 'latency',
        name: 'latency_downstream',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: 5, jitter: 0 },
        schedule: { kind: 'always' },
      },
    });
    const lossSpec = parseFaultSpec({ type: 'loss', attributes: { p: 0.1 } });
    expect(lossSpec.ok && lossSpec.value.attributes).toEqual({
      p: 0.1,
      r: 0.9, // netem's default: 1 − p
      h: 0,
      k: 1,
      segment_size: 1460,
      rto: 200,
    });
  });

  it('lists every problem as `path: what (got X, allowed Y)`', () => {
    expect(
      problemsOf({
        type: 'latency',
        stream: 'sideways',
        toxicity: 2,
        attributes: { latency: -1, latancy: 3 },
      }),
    ).toEqual([
      'stream: not an allowed value (got "sideways", allowed upstream, downstream, both)',
      'toxicity: too big (got 2, allowed ≤ 1)',
      'attributes.latency: too small (got -1, allowed ≥ 0)',
      'attributes.latancy: unknown field (got 3, allowed latency, jitter)',
    ]);
    expect(problemsOf({ type: 'jitterbug' })).toEqual([
      'type: unknown value (got "jitterbug", allowed latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, loss, outage, idle_timeout)',
    ]);
    expect(problemsOf({ type: 'bandwidth' })).toEqual([
      'attributes.rate: required (got nothing, allowed a number)',
    ]);
    expect(problemsOf({ type: 'limit_data', attributes: { bytes: 1.5 } })).toEqual([
      'attributes.bytes: wrong type (got 1.5, allowed an integer)',
    ]);
    expect(
      problemsOf({ type: 'slicer', attributes: { average_size: 10, size_variation: 10 } }),
    ).toEqual([
      'attributes.size_variation: must be less than average_size (got 10, allowed 0 to 9)',
    ]);
  });

  it('checks schedules: windows ordered and apart, known kinds', () => {
    expect(
      problemsOf({
        type: 'outage',
        schedule: {
          kind: 'timeline',
          windows: [
            { fromMs: 100, toMs: 200 },
            { fromMs: 150, toMs: 150 },
          ],
        },
      }),
    ).toEqual([
      'schedule.windows[1].toMs: must be after fromMs (got 150, allowed > 150)',
      'schedule.windows[1].fromMs: overlaps the window before (got 150, allowed ≥ 200 (windows sorted, not overlapping))',
    ]);
    expect(problemsOf({ type: 'outage', schedule: { kind: 'weekly' } })).toEqual([
      'schedule.kind: unknown value (got "weekly", allowed always, timeline, markov)',
    ]);
    expect(problemsOf({ type: 'outage', schedule: { kind: 'markov', onMeanMs: 0 } })).toEqual([
      'schedule.onMeanMs: too small (got 0, allowed ≥ 1)',
      'schedule.offMeanMs: required (got nothing, allowed a number)',
    ]);
  });

  it('refuses a name given twice in a list, with the index in the path', () => {
    expect(
      parseFaultSpecs([
        { type: 'outage', name: 'down' },
        { type: 'latency', name: 'down', attributes: { latency: 5 } },
      ]),
    ).toEqual({
      ok: false,
      problems: ['[1].name: already used by another fault (got "down", allowed a name not in use)'],
    });
  });

  it('gives a fault without a name the first free one: its default, then _2, _3 …', () => {
    const parsed = parseFaultSpecs([
      { type: 'outage' },
      { type: 'outage' },
      // A name chosen later in the list is kept; the defaulted ones step around it.
      { type: 'outage' },
      { type: 'outage', name: 'outage_both_3' },
    ]);
    expect(parsed.ok && parsed.value.map((f) => f.name)).toEqual([
      'outage_both',
      'outage_both_2',
      'outage_both_4',
      'outage_both_3',
    ]);
  });

  it('knows every registered stage type, by its lowercase name', () => {
    const minimal: Record<string, unknown> = {
      latency: { latency: 1 },
      bandwidth: { rate: 1 },
      slow_close: { delay: 1 },
      slicer: { average_size: 1 },
      limit_data: { bytes: 1 },
      loss: { p: 0.1 },
      idle_timeout: { timeout: 1 },
    };
    for (const def of STAGE_DEFINITIONS) {
      expect(def.type).toBe(def.type.toLowerCase());
      expect(STAGES.get(def.type)).toBe(def);
      expect(problemsOf({ type: def.type, attributes: minimal[def.type] ?? {} })).toEqual([]);
    }
  });

  it('can be embedded in a scenario file schema', () => {
    const scenario = z.object({ links: z.array(z.object({ faults: z.array(faultSpecSchema) })) });
    const parsed = scenario.safeParse({ links: [{ faults: [{ type: 'outage' }] }] });
    expect(parsed.success).toBe(true);
  });
});
