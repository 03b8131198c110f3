/**
 * The renderer's one store, in slices (store/slices/): `live` (the live model the batcher keeps
 * current, the newest events, the run status, the connection), `travel` (what the views show:
 * the live model or a moment of the past) and `ui` (what the user chose to look at), plus the
 * feature stores (store/features.ts). Vanilla zustand, so it runs (and is tested) without React.
 *
 * A new show is noticed in one place: a run status whose epoch differs from the last one.
 * Then every slice and every feature store drops what belonged to the old show (newShow).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { emptyModel } from '../../../shared/model';
import type { RunStatus } from '../../../shared/workbench';
import type { LabClient } from '../bridge/client';
import { EventBatcher, type FrameScheduler } from './batcher';
import { FeatureStores, type FeatureDef } from './features';
import {
  appendBounded,
  createLiveSlice,
  RECENT_EVENTS_MAX,
  type LiveActions,
  type LiveSlice,
} from './slices/live';
import type { SliceContext } from './slices/slice';
import { createTravelSlice, type TravelActions, type TravelSlice } from './slices/travel';
import { createUiSlice, type UiActions, type UiSlice } from './slices/ui';

export { appendBounded, RECENT_EVENTS_MAX } from './slices/live';
export type { SendCommand, SendRequest } from './slices/live';
export { TRAVEL_WINDOW, type TravelTarget } from './slices/travel';

export interface LabActions extends LiveActions, TravelActions, UiActions {
  /** Stops listening to the client and closes it. */
  dispose(): void;
}

export interface LabState extends LiveSlice, TravelSlice, UiSlice {
  actions: LabActions;
}

export type LabStore = StoreApi<LabState> & {
  /** This store's instance of a feature's store (made on first use, reset with each show). */
  feature<S>(def: FeatureDef<S>): StoreApi<S>;
};

export interface LabStoreOptions {
  schedule?: FrameScheduler;
  now?: () => number;
}

export function createLabStore(client: LabClient, options: LabStoreOptions = {}): LabStore {
  const now = options.now ?? localNow;
  const unsubscribe: (() => void)[] = [];
  const features = new FeatureStores();
  const batcher = new EventBatcher({
    getModel: () => store.getState().liveModel,
    // One store update per frame: the model and the events that made it, together.
    setModel: (model, applied) =>
      store.setState((state) => {
        const liveEvents = appendBounded(state.liveEvents, applied, RECENT_EVENTS_MAX);
        if (state.travel) return { liveModel: model, liveEvents };
        return { model, liveModel: model, liveEvents, recentEvents: liveEvents, modelAt: now() };
      }),
    requestResync: () => client.resync(),
    ...(options.schedule ? { schedule: options.schedule } : {}),
    now,
  });

  const initialModel = emptyModel();
  const makeSlices = (context: SliceContext) => ({
    live: createLiveSlice(context, initialModel),
    travel: createTravelSlice(context, initialModel),
    ui: createUiSlice(context),
  });
  // Made inside the one createStore call (they need its set and get); kept for newShow.
  let slices!: ReturnType<typeof makeSlices>;
  const vanilla = createStore<LabState>()((set, get) => {
    slices = makeSlices({ set, get, client, now });
    const { live, travel, ui } = slices;
    return {
      ...live.initial,
      ...travel.initial,
      ...ui.initial,
      actions: {
        ...live.actions,
        ...travel.actions,
        ...ui.actions,
        dispose: () => {
          for (const off of unsubscribe.splice(0)) off();
          batcher.dispose();
          client.close();
        },
      },
    };
  });
  const store: LabStore = Object.assign(vanilla, {
    feature: <S>(def: FeatureDef<S>) => features.get(def),
  });

  /** The one place a new show is noticed: every slice and feature drops the old show's state. */
  const startShow = (run: RunStatus): void => {
    const snapshot = batcher.startShow();
    store.setState((state) => {
      const started = { ...state, liveModel: snapshot ?? state.liveModel };
      const resets = Object.values(slices).map((slice) => slice.newShow(started));
      return Object.assign({ liveModel: started.liveModel, run }, ...resets) as Partial<LabState>;
    });
    features.newShow();
  };

  unsubscribe.push(
    client.onSnapshot((model) => batcher.applySnapshot(model)),
    client.onEvents((events) => batcher.pushEvents(events)),
    client.onRunStatus((run) => {
      if (store.getState().run?.epoch === run.epoch) store.setState({ run });
      else startShow(run);
    }),
    client.onStatus((status) => {
      // A new connection starts with a snapshot; until it comes, gaps are expected.
      if (status !== 'open') batcher.expectSnapshot();
      store.setState((state) => ({
        status,
        hasConnected: state.hasConnected || status === 'open',
      }));
    }),
  );

  return store;
}

function localNow(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
