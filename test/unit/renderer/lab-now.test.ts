/**
 * The lab's "now" between events (useLabNow, selectLabPace): it runs at the run's pace while
 * the views follow a running lab and stands still at a travelled moment, a paused or ended run
 * and a recording — a TTL countdown or a chart's quiet seconds never go on past what is shown.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { useLabNow } from '../../../src/renderer/src/features/messages/useLabNow';
import {
  createLabStore,
  LabProvider,
  selectLabPace,
  type LabState,
} from '../../../src/renderer/src/store';
import type { RunStatus } from '../../../src/shared/workbench';
import { agents, fakeFrames, idleClient, modelAfter } from './fixtures';

const running: RunStatus = {
  mode: 'run',
  epoch: 2,
  name: 'Smoke',
  scenario: 'Smoke',
  state: 'running',
  seed: 1,
  clockMode: 'virtual',
  speed: 4,
  elapsedMs: 1_000,
  durationMs: 60_000,
  events: 10,
  controllable: true,
  path: null,
  canSave: false,
  canRerun: false,
  warning: null,
  error: null,
};

const model = modelAfter(agents(1, 10));

/** The state a view reads: the running lab above, live, unless told otherwise. */
function state(patch: Partial<LabState> = {}): LabState {
  const store = createLabStore(idleClient(), { schedule: fakeFrames().schedule });
  // The model arrived long ago (local time), so a running estimate is far past model.t.
  store.setState({ model, liveModel: model, run: running, modelAt: -1e9, ...patch });
  return store.getState();
}

/** What useLabNow(true) gives a view over that state (server-rendered once). */
function labNow(patch: Partial<LabState> = {}): number {
  const store = createLabStore(idleClient(), { schedule: fakeFrames().schedule });
  store.setState(state(patch));
  store.getInitialState = store.getState;
  const Probe = () => createElement('i', null, String(useLabNow(true)));
  const html = renderToStaticMarkup(
    createElement(LabProvider, { store, children: createElement(Probe) }),
  );
  return Number(/<i>([^<]*)<\/i>/.exec(html)![1]);
}

describe("the lab's now between events", () => {
  it("runs at the run's pace while the views follow a running lab", () => {
    expect(selectLabPace(state())).toBe(4);
    expect(selectLabPace(state({ run: { ...running, clockMode: 'real', speed: 1 } }))).toBe(1);
    // 1e9 local ms since the model arrived, at 4 lab ms each.
    expect(labNow()).toBeGreaterThanOrEqual(model.t + 4e9);
  });

  it('stands still at a travelled moment, a paused, ended or unpaced run and a recording', () => {
    const still: Partial<LabState>[] = [
      { travel: { seq: model.seq, t: model.t } },
      { run: { ...running, state: 'paused' } },
      { run: { ...running, state: 'finished' } },
      { run: { ...running, state: 'stopped' } },
      { run: { ...running, mode: 'replay', state: 'recorded' } },
      { run: { ...running, speed: 0 } },
      { run: null },
    ];
    for (const patch of still) {
      expect(selectLabPace(state(patch))).toBe(0);
      expect(labNow(patch)).toBe(model.t);
    }
  });
});
