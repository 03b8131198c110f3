/**
 * The renderer's one store: the lab model (kept current by the EventBatcher), the connection
 * status and the UI's own state. Vanilla zustand, so it runs (and is tested) without React.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Command, SendOutcome } from '../../../shared/commands';
import { emptyModel, type LabModel } from '../../../shared/model';
import type { Result } from '../../../shared/result';
import type { ConnectionStatus, LabClient } from '../bridge/client';
import { EventBatcher, type FrameScheduler } from './batcher';

export type SendCommand = Extract<Command, { type: 'send' }>;
export type SendRequest = Omit<SendCommand, 'type'>;

export interface LabActions {
  /** Chooses the subscription whose queue is shown (null: the first one). */
  selectSubscription(id: string | null): void;
  /** Has the lab's application server send to a subscription. Never rejects. */
  send(request: SendRequest): Promise<Result<SendOutcome>>;
  resync(): void;
  /** Stops listening to the client and closes it. */
  dispose(): void;
}

export interface LabState {
  model: LabModel;
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
    setModel: (model) => store.setState({ model, modelAt: now() }),
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
    actions: {
      selectSubscription: (id) => set({ selectedSubscriptionId: id }),
      send: (request) => client.call({ type: 'send', ...request }),
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

function localNow(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
