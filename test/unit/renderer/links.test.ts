/** The Links view's pure logic: templates and selection, the fault form, edit plans, calls. */
import { describe, expect, it, vi } from 'vitest';
import { faultTypeViews } from '../../../src/main/engine/net/registry';
import {
  attributeHint,
  buildFaultSpec,
  emptyForm,
  formFromSpec,
  parseAttributeValue,
  withSpareRow,
  withType,
  type FaultForm,
} from '../../../src/renderer/src/features/links/fault-form';
import { covers, CUT_FAULT, planEdit } from '../../../src/renderer/src/features/links/fault-plan';
import {
  groupByTemplate,
  pruneSelection,
  selectTemplate,
  templateOf,
  toggleAll,
  toggleLink,
} from '../../../src/renderer/src/features/links/link-selection';
import { runCalls } from '../../../src/renderer/src/features/links/run-calls';
import { linkViews } from '../../../src/renderer/src/features/links/useLinks';
import { applyEvents, emptyModel } from '../../../src/shared/model';
import type { FaultAttribute, FaultView, LinkView } from '../../../src/shared/workbench';
import { stamp } from './fixtures';

const fault = (name: string, spec: Record<string, unknown>, active = true): FaultView => ({
  name,
  spec: { name, ...spec },
  active,
});

const link = (id: string, faults: FaultView[] = []): LinkView => ({
  id,
  agentId: id.slice(id.indexOf(':') + 1),
  state: faults.length > 0 ? 'impaired' : 'up',
  faults,
  counters: {},
  connections: 1,
});

const slow = fault('slow', { type: 'latency', attributes: { latency: 300, jitter: 0 } });
const links = [
  link('train:phone-1', [slow]),
  link('train:phone-2', [slow]),
  link('cell:phone-3'),
  link('solo'),
];
const TYPES = ['latency', 'outage', 'loss'];

describe('link templates and selection', () => {
  it('takes the template from the id before the first colon', () => {
    expect(templateOf('train:phone-1')).toBe('train');
    expect(templateOf('a:b:c')).toBe('a');
    expect(templateOf('solo')).toBe('solo');
  });

  it('groups links by template in the order they appear', () => {
    expect(groupByTemplate(links)).toEqual([
      { template: 'train', linkIds: ['train:phone-1', 'train:phone-2'] },
      { template: 'cell', linkIds: ['cell:phone-3'] },
      { template: 'solo', linkIds: ['solo'] },
    ]);
  });

  it('selects one, several, a template, all and none', () => {
    let s: ReadonlySet<string> = new Set<string>();
    s = toggleLink(s, 'solo');
    s = toggleLink(s, 'cell:phone-3');
    expect([...s]).toEqual(['solo', 'cell:phone-3']);
    expect([...toggleLink(s, 'solo')]).toEqual(['cell:phone-3']);
    expect([...selectTemplate(links, 'train')]).toEqual(['train:phone-1', 'train:phone-2']);
    const all = toggleAll(links, s);
    expect(all.size).toBe(4);
    expect(toggleAll(links, all).size).toBe(0);
  });

  it('drops links that are no longer listed, keeping the same set when none went', () => {
    const s = new Set(['solo', 'gone']);
    expect([...pruneSelection(s, links)]).toEqual(['solo']);
    const kept = new Set(['solo']);
    expect(pruneSelection(kept, links)).toBe(kept);
  });
});

describe('fault form', () => {
  /** The attributes the engine sends, as data. */
  const attributesOf = (type: string): readonly FaultAttribute[] =>
    faultTypeViews().find((t) => t.type === type)!.attributes;
  const form = (patch: Partial<FaultForm>): FaultForm => ({ ...emptyForm('latency'), ...patch });

  it('makes a spec from fields, typing the values', () => {
    const result = buildFaultSpec(
      form({
        name: ' radio ',
        stream: 'both',
        toxicity: '0.5',
        rows: [
          { name: 'latency', value: '300' },
          { name: 'jitter', value: ' 50 ' },
          { name: '', value: '' },
        ],
      }),
      TYPES,
    );
    expect(result).toEqual({
      ok: true,
      spec: {
        type: 'latency',
        name: 'radio',
        stream: 'both',
        toxicity: 0.5,
        attributes: { latency: 300, jitter: 50 },
      },
    });
  });

  it('leaves out what is left empty, for the engine to default', () => {
    expect(buildFaultSpec(emptyForm('outage', attributesOf('outage')), TYPES)).toEqual({
      ok: true,
      spec: { type: 'outage', attributes: {} },
    });
  });

  it('gives a blank form a row per attribute, and follows a new type until values are typed', () => {
    const blank = emptyForm('latency', attributesOf('latency'));
    expect(blank.rows).toEqual([
      { name: 'latency', value: '' },
      { name: 'jitter', value: '' },
      { name: '', value: '' },
    ]);
    const outage = withType(blank, 'outage', attributesOf('outage'));
    expect(outage.rows.map((r) => r.name)).toEqual(['mode', '']);
    const typed = { ...blank, rows: [{ name: 'latency', value: '5' }] };
    expect(withType(typed, 'outage', attributesOf('outage')).rows).toEqual(typed.rows);
    expect(withSpareRow(typed.rows)).toEqual([...typed.rows, { name: '', value: '' }]);
    expect(withSpareRow(blank.rows)).toBe(blank.rows);
  });

  it('reads attributes and a schedule as JSON', () => {
    const result = buildFaultSpec(
      form({
        attributesMode: 'json',
        json: '{"latency": 100}',
        schedule: '{"kind":"markov","onMeanMs":5000,"offMeanMs":60000}',
      }),
      TYPES,
    );
    expect(result).toMatchObject({
      ok: true,
      spec: {
        attributes: { latency: 100 },
        schedule: { kind: 'markov', onMeanMs: 5000, offMeanMs: 60000 },
      },
    });
  });

  it('names the field, the value and what is allowed for each problem', () => {
    const problem = (patch: Partial<FaultForm>) => {
      const r = buildFaultSpec(form(patch), TYPES);
      if (r.ok) throw new Error('expected a problem');
      return [r.field, r.message];
    };
    expect(problem({ type: 'jitterbug' })).toEqual([
      'type',
      'type: not a fault type (got "jitterbug", allowed latency, outage, loss)',
    ]);
    expect(problem({ toxicity: 'lots' })).toEqual([
      'toxicity',
      'toxicity: not a number (got "lots", allowed a number from 0 to 1)',
    ]);
    expect(problem({ attributesMode: 'json', json: '{latency: 3' })[1]).toMatch(
      /^attributes: not valid JSON \(got "\{latency: 3", allowed a JSON object/,
    );
    expect(problem({ attributesMode: 'json', json: '[1]' })[1]).toMatch(
      /^attributes: not a JSON object \(got "\[1\]"/,
    );
    expect(problem({ schedule: 'always' })[0]).toBe('schedule');
    expect(problem({ rows: [{ name: '', value: '3' }] })).toEqual([
      'attributes[1]',
      'attributes[1]: no name (got "", allowed an attribute name such as latency)',
    ]);
    expect(
      problem({
        rows: [
          { name: 'latency', value: '1' },
          { name: 'latency', value: '2' },
        ],
      }),
    ).toEqual([
      'attributes.latency',
      'attributes.latency: given twice (got "2", allowed each attribute once)',
    ]);
  });

  it('types attribute values: numbers, booleans, else text', () => {
    expect(parseAttributeValue('1e3')).toBe(1000);
    expect(parseAttributeValue('-2.5')).toBe(-2.5);
    expect(parseAttributeValue('true')).toBe(true);
    expect(parseAttributeValue('blackhole')).toBe('blackhole');
    expect(parseAttributeValue('')).toBe('');
  });

  it('fills the form from a fault, and the form gives the same spec back', () => {
    const spec = {
      type: 'latency',
      name: 'slow',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 300, jitter: 0 },
      schedule: { kind: 'timeline', windows: [{ fromMs: 0, toMs: 10 }] },
    };
    const filled = formFromSpec(spec);
    expect(filled).toMatchObject({ type: 'latency', name: 'slow', stream: 'downstream' });
    expect(filled.rows.at(-1)).toEqual({ name: '', value: '' });
    expect(buildFaultSpec(filled, TYPES)).toEqual({ ok: true, spec });
    expect(formFromSpec({ ...spec, schedule: { kind: 'always' } }).schedule).toBe('');
  });

  it('gives every attribute of every type a row, whatever its description says', () => {
    // The old form read names back out of prose; a description naming other words (or
    // none) must not change the rows: they come from the attribute table.
    for (const t of faultTypeViews()) {
      const rows = emptyForm(t.type, t.attributes).rows.map((r) => r.name);
      expect(rows).toEqual([...t.attributes.map((a) => a.name), '']);
    }
    const misleading: FaultAttribute[] = [
      {
        name: 'p',
        type: 'probability',
        unit: null,
        min: 0,
        max: 1,
        description: 'see `r` (1 − p), jitter: never; latency, bytes',
      },
    ];
    expect(emptyForm('loss', misleading).rows.map((r) => r.name)).toEqual(['p', '']);
  });

  it('hints each attribute with its unit, range, default and allowed values', () => {
    const latency = attributesOf('latency');
    expect(attributeHint(latency, 'latency').placeholder).toBe('ms, 0 to 3,600,000, required');
    expect(attributeHint(latency, ' jitter ').placeholder).toBe('ms, 0 to 3,600,000, default 0');
    expect(attributeHint(latency, 'jitter').title).toContain('Half-width');
    const outage = attributeHint(attributesOf('outage'), 'mode');
    expect(outage.values).toEqual(['reset', 'blackhole']);
    expect(outage.placeholder).toBe('reset | blackhole, default reset');
    const loss = attributesOf('loss');
    expect(attributeHint(loss, 'r').placeholder).toBe('probability, 0 to 1, default 1 − p');
    // The prose said "rate: number, 0 to 10000000" and "delay: number" (slicer's is in µs):
    // a form reading it offered 0, which the engine refuses, and hid the unit.
    expect(attributeHint(attributesOf('idle_timeout'), 'timeout').placeholder).toBe(
      'ms, > 0 and ≤ 86,400,000, required',
    );
    expect(attributeHint(attributesOf('slicer'), 'delay').placeholder).toBe(
      'µs, 0 to 10,000,000, default 0',
    );
    expect(attributeHint(attributesOf('bandwidth'), 'rate').placeholder).toBe(
      'KB/s, > 0 and ≤ 10,000,000, required',
    );
    expect(attributeHint(latency, 'latancy')).toEqual({
      placeholder: 'value',
      title: 'value',
      values: [],
    });
  });
});

describe('fault edit plans', () => {
  const all = new Set(links.map((l) => l.id));

  it('sends one call per distinct resulting fault list', () => {
    const calls = planEdit(links, all, { kind: 'upsert', fault: CUT_FAULT });
    expect(calls).toEqual([
      { linkIds: ['train:phone-1', 'train:phone-2'], faults: [slow.spec, CUT_FAULT] },
      { linkIds: ['cell:phone-3', 'solo'], faults: [CUT_FAULT] },
    ]);
  });

  it('leaves out links an edit does not change', () => {
    const cut = links.map((l) => link(l.id, [...l.faults, fault('cut', CUT_FAULT)]));
    expect(planEdit(cut, all, { kind: 'upsert', fault: CUT_FAULT })).toEqual([]);
    expect(planEdit(links, all, { kind: 'remove', name: 'cut' })).toEqual([]);
    expect(planEdit(cut, new Set(['solo']), { kind: 'remove', name: 'cut' })).toEqual([
      { linkIds: ['solo'], faults: [] },
    ]);
  });

  it('changes a fault in place, only where a link has it', () => {
    const faster = { type: 'latency', name: 'slow', attributes: { latency: 50 } };
    const two = [link('x:a', [slow, fault('cut', CUT_FAULT)]), link('x:b')];
    expect(
      planEdit(two, new Set(['x:a', 'x:b']), { kind: 'change', name: 'slow', fault: faster }),
    ).toEqual([{ linkIds: ['x:a'], faults: [faster, { ...CUT_FAULT }] }]);
  });

  it('sees a cut as there when the listed spec, defaults filled in, says what the cut says', () => {
    const normalised = { ...CUT_FAULT, stream: 'both', toxicity: 1, schedule: { kind: 'always' } };
    expect(covers(normalised, CUT_FAULT)).toBe(true);
    expect(covers({ ...normalised, attributes: { mode: 'blackhole' } }, CUT_FAULT)).toBe(false);
    expect(covers({ windows: [{ fromMs: 0, toMs: 1 }] }, { windows: [{ fromMs: 0 }] })).toBe(true);
    expect(covers({ windows: [] }, { windows: [{ fromMs: 0 }] })).toBe(false);
    const blackholed = [
      link('x:a', [fault('cut', { ...normalised, attributes: { mode: 'blackhole' } })]),
    ];
    expect(planEdit(blackholed, new Set(['x:a']), { kind: 'upsert', fault: CUT_FAULT })).toEqual([
      { linkIds: ['x:a'], faults: [CUT_FAULT] },
    ]);
  });

  it('adds at the end and sets whole lists', () => {
    const loss = { type: 'loss', attributes: { p: 0.1 } };
    expect(planEdit(links, new Set(['solo']), { kind: 'add', fault: loss })).toEqual([
      { linkIds: ['solo'], faults: [loss] },
    ]);
    expect(planEdit(links, new Set(['solo', 'cell:phone-3']), { kind: 'set', faults: [] })).toEqual(
      [{ linkIds: ['cell:phone-3', 'solo'], faults: [] }],
    );
  });
});

describe('running the calls of an edit', () => {
  const calls = [
    { linkIds: ['a', 'b'], faults: [] },
    { linkIds: ['c'], faults: [] },
  ];

  it('sends each call in turn and reports the links changed', async () => {
    const call = vi.fn(async (c: { linkIds: string[] }) => ({
      ok: true as const,
      value: c.linkIds.map((id) => link(id)),
    }));
    const outcome = await runCalls(call, calls);
    expect(outcome).toEqual({ ok: true, changed: 3 });
    expect(call).toHaveBeenCalledTimes(2);
    expect(call).toHaveBeenCalledWith({ type: 'link.faults', linkIds: ['c'], faults: [] });
  });

  it('stops at a refusal, keeping its message and saying what had changed', async () => {
    const call = vi
      .fn()
      .mockResolvedValueOnce({ ok: true, value: [] })
      .mockResolvedValueOnce({
        ok: false,
        error: {
          code: 'ERR_BAD_FAULT',
          message: 'faults.0.attributes.latency: too small (got -1, allowed ≥ 0)',
        },
      });
    expect(await runCalls(call, calls)).toEqual({
      ok: false,
      message:
        'faults.0.attributes.latency: too small (got -1, allowed ≥ 0) (2 of 3 links had already changed; the rest did not)',
    });
  });
});

describe('links from the model', () => {
  it("lists the model's links with faults, counters and connections, one list per table version", () => {
    const cut = { name: 'cut', spec: { type: 'outage', name: 'cut', mode: 'reset' }, active: true };
    const model = applyEvents(
      emptyModel(),
      stamp(1, [
        {
          kind: 'link.faults',
          linkId: 'tunnel:phone-1',
          agentId: 'phone-1',
          state: 'up',
          faults: [],
        },
        {
          kind: 'link.faults',
          linkId: 'tunnel:phone-1',
          agentId: 'phone-1',
          state: 'down',
          faults: [cut],
        },
        {
          kind: 'link.sampled',
          counters: { 'tunnel:phone-1': { bytesDownDelivered: 1200, connectionsActive: 1 } },
        },
      ]),
    );
    const rows = linkViews(model.links);
    expect(rows).toEqual([
      {
        id: 'tunnel:phone-1',
        agentId: 'phone-1',
        state: 'down',
        faults: [cut],
        counters: { bytesDownDelivered: 1200, connectionsActive: 1 },
        connections: 1,
      },
    ]);
    expect(linkViews(model.links)).toBe(rows);
  });
});
