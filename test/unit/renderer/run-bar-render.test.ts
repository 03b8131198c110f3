/**
 * Issue 11: the run bar and the timeline's end show one "now" — the status's lab time of the
 * last recorded event — whatever the live model has folded since (it used to be derived twice:
 * the run bar from the status, the timeline from the model, and they disagreed).
 */
import { createElement, type ComponentType } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { RunControls } from '../../../src/renderer/src/features/run/RunControls';
import { Timeline } from '../../../src/renderer/src/features/timeline/Timeline';
import { createLabStore, LabProvider, type LabState } from '../../../src/renderer/src/store';
import type { RunStatus } from '../../../src/shared/workbench';
import { agents, fakeFrames, idleClient, modelAfter } from './fixtures';

const paused: RunStatus = {
  mode: 'run',
  epoch: 2,
  name: 'Commute',
  scenario: 'Commute',
  state: 'paused',
  seed: 2015,
  clockMode: 'virtual',
  speed: 10,
  // 16:49.7 of lab time, as the engine's timeline ends.
  elapsedMs: 1_009_700,
  durationMs: 1_800_000,
  events: 4_321,
  controllable: true,
  path: null,
  canSave: true,
  canRerun: true,
  warning: null,
  error: null,
};

const model = modelAfter(agents(1, 10));

function render(component: ComponentType, run: RunStatus, state: Partial<LabState> = {}): string {
  const store = createLabStore(idleClient(), { schedule: fakeFrames().schedule });
  store.setState({ model, liveModel: model, run, ...state });
  store.getInitialState = store.getState;
  return renderToStaticMarkup(
    createElement(LabProvider, { store, children: createElement(component) }),
  );
}

const text = (html: string) => html.replace(/<[^>]+>/g, '');

describe('one "now" for the run bar and the timeline', () => {
  it("both show the status's lab time of the last event, and its count", () => {
    const bar = render(RunControls, paused);
    expect(bar).toMatch(/data-testid="run-elapsed">00:16:49\.700</);
    expect(bar).toMatch(/data-testid="run-events">4,321 events/);
    const timeline = text(render(Timeline, paused));
    expect(timeline).toContain('now 16:49.7 / 16:49.7');
  });

  it('a travelled moment is measured from the same origin, against the same end', () => {
    const t = (model.startT ?? 0) + 60_000;
    const html = text(render(Timeline, paused, { travel: { seq: 3, t } }));
    expect(html).toContain('travelling 01:00.0 / 16:49.7');
  });
});

describe('a recording still being indexed (issue 13)', () => {
  const indexing: RunStatus = {
    ...paused,
    mode: 'replay',
    state: 'recorded',
    controllable: false,
    events: 4_096,
    indexing: 0.42,
    warning:
      'indexing the recording: 42 % read, 4,096 events so far; travel reaches the last one indexed',
  };

  it('the run bar shows how far, and says what travel reaches; none once it is whole', () => {
    const bar = render(RunControls, indexing);
    expect(bar).toMatch(/<progress[^>]*data-testid="run-indexing"[^>]*value="0.42"/);
    expect(text(bar)).toContain('42 % read, 4,096 events so far');
    const whole = render(RunControls, { ...indexing, indexing: null, warning: null });
    expect(whole).not.toContain('run-indexing');
  });
});
