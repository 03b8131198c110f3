/**
 * The links the Links view lists: from the model the store shows (live or travelled, an
 * opened recording included), so they are the lab at the timeline's moment. Only what never
 * changes during a show — the presets and the fault types — comes from the `links` command,
 * asked once per show.
 */
import { useEffect, useMemo, useState } from 'react';
import type { LinkFact } from '../../../../shared/model-agents';
import type { Table } from '../../../../shared/table';
import {
  LINKS_LISTED_MAX,
  type FaultTypeView,
  type LinkView,
  type PresetView,
} from '../../../../shared/workbench';
import { selectActions, selectLinkFacts, useLab } from '../../store';

export interface LinkCatalog {
  presets: PresetView[];
  faultTypes: FaultTypeView[];
}

export interface LinksState {
  /** At most LINKS_LISTED_MAX, in the order the lab made them. */
  links: readonly LinkView[];
  /** Total links in the model. */
  total: number;
  /** Presets and fault types; null until the `links` command answers. */
  catalog: LinkCatalog | null;
  /** Why the `links` command failed (null once it succeeds). */
  error: string | null;
}

/** Per links table version: the rows the view lists. */
const views = new WeakMap<Table<LinkFact>, readonly LinkView[]>();

export function linkViews(links: Table<LinkFact>): readonly LinkView[] {
  let listed = views.get(links);
  if (!listed) {
    const rows: LinkView[] = [];
    for (const link of links.values()) {
      if (rows.length >= LINKS_LISTED_MAX) break;
      rows.push({
        id: link.id,
        agentId: link.agentId,
        state: link.state,
        faults: [...link.faults],
        counters: { ...link.counters },
        connections: link.counters.connectionsActive ?? 0,
      });
    }
    views.set(links, (listed = rows));
  }
  return listed;
}

export function useLinks(): LinksState {
  const { call } = useLab(selectActions);
  const epoch = useLab((s) => s.run?.epoch ?? null);
  const facts = useLab(selectLinkFacts);
  const [catalog, setCatalog] = useState<LinkCatalog | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    void call({ type: 'links' }).then((result) => {
      if (!alive) return;
      if (result.ok) {
        setCatalog({ presets: result.value.presets, faultTypes: result.value.faultTypes });
        setError(null);
      } else {
        setError(result.error.message);
      }
    });
    return () => {
      alive = false;
    };
  }, [call, epoch]);

  const links = useMemo(() => linkViews(facts), [facts]);
  return { links, total: facts.size, catalog, error };
}
