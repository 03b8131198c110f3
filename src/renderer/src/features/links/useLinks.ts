/**
 * The running lab's links, from the `links` command: fetched when shown, about once a second
 * while shown, right after a `link.changed` event arrives and when a new lab starts. One
 * request at a time; a refresh asked for meanwhile runs once the current one is answered.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { LinksInfo, LinkView } from '../../../../shared/workbench';
import { selectActions, useLab } from '../../store';
import { createLinkChangeTracker } from './link-changes';
import { mergeLinks } from './fault-plan';

export const LINKS_REFRESH_MS = 1000;

export interface LinksState {
  info: LinksInfo | null;
  /** Why the last `links` request failed (null once one succeeds). */
  error: string | null;
  /** Shows a `link.faults` answer at once (a fresh `links` request follows). */
  applyUpdate(updated: readonly LinkView[]): void;
}

export function useLinks(): LinksState {
  const { call } = useLab(selectActions);
  const epoch = useLab((s) => s.run?.epoch ?? null);
  const [tracker] = useState(createLinkChangeTracker);
  const linkChange = useLab((s) => tracker(s.liveEvents));
  const [info, setInfo] = useState<LinksInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);
  const again = useRef(false);
  const mounted = useRef(true);

  const refresh = useCallback(async () => {
    if (busy.current) {
      again.current = true;
      return;
    }
    busy.current = true;
    try {
      do {
        again.current = false;
        const result = await call({ type: 'links' });
        if (!mounted.current) return;
        if (result.ok) {
          setInfo(result.value);
          setError(null);
        } else {
          setError(result.error.message);
        }
      } while (again.current);
    } finally {
      busy.current = false;
    }
  }, [call]);

  useEffect(() => {
    mounted.current = true;
    const timer = setInterval(() => void refresh(), LINKS_REFRESH_MS);
    return () => {
      mounted.current = false;
      clearInterval(timer);
    };
  }, [refresh]);

  // On showing, on each link.changed and on each new lab.
  useEffect(() => void refresh(), [refresh, linkChange, epoch]);

  const applyUpdate = useCallback(
    (updated: readonly LinkView[]) => {
      setInfo((current) => current && { ...current, links: mergeLinks(current.links, updated) });
      void refresh();
    },
    [refresh],
  );

  return { info, error, applyUpdate };
}
