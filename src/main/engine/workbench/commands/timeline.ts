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
  // Its events as the store's JSON text: the client parses them (seek-wire.ts). Relative to
  // the answer the client names as `base` when this session was sent it for this show; else
  // whole, leaving out the columns that are those of the whole answer it names as `like`.
  seek: (command, { show, session, seeks }) => {
    const window = command.window ?? SEEK_WINDOW_DEFAULT;
    const { timeline, epoch } = show;
    if (timeline.count === 0) return fail('ERR_NOT_FOUND', 'seek: nothing recorded yet');
    const at = timeline.seekWindow(
      command.seq !== undefined ? { seq: command.seq } : { t: command.t! },
      window,
    );
    const { first, end, ...rest } = at;
    const base = seeks.find(session, epoch, command.base, end);
    // The base's events in this window (positions never change within a show) are not sent.
    const lo = base === null ? end : Math.max(first, base.first);
    const hi = base === null ? end : Math.min(end, base.end);
    const kept =
      lo < hi ? { start: lo - base!.first, end: hi - base!.first, before: lo - first } : null;
    const eventsJson =
      kept === null
        ? timeline.eventsJson(first, end)
        : joinArrays(timeline.eventsJson(first, lo), timeline.eventsJson(hi, end));
    const id = seeks.remember(session, { epoch, model: at.model, first, end });
    const like = base === null ? seeks.like(session, epoch, command.like) : null;
    const whole = base === null ? seeks.keepWhole(session, epoch, id) : null;
    return ok({
      epoch,
      ...rest,
      id,
      base: base && { id: base.id, model: base.model },
      kept,
      like,
      whole,
      eventsJson,
    } satisfies SeekAnswer);
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

/** Two JSON array texts as one: `[a…]` and `[b…]` → `[a…,b…]`. */
function joinArrays(a: string, b: string): string {
  if (a === '[]') return b;
  if (b === '[]') return a;
  return `${a.slice(0, -1)},${b.slice(1)}`;
}
