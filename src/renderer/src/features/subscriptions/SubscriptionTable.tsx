import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import {
  selectActions,
  selectAgents,
  selectCurrentSubscriptionId,
  selectServices,
  selectStartTime,
  selectSubscriptions,
  useLab,
} from '../../store';
import { SubscriptionRow } from './SubscriptionRow';
import {
  DEFAULT_FILTER,
  DEFAULT_SORT,
  nextSort,
  SUB_STATES,
  SubRowKeeper,
  type SubColumn,
  type SubFilter,
  type SubSort,
} from './table';

export const ROW_HEIGHT = 32;

interface Column {
  id: SubColumn;
  label: string;
  num?: boolean;
  /** Left out of the compact (Overview) table. */
  wide?: boolean;
}

const COLUMNS: readonly Column[] = [
  { id: 'id', label: 'Id' },
  { id: 'owner', label: 'Owner' },
  { id: 'profile', label: 'Profile', wide: true },
  { id: 'created', label: 'Created', wide: true },
  { id: 'outstanding', label: 'Outstanding', num: true },
  { id: 'lastDelivery', label: 'Last delivery' },
  { id: 'state', label: 'State' },
];

function FilterBar({ filter, onChange }: { filter: SubFilter; onChange(f: SubFilter): void }) {
  return (
    <div className="sub-filters">
      <input
        type="search"
        placeholder="Filter by id or owner"
        aria-label="Filter subscriptions by id or owner"
        data-testid="subscription-filter"
        value={filter.text}
        onChange={(e) => onChange({ ...filter, text: e.target.value })}
      />
      <select
        aria-label="Filter subscriptions by state"
        data-testid="subscription-state-filter"
        value={filter.state}
        onChange={(e) => onChange({ ...filter, state: e.target.value as SubFilter['state'] })}
      >
        <option value="all">All states</option>
        {SUB_STATES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
    </div>
  );
}

interface HeaderProps {
  sort: SubSort;
  compact: boolean;
  onSort(column: SubColumn): void;
}

function HeaderRow({ sort, compact, onSort }: HeaderProps) {
  return (
    <div role="row" className="sub-grid sub-head">
      {COLUMNS.filter((c) => !(compact && c.wide)).map((c) => {
        const active = sort.column === c.id;
        return (
          <span
            key={c.id}
            role="columnheader"
            className={c.num ? 'num' : undefined}
            aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
          >
            <button type="button" data-testid={`sub-sort-${c.id}`} onClick={() => onSort(c.id)}>
              {c.label}
              <span className="sort-mark" aria-hidden="true">
                {active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
              </span>
            </button>
          </span>
        );
      })}
    </div>
  );
}

/** Every subscription, sortable and filterable; only the visible rows are rendered. */
export function SubscriptionTable({
  maxHeight,
  compact = false,
}: {
  maxHeight: number;
  /** Leave out the profile and created columns (for the Overview's narrow panel). */
  compact?: boolean;
}) {
  const subscriptions = useLab(selectSubscriptions);
  const agents = useLab(selectAgents);
  const services = useLab(selectServices);
  const startT = useLab(selectStartTime);
  const currentId = useLab(selectCurrentSubscriptionId);
  const { selectSubscription } = useLab(selectActions);
  const [sort, setSort] = useState<SubSort>(DEFAULT_SORT);
  const [filter, setFilter] = useState<SubFilter>(DEFAULT_FILTER);

  // Kept up to date by what changed in each table version (a batch touches a few rows).
  const [keeper] = useState(() => new SubRowKeeper());
  const rows = useMemo(
    () => keeper.rows(subscriptions, agents, services, filter, sort),
    [keeper, subscriptions, agents, services, filter, sort],
  );

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 800, height: maxHeight },
    getItemKey: (i) => rows[i]?.id ?? i,
  });

  return (
    <div
      className={compact ? 'sub-table sub-compact' : 'sub-table'}
      role="table"
      aria-rowcount={rows.length}
    >
      <FilterBar filter={filter} onChange={setFilter} />
      <HeaderRow sort={sort} compact={compact} onSort={(c) => setSort((s) => nextSort(s, c))} />
      {rows.length === 0 ? (
        <p className="muted sub-empty">
          {subscriptions.size === 0 ? 'No subscriptions yet.' : 'No subscriptions match.'}
        </p>
      ) : (
        <div
          ref={scrollRef}
          className="sub-body"
          role="rowgroup"
          style={{ height: Math.min(maxHeight, rows.length * ROW_HEIGHT + 2) }}
        >
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = rows[item.index];
              return row ? (
                <SubscriptionRow
                  key={row.id}
                  row={row}
                  top={item.start}
                  startT={startT}
                  compact={compact}
                  selected={row.id === currentId}
                  onSelect={selectSubscription}
                />
              ) : null;
            })}
          </div>
        </div>
      )}
    </div>
  );
}
