/**
 * Fetches the timeline (density and markers) for a track `width` pixels wide: once for a
 * recording, and about once a second while a live lab keeps recording or a recording is still
 * being indexed (then once more when it is whole).
 */
import { useEffect, useState } from 'react';
import type { RunState, TimelineInfo } from '../../../../shared/workbench';
import { selectActions, selectRun, useLab } from '../../store';
import { bucketCount } from './scale';

export const TIMELINE_REFRESH_MS = 1_000;
/** States in which a live lab's timeline still grows. */
const GROWING: ReadonlySet<RunState> = new Set(['starting', 'running', 'paused']);

export interface TimelineFetch {
  /** The latest timeline of the lab shown now (never an older lab's). */
  info: TimelineInfo | null;
  /** Why the last fetch failed, as the lab said it. */
  error: string | null;
}

export function useTimelineInfo(width: number): TimelineFetch {
  const { call } = useLab(selectActions);
  const epoch = useLab((s) => s.run?.epoch ?? null);
  const state = useLab((s) => s.run?.state ?? null);
  const growing = useLab(
    (s) =>
      s.run !== null &&
      ((s.run.mode !== 'replay' && GROWING.has(s.run.state)) || typeof s.run.indexing === 'number'),
  );
  const recorded = useLab((s) => (selectRun(s)?.events ?? 0) > 0);
  const [info, setInfo] = useState<TimelineInfo | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (epoch === null || !recorded || width <= 0) return;
    let cancelled = false;
    let inFlight = false;
    const fetchInfo = async () => {
      if (inFlight) return;
      inFlight = true;
      const result = await call({ type: 'timeline', buckets: bucketCount(width) });
      inFlight = false;
      if (cancelled) return;
      if (!result.ok) setError(result.error.message);
      else if (result.value.epoch === epoch) {
        setInfo(result.value);
        setError(null);
      }
    };
    void fetchInfo();
    const timer = growing ? setInterval(() => void fetchInfo(), TIMELINE_REFRESH_MS) : null;
    return () => {
      cancelled = true;
      if (timer !== null) clearInterval(timer);
    };
    // `state` refetches once when a run ends (its last events arrive with it).
  }, [call, epoch, state, growing, recorded, width]);

  return { info: info !== null && info.epoch === epoch ? info : null, error };
}
