/** Rows of the subscriptions table, and how they are filtered and sorted. Pure. */
import type { Profile } from '../../../../shared/events';
import type { AgentView, ServiceView, SubscriptionView } from '../../../../shared/model';

export type SubState = SubscriptionView['state'];
export const SUB_STATES: readonly SubState[] = ['active', 'expired', 'deleted'];

export interface SubRow {
  id: string;
  /** The holder's label (or id), null when unknown. */
  owner: string | null;
  profile: Profile | null;
  createdAt: number;
  outstanding: number;
  lastDeliveryAt: number | null;
  state: SubState;
}

export type SubColumn =
  'id' | 'owner' | 'profile' | 'created' | 'outstanding' | 'lastDelivery' | 'state';
export type SortDir = 'asc' | 'desc';
export interface SubSort {
  column: SubColumn;
  dir: SortDir;
}
export interface SubFilter {
  /** Matched, case-insensitively, against the id and the owner. */
  text: string;
  state: SubState | 'all';
}

export const DEFAULT_SORT: SubSort = { column: 'created', dir: 'asc' };
export const DEFAULT_FILTER: SubFilter = { text: '', state: 'all' };

export function toRows(
  subscriptions: Readonly<Record<string, SubscriptionView>>,
  agents: Readonly<Record<string, AgentView>>,
  services: Readonly<Record<string, ServiceView>>,
): SubRow[] {
  return Object.values(subscriptions).map((sub) => ({
    id: sub.id,
    owner: sub.agentId === null ? null : (agents[sub.agentId]?.label ?? sub.agentId),
    profile: services[sub.serviceId]?.profile ?? null,
    createdAt: sub.createdAt,
    outstanding: sub.outstanding,
    lastDeliveryAt: sub.lastDeliveryAt,
    state: sub.state,
  }));
}

export function filterRows(rows: readonly SubRow[], filter: SubFilter): readonly SubRow[] {
  const text = filter.text.trim().toLowerCase();
  if (text === '' && filter.state === 'all') return rows;
  return rows.filter(
    (row) =>
      (filter.state === 'all' || row.state === filter.state) &&
      (text === '' ||
        row.id.toLowerCase().includes(text) ||
        (row.owner !== null && row.owner.toLowerCase().includes(text))),
  );
}

type Key = string | number | null;
const KEY: Readonly<Record<SubColumn, (row: SubRow) => Key>> = {
  id: (r) => r.id,
  owner: (r) => r.owner,
  profile: (r) => r.profile,
  created: (r) => r.createdAt,
  outstanding: (r) => r.outstanding,
  lastDelivery: (r) => r.lastDeliveryAt,
  state: (r) => SUB_STATES.indexOf(r.state),
};

function compareKeys(a: Key, b: Key): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}

/**
 * A sorted copy: by `sort.column` in `sort.dir`, missing values (null) last in either
 * direction, ties broken by id so the order is total and stable.
 */
export function sortRows(rows: readonly SubRow[], sort: SubSort): SubRow[] {
  const key = KEY[sort.column];
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === null || kb === null) {
      if (ka !== kb) return ka === null ? 1 : -1;
    } else {
      const c = compareKeys(ka, kb);
      if (c !== 0) return sign * c;
    }
    return compareKeys(a.id, b.id);
  });
}

/** Clicking a header: the same column flips direction, a new one starts ascending. */
export function nextSort(current: SubSort, column: SubColumn): SubSort {
  return current.column === column
    ? { column, dir: current.dir === 'asc' ? 'desc' : 'asc' }
    : { column, dir: 'asc' };
}
