/**
 * The travel slice: what the views show — the live model, or the model at a moment of the
 * show's past fetched with `seek` — the events around it, and the seek in progress.
 */
import type { LabEvent } from '../../../../shared/events';
import type { LabModel } from '../../../../shared/model';
import type { Result } from '../../../../shared/result';
import type { Slice, SliceContext } from './slice';

/** Events fetched with each time-travel seek (for the log and flows at that moment). */
export const TRAVEL_WINDOW = 5_000;

/** Where to travel: an event's seq, or a lab time. */
export type TravelTarget = number | { t: number };

export interface TravelSlice {
  /** The model every view shows: the live one, or the travelled one while travelling. */
  model: LabModel;
  /**
   * The events around `model`, oldest first: the live ring, or the seek's window. Replaced
   * (not mutated) once per applied batch, so views re-render at most once a frame.
   */
  recentEvents: readonly LabEvent[];
  /** Local clock (performance.now) when `model` last changed: lets views advance `model.t`. */
  modelAt: number;
  /** Where the views are travelling, or null when they follow the live lab. */
  travel: { seq: number; t: number } | null;
}

export interface TravelActions {
  /**
   * Shows every view as the lab was just after event `seq` — or, given `{t}`, after the last
   * event at or before lab time `t` — detached from "now"; live events keep arriving and are
   * applied to the live model underneath. Requests made while one is on its way are
   * coalesced: only the latest is fetched next.
   */
  travelTo(to: TravelTarget): Promise<Result<void>>;
  /** Back to "now": the views follow the live lab again. */
  returnToLive(): void;
}

export function createTravelSlice(
  { set, get, client, now }: SliceContext,
  model: LabModel,
): Slice<TravelSlice, TravelActions> {
  // The newest target asked for, and whether a seek is on its way.
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
      const epoch = get().run?.epoch;
      // A seek answered for a show that has since been replaced is dropped.
      if (epoch !== undefined && result.value.epoch !== epoch) continue;
      last = { ok: true, value: undefined };
      set({
        model: result.value.model,
        recentEvents: result.value.events,
        travel: { seq: result.value.seq, t: result.value.t },
        modelAt: now(),
      });
    }
    return last;
  };

  return {
    initial: { model, recentEvents: [], modelAt: now(), travel: null },
    actions: {
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
    },
    // A moment of the old show means nothing in the new one: back to following the live lab.
    newShow: (state) => {
      wanted = null;
      return { travel: null, model: state.liveModel, recentEvents: [], modelAt: now() };
    },
  };
}
