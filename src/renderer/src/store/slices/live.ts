/**
 * The live slice: the lab as it is now — the model the batcher keeps folding, the newest
 * events, the show's run status and the connection — and the commands sent to it.
 */
import type { Command, ResultOf, SendOutcome } from '../../../../shared/commands';
import type { LabEvent } from '../../../../shared/events';
import type { LabModel } from '../../../../shared/model';
import type { Result } from '../../../../shared/result';
import type { RunStatus } from '../../../../shared/workbench';
import type { ConnectionStatus } from '../../bridge/client';
import type { Slice, SliceContext } from './slice';

/** Raw events kept for the log and flow views (a ring: the oldest go first). */
export const RECENT_EVENTS_MAX = 20_000;

export type SendCommand = Extract<Command, { type: 'send' }>;
export type SendRequest = Omit<SendCommand, 'type'>;

export interface LiveSlice {
  /** The live model (the same object as `model` when not travelling). */
  liveModel: LabModel;
  /** The live show's newest events, oldest first, at most RECENT_EVENTS_MAX. */
  liveEvents: readonly LabEvent[];
  /** What the lab runs (mode, state, speed, elapsed time, epoch); null until the host says. */
  run: RunStatus | null;
  status: ConnectionStatus;
  /** True once the connection has been open at least once. */
  hasConnected: boolean;
}

export interface LiveActions {
  /** Has the lab's application server send to a subscription. Never rejects. */
  send(request: SendRequest): Promise<Result<SendOutcome>>;
  /** The engine's report of the lab so far (HTML or JSON text). Never rejects. */
  report(format: 'html' | 'json'): Promise<Result<{ format: 'html' | 'json'; content: string }>>;
  resync(): void;
  /** Any command of the contract (the views' workbench features use this). Never rejects. */
  call<C extends Command>(command: C): Promise<Result<ResultOf<C>>>;
}

export function createLiveSlice(
  { client }: SliceContext,
  model: LabModel,
): Slice<LiveSlice, LiveActions> {
  return {
    initial: {
      liveModel: model,
      liveEvents: [],
      run: null,
      status: 'connecting',
      hasConnected: false,
    },
    actions: {
      send: (request) => client.call({ type: 'send', ...request }),
      report: (format) => client.call({ type: 'report', format }),
      resync: () => client.resync(),
      call: (command) => client.call(command),
    },
    // The model is the new show's snapshot already; its events start with the next batch.
    newShow: () => ({ liveEvents: [] }),
  };
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
