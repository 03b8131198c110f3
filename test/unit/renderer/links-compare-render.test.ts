/**
 * Server-renders the Links and Compare views over a store fed by a fake client: they render
 * before any answer arrives, with the test ids the end-to-end test relies on.
 */
import { createElement, type ComponentType } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CompareView } from '../../../src/renderer/src/features/compare/CompareView';
import { faultTypeViews } from '../../../src/main/engine/net/registry';
import { emptyForm } from '../../../src/renderer/src/features/links/fault-form';
import { FaultFormFields } from '../../../src/renderer/src/features/links/FaultFormFields';
import { LinksView } from '../../../src/renderer/src/features/links/LinksView';
import { EnergyChart } from '../../../src/renderer/src/features/metrics/EnergyChart';
import { TravelBanner } from '../../../src/renderer/src/features/timeline/TravelBanner';
import { createLabStore, LabProvider, type LabState } from '../../../src/renderer/src/store';
import type { LabEventBody } from '../../../src/shared/events';
import type { RunStatus } from '../../../src/shared/workbench';
import { fakeFrames, idleClient, modelAfter, stamp } from './fixtures';

function render(view: ComponentType, state: Partial<LabState> = {}): string {
  const client = idleClient();
  const store = createLabStore(client, { schedule: fakeFrames().schedule });
  store.setState(state);
  // Server rendering reads a store's initial state: let it read the current one.
  store.getInitialState = store.getState;
  return renderToStaticMarkup(createElement(LabProvider, { store, children: createElement(view) }));
}

const commute: RunStatus = {
  mode: 'run',
  epoch: 2,
  name: 'commute',
  scenario: 'Commute',
  state: 'paused',
  seed: 2015,
  clockMode: 'virtual',
  speed: 1,
  elapsedMs: 1_010_000,
  durationMs: null,
  events: 4,
  controllable: true,
  path: null,
  canSave: true,
  canRerun: true,
  warning: null,
  error: null,
};
const CUT = { name: 'cut', spec: { type: 'outage', name: 'cut', mode: 'reset' }, active: true };
const link = (state: 'up' | 'down', faults: (typeof CUT)[]): LabEventBody => ({
  kind: 'link.faults',
  linkId: 'tunnel:phone-1',
  agentId: 'phone-1',
  state,
  faults,
});

describe('links and compare views', () => {
  it('renders the Links view with no links before the lab has any', () => {
    const html = render(LinksView);
    expect(html).toContain('data-testid="links-view"');
    expect(html).toContain('data-testid="links-empty"');
  });

  it('lists the links of the model shown: travelled back before the cut, the link is up', () => {
    const events = stamp(1, [
      link('up', []),
      { kind: 'link.sampled', counters: { 'tunnel:phone-1': { bytesDownDelivered: 4096 } } },
      link('down', [CUT]),
    ]);
    const liveModel = modelAfter(events);
    const before = modelAfter(events.slice(0, 2));
    const travelled = render(LinksView, {
      run: commute,
      model: before,
      liveModel,
      travel: { seq: 2, t: before.t },
    });
    expect(travelled).toContain('tunnel:phone-1');
    expect(travelled).not.toContain('cut');
    expect(travelled).toMatch(/link-state-up|>up</);
    expect(travelled).toContain('4,096 bytes down');

    const now = render(LinksView, { run: commute, model: liveModel, liveModel });
    expect(now).toMatch(/link-state-down|>down</);
    expect(now).toContain('cut');
  });

  it('energy: a scenario without radios says so instead of waiting for a meter (flash crowd)', () => {
    const model = modelAfter(stamp(1, [link('up', [])]));
    const html = render(EnergyChart, { run: commute, model, liveModel: model });
    expect(html).toContain('No radio metered');
    expect(html).not.toContain('waiting for the meter');
  });

  it('energy: the series is the model shown, ending at its last sample', () => {
    const sample = (joules: number): LabEventBody => ({
      kind: 'energy.sampled',
      byClass: { 'user-agent:lte': { joules, devices: 2 } },
      devices: {},
    });
    const events = stamp(1, [sample(2), sample(4), sample(8)]);
    const live = modelAfter(events);
    const past = modelAfter(events.slice(0, 2));
    const html = render(EnergyChart, {
      run: commute,
      model: past,
      liveModel: live,
      travel: { seq: 2, t: past.t },
    });
    expect(html).toContain(`data-last-t="${events[1]!.t}"`);
    expect(html).toContain('user-agent:lte 2 J');
  });

  it('says which moment is shown, with back to live, only while travelling', () => {
    const model = modelAfter(stamp(1, [link('up', [])]));
    expect(render(TravelBanner, { run: commute, model, liveModel: model })).toBe('');
    const html = render(TravelBanner, {
      run: commute,
      model,
      liveModel: model,
      travel: { seq: 1, t: model.t },
    });
    expect(html).toContain('data-testid="travel-banner"');
    expect(html).toContain('data-testid="travel-banner-live"');
    expect(html).toContain('changes are locked');
  });

  it('renders the Compare form with a checkbox per profile, all on', () => {
    const html = render(CompareView);
    expect(html).toContain('data-testid="compare-view"');
    expect(html).toContain('data-testid="compare-run"');
    for (const p of ['rfc8030', 'draft-thomson', 'draft-damaggio']) {
      expect(html).toMatch(
        new RegExp(
          `checked=""[^>]*data-testid="compare-profile-${p}"|data-testid="compare-profile-${p}"[^>]*checked=""`,
        ),
      );
    }
    expect(html).toContain('No comparison yet');
  });

  it('builds the fault form from the structured attributes: rows, hints, enum choices', () => {
    const faultTypes = faultTypeViews();
    const outage = faultTypes.find((t) => t.type === 'outage')!;
    const html = renderToStaticMarkup(
      createElement(FaultFormFields, {
        form: emptyForm('outage', outage.attributes),
        faultTypes,
        changing: false,
        problems: {},
        onChange: () => {},
      }),
    );
    expect(html).not.toContain('fault-field-error');
    expect(html).toMatch(/value="mode"/);
    expect(html).toContain('placeholder="reset | blackhole, default reset"');
    expect(html).toMatch(/<option value="reset"><\/option><option value="blackhole"><\/option>/);
    expect(html).toContain('What happens to connections already open when the outage starts.');
    for (const t of faultTypes) expect(html).toContain(`<option value="${t.type}"`);
  });

  it("says each field's problem under it, marking the field invalid", () => {
    const faultTypes = faultTypeViews();
    const latency = faultTypes.find((t) => t.type === 'latency')!;
    const form = emptyForm('latency', latency.attributes);
    const html = renderToStaticMarkup(
      createElement(FaultFormFields, {
        form: { ...form, rows: form.rows.map((r, i) => (i === 0 ? { ...r, value: '-5' } : r)) },
        faultTypes,
        changing: false,
        problems: { 'attributes.latency': 'latency is from 0 to 3,600,000 ms, not -5' },
        onChange: () => {},
      }),
    );
    expect(html).toMatch(
      /aria-invalid="true"[^>]*value="-5"[^]*data-field="attributes.latency">latency is from 0 to 3,600,000 ms, not -5</,
    );
    expect(html.match(/data-testid="fault-field-error"/g)).toHaveLength(1);
  });
});
