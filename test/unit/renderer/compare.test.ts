/** The Compare view's pure logic and store: the form, the table and best values, CSV, chart. */
import { describe, expect, it, vi } from 'vitest';
import { chartData, hasJoules } from '../../../src/renderer/src/features/compare/compare-chart';
import {
  buildCompare,
  defaultSource,
  initialForm,
  parseDuration,
  PASTED,
  toggleProfile,
  type CompareForm,
} from '../../../src/renderer/src/features/compare/compare-form';
import { createCompareStore } from '../../../src/renderer/src/features/compare/compare-store';
import {
  bestOf,
  compareCsv,
  compareFigures,
  formatFigure,
} from '../../../src/renderer/src/features/compare/compare-table';
import type { CompareResult, CompareRow, ScenarioExample } from '../../../src/shared/workbench';

const example = (id: string): ScenarioExample => ({
  id,
  title: id.toUpperCase(),
  description: '',
  text: `name: ${id}\n`,
});
const examples = [example('commute'), example('smoke')];

const row = (profile: CompareRow['profile'], patch: Partial<CompareRow> = {}): CompareRow => ({
  profile,
  events: 100,
  accepted: 10,
  delivered: 10,
  expired: 0,
  replaced: 0,
  lost: 0,
  stale: 0,
  redeliveries: 0,
  latencyP50Ms: 40,
  latencyP99Ms: 300,
  connections: 4,
  joulesTotal: 12.5,
  joulesPerDelivered: 1.25,
  joulesByClass: { 'phone-lte': 12.5 },
  violations: 0,
  deliveredSeries: [4, 6],
  joulesSeries: [5, 12.5],
  ...patch,
});

const result: CompareResult = {
  scenario: 'Smoke',
  seed: 7,
  durationMs: 120_000,
  bucketMs: 10_000,
  rows: [
    row('rfc8030'),
    row('draft-thomson', {
      delivered: 8,
      latencyP50Ms: null,
      joulesByClass: { 'phone-lte': 10, 'sensor-nbiot': 1 },
      deliveredSeries: [8],
    }),
    row('draft-damaggio', { delivered: 10, redeliveries: 3, connections: 2 }),
  ],
};

describe('compare form', () => {
  const form = (patch: Partial<CompareForm>): CompareForm => ({
    ...initialForm(),
    source: 'smoke',
    ...patch,
  });

  it('starts with compare-rfc8030, else smoke, else the first example, else pasted text', () => {
    expect(defaultSource([...examples, example('compare-rfc8030')])).toBe('compare-rfc8030');
    expect(defaultSource(examples)).toBe('smoke');
    expect(defaultSource([example('commute')])).toBe('commute');
    expect(defaultSource([])).toBe(PASTED);
  });

  it('toggles profiles in the contract order', () => {
    expect(toggleProfile(['draft-damaggio'], 'rfc8030')).toEqual(['rfc8030', 'draft-damaggio']);
    expect(toggleProfile(['rfc8030', 'draft-thomson'], 'rfc8030')).toEqual(['draft-thomson']);
  });

  it('reads durations with units, plain numbers as seconds', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration(' 2m ')).toBe(120_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('soon')).toBeNull();
    expect(parseDuration('-5s')).toBeNull();
  });

  it('builds the command from an example or pasted text, with seed and duration', () => {
    expect(buildCompare(form({ seed: '42', duration: '30s' }), examples)).toEqual({
      ok: true,
      command: {
        type: 'compare',
        text: 'name: smoke\n',
        profiles: ['rfc8030', 'draft-thomson', 'draft-damaggio'],
        seed: 42,
        durationMs: 30_000,
      },
    });
    const pasted = buildCompare(
      form({ source: PASTED, pasted: 'name: mine', profiles: ['draft-thomson'], seed: 'abc' }),
      examples,
    );
    expect(pasted).toEqual({
      ok: true,
      command: { type: 'compare', text: 'name: mine', profiles: ['draft-thomson'], seed: 'abc' },
    });
  });

  it('names the field, the value and what is allowed', () => {
    const message = (patch: Partial<CompareForm>) => {
      const built = buildCompare(form(patch), examples);
      return built.ok ? null : built.message;
    };
    expect(message({ source: PASTED, pasted: '  ' })).toBe(
      'scenario: no text (got "", allowed scenario YAML or JSON, pasted or from an example)',
    );
    expect(message({ source: 'gone' })).toBe(
      'scenario: unknown example (got "gone", allowed one of the listed examples)',
    );
    expect(message({ profiles: [] })).toBe('profiles: wrong number chosen (got 0, allowed 1 to 3)');
    expect(message({ duration: 'soon' })).toMatch(
      /^duration: not a duration \(got "soon", allowed/,
    );
    expect(message({ duration: '8d' })).toBe(
      'duration: out of range (got "8d", allowed 1 ms to 7 days)',
    );
    expect(message({ duration: '0' })).toMatch(/^duration: out of range/);
    expect(message({ seed: 'x'.repeat(201) })).toBe(
      'seed: too long (got 201 characters, allowed 1 to 200 characters)',
    );
  });
});

describe('compare table', () => {
  it('marks the best of each row, ties included, nothing when all are equal', () => {
    expect(bestOf([3, 1, 1], 'lower')).toEqual([false, true, true]);
    expect(bestOf([3, 1, null], 'higher')).toEqual([true, false, false]);
    expect(bestOf([2, 2, 2], 'lower')).toEqual([false, false, false]);
    expect(bestOf([5, null, null], 'lower')).toEqual([false, false, false]);
    expect(bestOf([1, 2], null)).toEqual([false, false]);
  });

  it('counts values that look the same in the table as ties', () => {
    const tied = {
      ...result,
      rows: [
        row('rfc8030', { latencyP50Ms: 82.91 }),
        row('draft-thomson', { latencyP50Ms: 82.94 }),
        row('draft-damaggio', { latencyP50Ms: 90 }),
      ],
    };
    const p50 = compareFigures(tied).find((f) => f.id === 'latencyP50Ms');
    expect(p50?.best).toEqual([true, true, false]);
    const allSame = compareFigures({
      ...tied,
      rows: tied.rows.map((r, i) => ({ ...r, latencyP50Ms: 82.8 + i / 100 })),
    });
    expect(allSame.find((f) => f.id === 'latencyP50Ms')?.best).toEqual([false, false, false]);
  });

  it('has one row per figure, one per energy class, in a fixed order', () => {
    const figures = compareFigures(result);
    expect(figures.map((f) => f.id)).toEqual([
      'accepted',
      'delivered',
      'expired',
      'replaced',
      'lost',
      'stale',
      'redeliveries',
      'latencyP50Ms',
      'latencyP99Ms',
      'connections',
      'joulesTotal',
      'joulesPerDelivered',
      'joules:phone-lte',
      'joules:sensor-nbiot',
      'violations',
      'events',
    ]);
    const byId = new Map(figures.map((f) => [f.id, f]));
    expect(byId.get('delivered')).toMatchObject({
      values: [10, 8, 10],
      best: [true, false, true],
    });
    expect(byId.get('redeliveries')?.best).toEqual([true, true, false]);
    expect(byId.get('latencyP50Ms')).toMatchObject({
      values: [40, null, 40],
      best: [false, false, false],
    });
    expect(byId.get('joules:sensor-nbiot')).toMatchObject({ values: [null, 1, null] });
    expect(byId.get('joules:phone-lte')?.best).toEqual([false, true, false]);
    expect(byId.get('accepted')?.best).toEqual([false, false, false]);
  });

  it('formats counts, durations and energy through shared/format', () => {
    expect(formatFigure(12345, 'count')).toBe('12,345');
    expect(formatFigure(3.25, 'ms')).toBe('3.25 ms');
    expect(formatFigure(1234.5, 'ms')).toBe('1.23 s');
    expect(formatFigure(292_516, 'ms')).toBe('4.88 min');
    expect(formatFigure(0.004567, 'J')).toBe('4.57 mJ');
    expect(formatFigure(12345.6, 'J')).toBe('12.3 kJ');
    expect(formatFigure(null, 'J')).toBe('—');
  });

  it('exports the table as CSV of whole numbers, the unit of each row named (ms, mJ)', () => {
    const withFloats = {
      ...result,
      rows: result.rows.map((r, i) => (i === 0 ? { ...r, latencyP50Ms: 40.4 } : r)),
    };
    const lines = compareCsv(withFloats).split('\r\n');
    expect(lines[0]).toBe('figure,unit,rfc8030,draft-thomson,draft-damaggio');
    expect(lines[2]).toBe('Delivered,count,10,8,10');
    expect(lines).toContain('Latency p50,ms,40,,40');
    expect(lines).toContain('"Joules, phone-lte",mJ,12500,10000,12500');
    for (const line of lines.slice(1)) expect(line).not.toMatch(/,-?\d+\.\d/);
    expect(lines.at(-1)).toBe('');
  });
});

describe('compare chart', () => {
  it('puts deliveries at bucket starts and pads short series with null', () => {
    expect(chartData(result, 'deliveries')).toEqual([
      [0, 10],
      [4, 6],
      [8, null],
      [4, 6],
    ]);
  });

  it('puts cumulative joules at bucket ends', () => {
    expect(chartData(result, 'joules')[0]).toEqual([10, 20]);
    expect(hasJoules(result)).toBe(true);
    const none = { ...result, rows: result.rows.map((r) => ({ ...r, joulesSeries: [] })) };
    expect(hasJoules(none)).toBe(false);
    expect(chartData(none, 'joules')).toEqual([[], [], [], []]);
  });
});

describe('compare store', () => {
  it('loads the examples once and picks the default', async () => {
    const store = createCompareStore();
    const call = vi.fn().mockResolvedValue({ ok: true, value: examples });
    await Promise.all([store.getState().loadExamples(call), store.getState().loadExamples(call)]);
    await store.getState().loadExamples(call);
    expect(call).toHaveBeenCalledTimes(1);
    expect(store.getState().form.source).toBe('smoke');
  });

  it('keeps pasted text the user typed before the examples came', async () => {
    const store = createCompareStore();
    store.getState().setForm({ pasted: 'name: mine' });
    await store.getState().loadExamples(vi.fn().mockResolvedValue({ ok: true, value: examples }));
    expect(store.getState().form.source).toBe(PASTED);
  });

  it('runs once at a time, keeps the result, and shows refusals', async () => {
    const store = createCompareStore();
    await store.getState().loadExamples(vi.fn().mockResolvedValue({ ok: true, value: examples }));
    let answer!: (value: unknown) => void;
    const call = vi.fn(() => new Promise((resolve) => (answer = resolve)));
    const running = store.getState().run(call as never);
    expect(store.getState().running).toBe(true);
    await store.getState().run(call as never);
    expect(call).toHaveBeenCalledTimes(1);
    answer({ ok: true, value: result });
    await running;
    expect(store.getState()).toMatchObject({ running: false, result, problem: null });

    const refuse = vi.fn().mockResolvedValue({
      ok: false,
      error: { code: 'ERR_BAD_SCENARIO', message: 'userAgents.0.count: too big' },
    });
    await store.getState().run(refuse);
    expect(store.getState()).toMatchObject({
      running: false,
      result,
      problem: { field: null, message: 'userAgents.0.count: too big' },
    });
  });

  it('answers a bad form without calling the lab', async () => {
    const store = createCompareStore();
    store.getState().setForm({ profiles: [] });
    const call = vi.fn();
    await store.getState().run(call);
    expect(call).not.toHaveBeenCalled();
    expect(store.getState().problem?.field).toBe('scenario');
    store.getState().setForm({ pasted: 'name: x' });
    await store.getState().run(call);
    expect(store.getState().problem?.field).toBe('profiles');
  });
});
