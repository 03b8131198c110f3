/**
 * The show's epoch is the one signal of a new show: when it changes, the live, travel and ui
 * slices and every feature store drop what belonged to the show that ended, and nothing the
 * old show sent is applied to the new one.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { compareFeature } from '../../../src/renderer/src/features/compare/compare-store';
import { logFeature } from '../../../src/renderer/src/features/log/log-state';
import { LogView } from '../../../src/renderer/src/features/log/LogView';
import { recordingsFeature } from '../../../src/renderer/src/features/recordings/recordings-store';
import { runNoticeFeature } from '../../../src/renderer/src/features/run/run-actions';
import { scenarioFeature } from '../../../src/renderer/src/features/scenario/scenario-store';
import { createLabStore, LabProvider, type LabStore } from '../../../src/renderer/src/store';
import type { Command } from '../../../src/shared/commands';
import type { RunStatus, SeekResult } from '../../../src/shared/workbench';
import { agents, drivenClient, fakeFrames, modelAfter } from './fixtures';

const show = (epoch: number): RunStatus =>
  ({ epoch, mode: 'sandbox', state: 'running' }) as RunStatus;

/**
 * The old show: agents 1–5 ("agent-1"…); the new one: two agents of another lab ("new-1",
 * "new-2"), so its snapshot has the seq the old show's next event follows.
 */
const oldEvents = agents(1, 5);
const newModel = modelAfter(agents(1, 2).map((e) => ({ ...e, agentId: `new-${e.seq}` })));

/** A store connected to a show of epoch 1 that has applied the old show's first 2 events. */
function connected(answer?: (command: Command) => unknown) {
  const fake = drivenClient(answer);
  const frames = fakeFrames();
  const store = createLabStore(fake.client, { schedule: frames.schedule });
  fake.status('open');
  fake.snapshot(modelAfter([]));
  fake.runStatus(show(1));
  fake.events(oldEvents.slice(0, 2));
  frames.frame();
  return { fake, frames, store };
}

function agentIds(store: LabStore): string[] {
  return [...store.getState().liveModel.agents.keys()];
}

describe('a new show (the epoch changes)', () => {
  it('drops old-show batches still queued when the new show starts', () => {
    const { fake, frames, store } = connected();
    // Old events arrive but wait for a frame; then the host switches shows.
    fake.events(oldEvents.slice(2));
    fake.snapshot(newModel);
    fake.runStatus(show(2));
    frames.frame();
    // Before: events 3–5 (seq above the new snapshot's) were folded into the new show.
    expect(agentIds(store)).toEqual(['new-1', 'new-2']);
    expect(store.getState().liveModel.seq).toBe(newModel.seq);
    expect(store.getState().model).toBe(store.getState().liveModel);
    expect(store.getState().recentEvents).toEqual([]);
  });

  it('undoes old-show events a frame applied between the snapshot and its status', () => {
    const { fake, frames, store } = connected();
    fake.events(oldEvents.slice(2));
    fake.snapshot(newModel);
    frames.frame();
    fake.runStatus(show(2));
    expect(agentIds(store)).toEqual(['new-1', 'new-2']);
    expect(store.getState().liveEvents).toEqual([]);
    // The new show's own events then follow its snapshot.
    fake.events(agents(3, 1));
    frames.frame();
    expect(store.getState().liveModel.seq).toBe(3);
  });

  it('clears the travelled model, the selection, and keeps the view', async () => {
    const travelled: SeekResult = {
      epoch: 1,
      seq: 2,
      t: 20,
      model: modelAfter(oldEvents.slice(0, 2)),
      events: oldEvents.slice(0, 2),
    };
    const { fake, store } = connected((c) =>
      c.type === 'seek' ? { ok: true, value: travelled } : { ok: true, value: null },
    );
    const { actions } = store.getState();
    actions.showView('flows');
    actions.selectMessage('m1');
    actions.selectSubscription('sub-1');
    await actions.travelTo(2);
    expect(store.getState().travel).toEqual({ seq: 2, t: 20 });

    fake.snapshot(newModel);
    fake.runStatus(show(2));
    expect(store.getState()).toMatchObject({
      travel: null,
      model: newModel,
      recentEvents: [],
      selectedMessageId: null,
      selectedSubscriptionId: null,
      view: 'flows',
      run: { epoch: 2 },
    });
  });

  it('keeps everything when a status repeats the epoch (a reconnect, a state change)', () => {
    const { fake, store } = connected();
    store.getState().actions.selectMessage('m1');
    store.feature(runNoticeFeature).getState().show('Pause failed: not running');
    fake.runStatus({ ...show(1), state: 'paused' });
    expect(store.getState().selectedMessageId).toBe('m1');
    expect(store.getState().liveEvents).toHaveLength(2);
    expect(store.feature(runNoticeFeature).getState().notice).toBe('Pause failed: not running');
  });

  it("resets each feature store's per-show state and keeps what is not per show", () => {
    const { fake, store } = connected();
    const log = store.feature(logFeature);
    log.getState().pause(store.getState().recentEvents, 2);
    log.getState().setText('agent');
    store.feature(runNoticeFeature).getState().show('Stop failed: nothing runs');
    store.feature(scenarioFeature).getState().setText('name: kept\n');
    store.feature(compareFeature).getState().setForm({ pasted: 'name: compared\n' });
    store.feature(recordingsFeature).setState({ notice: 'Opened a.plb: 5 events.' });

    fake.snapshot(newModel);
    fake.runStatus(show(2));
    expect(log.getState().paused).toBeNull();
    expect(log.getState().text).toBe('agent');
    expect(store.feature(runNoticeFeature).getState().notice).toBeNull();
    expect(store.feature(scenarioFeature).getState().text).toBe('name: kept\n');
    expect(store.feature(compareFeature).getState().form.pasted).toBe('name: compared\n');
    expect(store.feature(recordingsFeature).getState().notice).toBe('Opened a.plb: 5 events.');
  });

  it("no longer shows a paused log of the old show's events", () => {
    const { fake, store } = connected();
    store.feature(logFeature).getState().pause(store.getState().recentEvents, 2);
    const render = () => {
      store.getInitialState = store.getState;
      const log = store.feature(logFeature);
      log.getInitialState = log.getState;
      return renderToStaticMarkup(
        createElement(LabProvider, { store, children: createElement(LogView) }),
      );
    };
    expect(render()).toContain('agent-2');

    fake.snapshot(newModel);
    fake.runStatus(show(2));
    // Before: the log store was a module singleton no show reset; it kept listing agent-2.
    expect(render()).not.toContain('agent-2');
  });

  it('gives two lab stores two sets of feature stores', () => {
    const a = connected().store;
    const b = connected().store;
    a.feature(scenarioFeature).getState().setText('only in a');
    expect(b.feature(scenarioFeature).getState().text).toBe('');
    expect(a.feature(scenarioFeature)).toBe(a.feature(scenarioFeature));
  });
});
