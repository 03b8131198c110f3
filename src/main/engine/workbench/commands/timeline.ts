/** Travelling in the show's timeline, and one message's detail. */
import { fail, ok } from '../../../../shared/result';
import type { SeekResult } from '../../../../shared/workbench';
import { inspectMessage } from '../inspect';
import type { Handlers } from './handler';

/** Events a seek answers with when the client names no window. */
export const SEEK_WINDOW_DEFAULT = 5_000;

export const timelineHandlers: Handlers<'timeline' | 'seek' | 'find' | 'message'> = {
  timeline: (command, { show }) =>
    ok({ epoch: show.epoch, ...show.timeline.info(command.buckets) }),
  seek: (command, { show }) => {
    const window = command.window ?? SEEK_WINDOW_DEFAULT;
    const { timeline } = show;
    const at =
      command.seq !== undefined
        ? timeline.seek(command.seq, window)
        : timeline.seekTime(command.t!, window);
    if (timeline.count === 0) return fail('ERR_NOT_FOUND', 'seek: nothing recorded yet');
    return ok({ epoch: show.epoch, ...at } satisfies SeekResult);
  },
  find: (command, { show }) =>
    ok({
      seq: show.timeline.find(command.from, command.direction, command.what, command.messageId),
    }),
  message: (command, { show }) => {
    const detail = inspectMessage(command.messageId, show.services(), show.holders());
    return typeof detail === 'string' ? fail('ERR_NOT_FOUND', detail) : ok(detail);
  },
};
