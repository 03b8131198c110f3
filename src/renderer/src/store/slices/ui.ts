/**
 * The ui slice: what the user chose to look at. Decided per field:
 * - `view` survives a new show: the user stays where they were (opening a recording from the
 *   Recordings view keeps them there).
 * - `selectedMessageId` and `selectedSubscriptionId` are reset: they name records of the show
 *   that ended (a new show may reuse the same ids for other records).
 */
import type { Slice, SliceContext } from './slice';

export interface UiSlice {
  /** The view shown in the main area (an id from features/views.ts). */
  view: string;
  /** The message the inspector shows, if any. */
  selectedMessageId: string | null;
  selectedSubscriptionId: string | null;
}

export interface UiActions {
  /** Chooses the subscription whose queue is shown (null: the first one). */
  selectSubscription(id: string | null): void;
  selectMessage(id: string | null): void;
  showView(id: string): void;
}

export function createUiSlice({ set }: SliceContext): Slice<UiSlice, UiActions> {
  return {
    initial: { view: 'overview', selectedMessageId: null, selectedSubscriptionId: null },
    actions: {
      selectSubscription: (id) => set({ selectedSubscriptionId: id }),
      selectMessage: (id) => set({ selectedMessageId: id }),
      showView: (id) => set({ view: id }),
    },
    newShow: () => ({ selectedMessageId: null, selectedSubscriptionId: null }),
  };
}
