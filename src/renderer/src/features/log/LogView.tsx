import { type RefObject, useDeferredValue, useEffect, useMemo, useRef } from 'react';
import type { LabEvent } from '../../../../shared/events';
import { selectRecentEvents, useLab } from '../../store';
import { filterEvents } from './filters';
import { useLogUi } from './log-state';
import { LogList } from './LogList';
import { LogToolbar } from './LogToolbar';

const NONE: readonly LabEvent[] = [];

/** Every recent event, filterable and pausable (the lab keeps running while paused). */
export function LogView() {
  const paused = useLogUi((s) => s.paused);
  const groups = useLogUi((s) => s.groups);
  const actor = useDeferredValue(useLogUi((s) => s.actor));
  const text = useDeferredValue(useLogUi((s) => s.text));
  // While paused the list does not follow the store, so it does not re-render every frame.
  const live = useLab((s) => (paused ? NONE : selectRecentEvents(s)));
  const events = paused ? paused.events : live;
  const shown = useMemo(
    () => filterEvents(events, { groups, actor, text }),
    [events, groups, actor, text],
  );
  const searchRef = useRef<HTMLInputElement>(null);
  useSlashToSearch(searchRef);

  return (
    <main className="log-view panel" aria-label="Event log">
      <LogToolbar
        searchRef={searchRef}
        shown={shown.length}
        total={events.length}
        liveEvents={live}
      />
      <LogList events={shown} live={paused === null} />
    </main>
  );
}

/** "/" focuses the search box unless the user is typing somewhere. */
function useSlashToSearch(ref: RefObject<HTMLInputElement | null>) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      const target = e.target as HTMLElement | null;
      const tag = target?.tagName;
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target?.isContentEditable) {
        return;
      }
      e.preventDefault();
      ref.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [ref]);
}
