/**
 * Rows of the subscriptions table, and how they are filtered and sorted; SubRowKeeper keeps
 * the shown rows up to date from one table version to the next by what changed. Pure.
 */
import type { Profile } from '../../../../shared/events';
import type { AgentView, ServiceView, SubscriptionView } from '../../../../shared/model';
import { Table } from '../../../../shared/table';

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

/** Where owners and profiles are looked up (a model table, or a Map in tests). */
export interface Lookup<V> {
  get(id: string): V | undefined;
}

export function toRow(
  sub: SubscriptionView,
  agents: Lookup<AgentView>,
  services: Lookup<ServiceView>,
): SubRow {
  return {
    id: sub.id,
    owner: sub.agentId === null ? null : (agents.get(sub.agentId)?.label ?? sub.agentId),
    profile: services.get(sub.serviceId)?.profile ?? null,
    createdAt: sub.createdAt,
    outstanding: sub.outstanding,
    lastDeliveryAt: sub.lastDeliveryAt,
    state: sub.state,
  };
}

export function toRows(
  subscriptions: { values(): Iterable<SubscriptionView> },
  agents: Lookup<AgentView>,
  services: Lookup<ServiceView>,
): SubRow[] {
  const rows: SubRow[] = [];
  for (const sub of subscriptions.values()) rows.push(toRow(sub, agents, services));
  return rows;
}

/** Whether `row` passes `filter` (`text` already trimmed and lower-cased). */
function passes(row: SubRow, state: SubFilter['state'], text: string): boolean {
  return (
    (state === 'all' || row.state === state) &&
    (text === '' ||
      row.id.toLowerCase().includes(text) ||
      (row.owner !== null && row.owner.toLowerCase().includes(text)))
  );
}

export function filterRows(rows: readonly SubRow[], filter: SubFilter): readonly SubRow[] {
  const text = filter.text.trim().toLowerCase();
  if (text === '' && filter.state === 'all') return rows;
  return rows.filter((row) => passes(row, filter.state, text));
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

// The same order as localeCompare(…, 'en', {numeric: true}), without building a collator per call.
const collator = new Intl.Collator('en', { numeric: true });

function compareKeys(a: Key, b: Key): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

/** Ids in collation order; ids the collator finds equal ('s01', 's1') by code unit. */
function compareIds(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * The order of `sort`: by its column in its direction, missing values (null) last in either
 * direction, ties broken by id, so the order is total.
 */
export function rowOrder(sort: SubSort): (a: SubRow, b: SubRow) => number {
  const key = KEY[sort.column];
  const sign = sort.dir === 'asc' ? 1 : -1;
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === null || kb === null) {
      if (ka !== kb) return ka === null ? 1 : -1;
    } else {
      const c = compareKeys(ka, kb);
      if (c !== 0) return sign * c;
    }
    return compareIds(a.id, b.id);
  };
}

/** A sorted copy, in `rowOrder(sort)`. */
export function sortRows(rows: readonly SubRow[], sort: SubSort): SubRow[] {
  return [...rows].sort(rowOrder(sort));
}

/** Clicking a header: the same column flips direction, a new one starts ascending. */
export function nextSort(current: SubSort, column: SubColumn): SubSort {
  return current.column === column
    ? { column, dir: current.dir === 'asc' ? 'desc' : 'asc' }
    : { column, dir: 'asc' };
}

/** The first index whose row is not before `row` in `order`. */
function lowerBound(
  rows: readonly SubRow[],
  row: SubRow,
  order: (a: SubRow, b: SubRow) => number,
): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (order(rows[mid]!, row) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Past this share of changed subscriptions a batch rebuilds the rows instead of patching them. */
const REBUILD_SHARE = 1 / 8;

/**
 * The filtered, sorted rows of a subscriptions table, kept from one table version to the
 * next: a new version costs the subscriptions it changed (each moved by binary search), not
 * a sort of the whole table, and rows of unchanged subscriptions keep their identity (so
 * memoized row components skip them). New agents, services, filter or sort rebuild.
 */
export class SubRowKeeper {
  private subs: Table<SubscriptionView> | null = null;
  private agents: Lookup<AgentView> | null = null;
  private services: Lookup<ServiceView> | null = null;
  private filter: SubFilter | null = null;
  private sort: SubSort | null = null;
  /** The row made for each subscription object (owners and profiles from `agents`, `services`). */
  private rowOf = new WeakMap<SubscriptionView, SubRow>();
  private shown: readonly SubRow[] = [];

  /** The rows to show for these inputs (the same array when nothing changed). */
  rows(
    subs: Table<SubscriptionView>,
    agents: Lookup<AgentView>,
    services: Lookup<ServiceView>,
    filter: SubFilter,
    sort: SubSort,
  ): readonly SubRow[] {
    const sameLookups = agents === this.agents && services === this.services;
    const sameView = sameLookups && filter === this.filter && sort === this.sort;
    const before = this.subs;
    if (!sameLookups) this.rowOf = new WeakMap();
    this.subs = subs;
    this.agents = agents;
    this.services = services;
    this.filter = filter;
    this.sort = sort;
    if (!sameView || before === null || !this.patch(before, subs, filter, sort)) {
      this.rebuild(subs, filter, sort);
    }
    return this.shown;
  }

  private row(sub: SubscriptionView): SubRow {
    let row = this.rowOf.get(sub);
    if (row === undefined) {
      row = toRow(sub, this.agents!, this.services!);
      this.rowOf.set(sub, row);
    }
    return row;
  }

  private rebuild(subs: Table<SubscriptionView>, filter: SubFilter, sort: SubSort): void {
    const all: SubRow[] = [];
    subs.forEach((sub) => all.push(this.row(sub)));
    this.shown = sortRows(filterRows(all, filter), sort);
  }

  /** Applies what changed from `before` to `after`; false when a rebuild is the better deal. */
  private patch(
    before: Table<SubscriptionView>,
    after: Table<SubscriptionView>,
    filter: SubFilter,
    sort: SubSort,
  ): boolean {
    if (before === after) return true;
    const changed: [SubscriptionView | undefined, SubscriptionView | undefined][] = [];
    const limit = Math.max(64, after.size * REBUILD_SHARE);
    let tooMany = false;
    Table.diff(before, after, (_id, was, is) => {
      if (changed.length >= limit) tooMany = true;
      else changed.push([was, is]);
    });
    if (tooMany) return false;
    const order = rowOrder(sort);
    const text = filter.text.trim().toLowerCase();
    const shown = this.shown.slice();
    for (const [was, is] of changed) {
      const old = was === undefined ? undefined : this.rowOf.get(was);
      if (was !== undefined && old === undefined) return false;
      const row = is === undefined ? undefined : this.row(is);
      const wasShown = old !== undefined && passes(old, filter.state, text);
      const isShown = row !== undefined && passes(row, filter.state, text);
      if (wasShown) {
        const at = lowerBound(shown, old, order);
        if (shown[at] !== old) return false; // Not where the order says: start over.
        if (isShown && order(old, row) === 0) {
          shown[at] = row;
          continue;
        }
        shown.splice(at, 1);
      }
      if (isShown) shown.splice(lowerBound(shown, row, order), 0, row);
    }
    this.shown = shown;
    return true;
  }
}
