/**
 * The renderer's one store: the lab model (kept current by the EventBatcher), the connection
 * status and the UI's own state. Vanilla zustand, so it runs (and is tested) without React.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Command, SendOutcome } from '../../../shared/commands';
import type { LabEvent } from '../../../shared/events';
import { emptyModel, type LabModel } from '../../../shared/model';
import type { Result } from '../../../shared/result';
import type { ConnectionStatus, LabClient } from '../bridge/client';
import { EventBatcher, type FrameScheduler } from './batcher';

export type SendCommand = Extract<Command, { type: 'send' }>;
export type SendRequest = Omit<SendCommand, 'type'>;

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
  /** Stops listening to the client and closes it. */
  dispose(): void;
}

/** Raw events kept for the log and flow views (a ring: the oldest go first). */
export const RECENT_EVENTS_MAX = 20_000;

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
    getModel: () => store.getState().model,
    // One store update per frame: the model and the events that made it, together.
    setModel: (model, applied) =>
      store.setState((state) => ({
        model,
        modelAt: now(),
        recentEvents: appendBounded(state.recentEvents, applied, RECENT_EVENTS_MAX),
      })),
    requestResync: () => client.resync(),
    ...(options.schedule ? { schedule: options.schedule } : {}),
    now,
  });

  const store = createStore<LabState>()((set) => ({
    model: emptyModel(),
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
