/**
 * Notices `link.changed` events in the live event list without rescanning it: each call looks
 * only at the events added since the previous one. Pure apart from its own memory.
 */
import type { LabEvent } from '../../../../shared/events';

/**
 * A function of the live event list that answers the seq of the newest `link.changed` seen
 * so far (0 before any), so a view can refresh when the answer changes. A list that extends
 * the previous one (the store appends the same event objects) is scanned back only to the
 * event it ended with; any other list (a new lab) stands on its own.
 */
export function createLinkChangeTracker(): (events: readonly LabEvent[]) => number {
  let lastList: readonly LabEvent[] | null = null;
  let lastEvent: LabEvent | undefined;
  let newest = 0;
  return (events) => {
    if (events === lastList) return newest;
    lastList = events;
    let found = 0;
    let continues = false;
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i]!;
      if (e === lastEvent) {
        continues = true;
        break;
      }
      if (e.kind === 'link.changed') {
        found = e.seq;
        break;
      }
    }
    lastEvent = events[events.length - 1];
    if (found > 0) newest = found;
    else if (!continues) newest = 0;
    return newest;
  };
}
