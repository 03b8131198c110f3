/** Travelling in the show's timeline, and one message's detail. */
import { fail, ok } from '../../../../shared/result';
import type { SeekAnswer } from '../../../../shared/seek-wire';
import { MARKER_KIND_ORDER, MARKER_PAGE_MAX } from '../../../../shared/workbench';
import { inspectMessage } from '../inspect';
import type { Handlers } from './handler';

/** Events a seek answers with when the client names no window. */
export const SEEK_WINDOW_DEFAULT = 5_000;

/** Markers a `markers` page lists when the client names no limit. */
export const MARKER_PAGE_DEFAULT = 200;

export const timelineHandlers: Handlers<'timeline' | 'seek' | 'find' | 'message' | 'markers'> = {
  timeline: (command, { show }) =>
    ok({ epoch: show.epoch, ...show.timeline.info(command.buckets) }),
  // Its events as the store's JSON text: the client parses them (seek-wire.ts).
  seek: (command, { show }) => {
    const window = command.window ?? SEEK_WINDOW_DEFAULT;
    const { timeline } = show;
    if (timeline.count === 0) return fail('ERR_NOT_FOUND', 'seek: nothing recorded yet');
    const at =
      command.seq !== undefined
        ? timeline.seekJson(command.seq, window)
        : timeline.seekTimeJson(command.t!, window);
    return ok({ epoch: show.epoch, ...at } satisfies SeekAnswer);
  },
  find: (command, { show }) =>
    ok({
      seq: show.timeline.find(command.from, command.direction, command.what, command.messageId),
    }),
  markers: (command, { show }) =>
    ok({
      epoch: show.epoch,
      ...show.timeline.markerPage(
        command.after ?? -1,
        command.kinds ?? MARKER_KIND_ORDER,
        command.text ?? '',
        Math.min(command.limit ?? MARKER_PAGE_DEFAULT, MARKER_PAGE_MAX),
      ),
    }),
  message: (command, { show }) => {
    const detail = inspectMessage(command.messageId, show.services(), show.holders());
    return typeof detail === 'string' ? fail('ERR_NOT_FOUND', detail) : ok(detail);
  },
};
