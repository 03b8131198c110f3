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
import { createLabStore, LabProvider } from '../../../src/renderer/src/store';
import { fakeFrames, idleClient } from './fixtures';

function render(view: ComponentType): string {
  const client = idleClient();
  const store = createLabStore(client, { schedule: fakeFrames().schedule });
  return renderToStaticMarkup(createElement(LabProvider, { store, children: createElement(view) }));
}

describe('links and compare views', () => {
  it('renders the Links view while the links are on their way', () => {
    const html = render(LinksView);
    expect(html).toContain('data-testid="links-view"');
    expect(html).toContain('Loading links');
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
        invalidField: null,
        onChange: () => {},
      }),
    );
    expect(html).toMatch(/value="mode"/);
    expect(html).toContain('placeholder="reset | blackhole, default reset"');
    expect(html).toMatch(/<option value="reset"><\/option><option value="blackhole"><\/option>/);
    expect(html).toContain('What happens to connections already open when the outage starts.');
    for (const t of faultTypes) expect(html).toContain(`<option value="${t.type}"`);
  });
});
