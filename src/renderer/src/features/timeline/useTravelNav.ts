/**
 * Moving along the timeline by events: one step back or forward, the previous or next
 * marker, the next violation, the next event of the selected message (from "now", the
 * first one). Says in a sentence when there is nowhere to go or the lab refused.
 */
import { useRef, useState } from 'react';
import type { TravelTarget } from '../../store/lab-store';
import { selectActions, selectSelectedMessageId, useLab } from '../../store';
import { stepSeq } from './scale';

export type FindWhat = 'marker' | 'violation' | 'message';

export interface TravelNav {
  /** The seq the views show. */
  seq: number;
  firstSeq: number;
  lastSeq: number;
  step(direction: 1 | -1): void;
  find(what: FindWhat, direction: 1 | -1): void;
  /** Travels to a seq or a lab time. */
  go(to: TravelTarget): void;
  /** The last thing that could not be done, as a sentence. */
  note: string | null;
}

const NOTHING: Record<FindWhat, string> = {
  marker: 'marker',
  violation: 'violation',
  message: 'event of the selected message',
};

export function useTravelNav(firstSeq: number, lastSeq: number): TravelNav {
  const { travelTo, call } = useLab(selectActions);
  const shownSeq = useLab((s) => s.travel?.seq ?? s.liveModel.seq);
  const travelling = useLab((s) => s.travel !== null);
  const messageId = useLab(selectSelectedMessageId);
  const [note, setNote] = useState<string | null>(null);
  // The seq last asked for, until the lab has answered: quick steps add up.
  const asked = useRef<number | null>(null);
  const current = () => asked.current ?? shownSeq;

  const go = (to: TravelTarget) => {
    asked.current = typeof to === 'number' ? to : null;
    setNote(null);
    void travelTo(to).then((result) => {
      if (asked.current === to) asked.current = null;
      if (!result.ok) setNote(`Could not travel: ${result.error.message}`);
    });
  };

  return {
    seq: shownSeq,
    firstSeq,
    lastSeq,
    go,
    note,
    step: (direction) => {
      const next = stepSeq(current(), direction, firstSeq, lastSeq);
      if (next !== null) go(next);
    },
    find: (what, direction) => {
      if (what === 'message' && messageId === null) {
        setNote('Select a message first (in the Log, Flows or a queue).');
        return;
      }
      // At "now" nothing lies ahead: "next" means the first one.
      const atNow = !travelling && asked.current === null;
      const from = atNow && direction === 1 ? Math.max(0, firstSeq - 1) : current();
      void call({
        type: 'find',
        from,
        direction,
        what,
        ...(what === 'message' && messageId !== null ? { messageId } : {}),
      }).then((result) => {
        if (!result.ok) setNote(`Could not search: ${result.error.message}`);
        else if (result.value.seq === null)
          setNote(
            from < firstSeq
              ? `No ${NOTHING[what]} in the recording.`
              : `No ${NOTHING[what]} ${direction === 1 ? 'after' : 'before'} seq ${from}.`,
          );
        else go(result.value.seq);
      });
    },
  };
}
