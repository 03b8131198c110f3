/**
 * Server-rendered markup of the timeline and the Recordings view over a store fed by a fake
 * client: the test ids and attributes the e2e test and users rely on.
 */
import { createElement, type ComponentType } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import {
  recordingsFeature,
  type RecordingsState,
} from '../../../src/renderer/src/features/recordings/recordings-store';
import { RecordingsView } from '../../../src/renderer/src/features/recordings/RecordingsView';
import { Timeline } from '../../../src/renderer/src/features/timeline/Timeline';
import { createLabStore, LabProvider, type LabState } from '../../../src/renderer/src/store';
import type { LabEvent } from '../../../src/shared/events';
import type { RunStatus } from '../../../src/shared/workbench';
import { agents, fakeFrames, modelAfter, idleClient } from './fixtures';

const run: RunStatus = {
  mode: 'replay',
  epoch: 3,
  name: 'failure.plb',
  scenario: 'Failure',
  state: 'recorded',
  seed: 7,
  clockMode: 'virtual',
  speed: 1,
  elapsedMs: 90,
  durationMs: null,
  events: 10,
  controllable: false,
  path: '/tmp/failure.plb',
  canSave: true,
  canRerun: true,
  warning: 'trace cut at line 11: the file ends inside an event',
  error: null,
};

function render(
  component: ComponentType,
  state: Partial<LabState>,
  recordings: Partial<RecordingsState> = {},
): string {
  const client = idleClient();
  const store = createLabStore(client, { schedule: fakeFrames().schedule });
  const model = modelAfter(agents(1, 10));
  store.setState({ model, liveModel: model, run, ...state });
  // Server rendering reads a store's initial state: let it read the current one.
  store.getInitialState = store.getState;
  const feature = store.feature(recordingsFeature);
  feature.setState(recordings);
  feature.getInitialState = feature.getState;
  return renderToStaticMarkup(
    createElement(LabProvider, { store, children: createElement(component) }),
  );
}

describe('timeline markup', () => {
  it('is absent until the lab has recorded events', () => {
    expect(render(Timeline, { run: { ...run, events: 0 } })).toBe('');
    expect(render(Timeline, { run: null })).toBe('');
  });

  it('shows the travelled position, the controls and the legend', () => {
    const html = render(Timeline, { travel: { seq: 4, t: 40 } });
    expect(html).toContain('data-testid="timeline"');
    expect(html).toMatch(/data-testid="timeline-position" data-seq="4" data-travelling="true"/);
    expect(html).toContain('seq 4 / 10');
    expect(html).toContain('aria-valuenow="4"');
    for (const id of ['step-back', 'step-forward', 'next-violation', 'next-message', 'play'])
      expect(html).toContain(`data-testid="timeline-${id}"`);
    // A recording has no live lab to return to.
    expect(html).not.toContain('data-testid="timeline-live"');
    expect(html).toContain('data-testid="timeline-legend-violation"');
  });

  it('offers Live while travelling in a live lab, not at "now"', () => {
    const live = { ...run, mode: 'run' as const, state: 'running' as const };
    expect(render(Timeline, { run: live, travel: { seq: 2, t: 20 } })).toContain(
      'data-testid="timeline-live"',
    );
    const now = render(Timeline, { run: live });
    expect(now).not.toContain('data-testid="timeline-live"');
    expect(now).toMatch(/data-seq="10" data-travelling="false"/);
  });
});

describe('recordings markup', () => {
  it('shows what is open with its warning, and the last error as a sentence', () => {
    const html = render(RecordingsView, {}, { error: 'notes.txt is not a Push Lab trace.' });
    expect(html).toContain('data-testid="recordings-view"');
    expect(html).toContain('failure.plb');
    expect(html).toMatch(/data-testid="bundle-warning"[^>]*>⚠ trace cut at line 11/);
    expect(html).toMatch(/data-testid="recordings-error"[^>]*>notes.txt is not a Push Lab trace/);
    for (const id of ['bundle-path', 'bundle-open', 'bundle-save-path', 'bundle-save'])
      expect(html).toContain(`data-testid="${id}"`);
  });

  it('shows a diff: figures side by side, the divergence with its differing fields', () => {
    const a = { kind: 'agent.started', agentId: 'x', seq: 5, t: 50 } as unknown as LabEvent;
    const b = { kind: 'agent.started', agentId: 'y', seq: 5, t: 50 } as unknown as LabEvent;
    const diff = {
      a: '/tmp/failure.plb',
      b: '/tmp/again.plb',
      sameScenario: false,
      divergence: { index: 4, t: 50, a, b, fields: ['agentId'] },
      figures: ['accepted: 59 → 56'],
      eventsA: 10,
      eventsB: 9,
      warnings: [],
    };
    const html = render(RecordingsView, {}, { diff });
    expect(html).toContain('data-testid="diff-result" data-diverged="true"');
    expect(html).toMatch(/<code>accepted<\/code><\/td><td class="num">59<\/td><td class="num">56/);
    expect(html).toMatch(/class="diff-differs" data-differs="true"><td><code>agentId/);
    expect(html).toMatch(/data-differs="false"><td><code>kind/);
    expect(html).toContain('different scenarios');
    expect(html).toContain('data-testid="diff-show-in-flows"');
  });
});
