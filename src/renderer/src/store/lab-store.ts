/**
 * The renderer's one store: the lab model (kept current by the EventBatcher), the connection
 * status and the UI's own state. Vanilla zustand, so it runs (and is tested) without React.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Command, ResultOf, SendOutcome } from '../../../shared/commands';
import type { LabEvent } from '../../../shared/events';
import { emptyModel, type LabModel } from '../../../shared/model';
import type { Result } from '../../../shared/result';
import type { RunStatus } from '../../../shared/workbench';
import type { ConnectionStatus, LabClient } from '../bridge/client';
import { EventBatcher, type FrameScheduler } from './batcher';

export type SendCommand = Extract<Command, { type: 'send' }>;
export type SendRequest = Omit<SendCommand, 'type'>;
/** Where to travel: an event's seq, or a lab time. */
export type TravelTarget = number | { t: number };

export interface LabActions {
  /** Chooses the subscription whose queue is shown (null: the first one). */
  selectSubscription(id: string | null): void;
  selectMessage(id: string | null): void;
  showView(id: string): void;
  /** Has the lab's application server send to a subscription. Never rejects. */
  send(request: SendRequest): Promise<Result<SendOutcome>>;
  /** The engine's report of the lab so far (HTML or JSON text). Never rejects. */
  report(format: 'html' | 'json'): Promise<Result<{ format: 'html' | 'json'; content: string }>>;
  resync(): void;
  /** Any command of the contract (the views' workbench features use this). Never rejects. */
  call<C extends Command>(command: C): Promise<Result<ResultOf<C>>>;
  /**
   * Shows every view as the lab was just after event `seq` — or, given `{t}`, after the last
   * event at or before lab time `t` — detached from "now"; live events keep arriving and are
   * applied to the live model underneath. Requests made while one is on its way are
   * coalesced: only the latest is fetched next.
   */
  travelTo(to: TravelTarget): Promise<Result<void>>;
  /** Back to "now": the views follow the live lab again. */
  returnToLive(): void;
  /** Stops listening to the client and closes it. */
  dispose(): void;
}

/** Raw events kept for the log and flow views (a ring: the oldest go first). */
export const RECENT_EVENTS_MAX = 20_000;
/** Events fetched with each time-travel seek (for the log and flows at that moment). */
export const TRAVEL_WINDOW = 5_000;

export interface LabState {
  model: LabModel;
  /**
   * The most recent events, oldest first, at most RECENT_EVENTS_MAX. Replaced (not mutated)
   * once per applied batch, so views re-render at most once a frame.
   */
  recentEvents: readonly LabEvent[];
  /** The view shown in the main area (an id from features/views.ts). */
  view: string;
  /** The message the inspector shows, if any. */
  selectedMessageId: string | null;
  /** Local clock (performance.now) when `model` last changed: lets views advance `model.t`. */
  modelAt: number;
  status: ConnectionStatus;
  /** True once the connection has been open at least once. */
  hasConnected: boolean;
  selectedSubscriptionId: string | null;
  /** What the lab runs (mode, state, speed, elapsed time); null until the host says. */
  run: RunStatus | null;
  /** Where the views are travelling, or null when they follow the live lab. */
  travel: { seq: number; t: number } | null;
  /** The live model and events (the same objects as `model`/`recentEvents` when not travelling). */
  liveModel: LabModel;
  liveEvents: readonly LabEvent[];
  actions: LabActions;
}

export type LabStore = StoreApi<LabState>;

export interface LabStoreOptions {
  schedule?: FrameScheduler;
  now?: () => number;
}

export function createLabStore(client: LabClient, options: LabStoreOptions = {}): LabStore {
  const now = options.now ?? localNow;
  const unsubscribe: (() => void)[] = [];
  const batcher = new EventBatcher({
    getModel: () => store.getState().liveModel,
    // One store update per frame: the model and the events that made it, together.
    setModel: (model, applied) =>
      store.setState((state) => {
        // A snapshot older than what is shown is a new lab (a new run, a bundle): start over.
        const reset = applied.length === 0 && model.seq < state.liveModel.seq;
        const liveEvents = reset ? [] : appendBounded(state.liveEvents, applied, RECENT_EVENTS_MAX);
        if (state.travel) return { liveModel: model, liveEvents };
        return { model, liveModel: model, liveEvents, recentEvents: liveEvents, modelAt: now() };
      }),
    requestResync: () => client.resync(),
    ...(options.schedule ? { schedule: options.schedule } : {}),
    now,
  });

  // Time travel: the newest target asked for, and whether a seek is on its way.
  let wanted: TravelTarget | null = null;
  let seeking: Promise<Result<void>> | null = null;
  const seekLoop = async (): Promise<Result<void>> => {
    let last: Result<void> = { ok: true, value: undefined };
    while (wanted !== null) {
      const to = wanted;
      wanted = null;
      const where = typeof to === 'number' ? { seq: to } : { t: to.t };
      const result = await client.call({ type: 'seek', ...where, window: TRAVEL_WINDOW });
      if (!result.ok) {
        last = result;
        continue;
      }
      const epoch = store.getState().run?.epoch;
      // A seek answered for a lab that has since been replaced is dropped.
      if (epoch !== undefined && result.value.epoch !== epoch) continue;
      last = { ok: true, value: undefined };
      store.setState({
        model: result.value.model,
        recentEvents: result.value.events,
        travel: { seq: result.value.seq, t: result.value.t },
        modelAt: now(),
      });
    }
    return last;
  };

  const initialModel = emptyModel();
  const store = createStore<LabState>()((set) => ({
    model: initialModel,
    liveModel: initialModel,
    liveEvents: [],
    run: null,
    travel: null,
    modelAt: now(),
    status: 'connecting',
    hasConnected: false,
    selectedSubscriptionId: null,
    recentEvents: [],
    view: 'overview',
    selectedMessageId: null,
    actions: {
      selectSubscription: (id) => set({ selectedSubscriptionId: id }),
      selectMessage: (id) => set({ selectedMessageId: id }),
      showView: (id) => set({ view: id }),
      send: (request) => client.call({ type: 'send', ...request }),
      report: (format) => client.call({ type: 'report', format }),
      resync: () => client.resync(),
      call: (command) => client.call(command),
      travelTo: (to) => {
        wanted = to;
        seeking ??= seekLoop().finally(() => (seeking = null));
        return seeking;
      },
      returnToLive: () => {
        wanted = null;
        set((state) => ({
          travel: null,
          model: state.liveModel,
          recentEvents: state.liveEvents,
          modelAt: now(),
        }));
      },
      dispose: () => {
        for (const off of unsubscribe.splice(0)) off();
        batcher.dispose();
        client.close();
      },
    },
  }));

  unsubscribe.push(
    client.onSnapshot((model) => batcher.applySnapshot(model)),
    client.onEvents((events) => batcher.pushEvents(events)),
    client.onRunStatus((run) =>
      store.setState((state) => {
        if (state.run?.epoch === run.epoch) return { run };
        // A new lab: what was selected or travelled to belonged to the old one.
        wanted = null;
        return {
          run,
          travel: null,
          model: state.liveModel,
          // The host sends a new lab's snapshot just before its status: nothing of it is lost.
          liveEvents: [],
          recentEvents: [],
          selectedMessageId: null,
          selectedSubscriptionId: null,
        };
      }),
    ),
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

/** `list` plus `added`, keeping only the newest `max` (a new array; inputs are not changed). */
export function appendBounded<T>(
  list: readonly T[],
  added: readonly T[],
  max: number,
): readonly T[] {
  if (added.length === 0) return list;
  const joined =
    list.length + added.length <= max ? [...list, ...added] : [...list, ...added].slice(-max);
  return joined;
}

function localNow(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
