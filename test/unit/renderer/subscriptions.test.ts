import { describe, expect, it } from 'vitest';
import {
  filterRows,
  nextSort,
  sortRows,
  toRows,
  type SubRow,
} from '../../../src/renderer/src/features/subscriptions/table';
import type { SubscriptionView } from '../../../src/shared/model';

const row = (id: string, patch: Partial<SubRow> = {}): SubRow => ({
  id,
  owner: `owner of ${id}`,
  profile: 'rfc8030',
  createdAt: 0,
  outstanding: 0,
  lastDeliveryAt: null,
  state: 'active',
  ...patch,
});

const rows: SubRow[] = [
  row('sub-10', { owner: 'Phone 10', createdAt: 30, outstanding: 2, lastDeliveryAt: 50 }),
  row('sub-2', { owner: 'Phone 2', createdAt: 10, outstanding: 5, state: 'expired' }),
  row('sub-3', {
    owner: null,
    createdAt: 20,
    outstanding: 2,
    lastDeliveryAt: 40,
    state: 'deleted',
  }),
];
const ids = (list: readonly SubRow[]) => list.map((r) => r.id);

describe('subscription rows', () => {
  it('takes owner labels from agents and profiles from services', () => {
    const sub: SubscriptionView = {
      id: 'x',
      serviceId: 's1',
      agentId: 'ua1',
      pushPath: '/p/x',
      createdAt: 5,
      state: 'active',
      outstanding: 1,
      lastDeliveryAt: null,
    };
    const [r] = toRows(
      new Map([['x', sub]]),
      new Map([
        [
          'ua1',
          { id: 'ua1', role: 'user-agent', label: 'Phone', connected: true, serviceId: 's1' },
        ],
      ]),
      new Map([['s1', { id: 's1', url: 'u', profile: 'draft-thomson', running: true }]]),
    );
    expect(r).toMatchObject({ id: 'x', owner: 'Phone', profile: 'draft-thomson', createdAt: 5 });
    expect(
      toRows(new Map([['x', { ...sub, agentId: 'gone' }]]), new Map(), new Map())[0],
    ).toMatchObject({
      owner: 'gone',
      profile: null,
    });
  });

  it('filters by text over id and owner, case-insensitively, and by state', () => {
    expect(ids(filterRows(rows, { text: 'PHONE', state: 'all' }))).toEqual(['sub-10', 'sub-2']);
    expect(ids(filterRows(rows, { text: 'sub-3', state: 'all' }))).toEqual(['sub-3']);
    expect(ids(filterRows(rows, { text: '', state: 'expired' }))).toEqual(['sub-2']);
    expect(ids(filterRows(rows, { text: 'phone', state: 'deleted' }))).toEqual([]);
    expect(filterRows(rows, { text: '  ', state: 'all' })).toBe(rows);
  });

  it('sorts by any column both ways, numbers as numbers, missing values last, ties by id', () => {
    expect(ids(sortRows(rows, { column: 'id', dir: 'asc' }))).toEqual(['sub-2', 'sub-3', 'sub-10']);
    expect(ids(sortRows(rows, { column: 'created', dir: 'desc' }))).toEqual([
      'sub-10',
      'sub-3',
      'sub-2',
    ]);
    expect(ids(sortRows(rows, { column: 'outstanding', dir: 'asc' }))).toEqual([
      'sub-3',
      'sub-10',
      'sub-2',
    ]);
    expect(ids(sortRows(rows, { column: 'lastDelivery', dir: 'asc' }))).toEqual([
      'sub-3',
      'sub-10',
      'sub-2',
    ]);
    expect(ids(sortRows(rows, { column: 'lastDelivery', dir: 'desc' }))).toEqual([
      'sub-10',
      'sub-3',
      'sub-2',
    ]);
    expect(ids(sortRows(rows, { column: 'owner', dir: 'desc' }))).toEqual([
      'sub-10',
      'sub-2',
      'sub-3',
    ]);
    expect(ids(sortRows(rows, { column: 'state', dir: 'asc' }))).toEqual([
      'sub-10',
      'sub-2',
      'sub-3',
    ]);
    expect(ids(rows)).toEqual(['sub-10', 'sub-2', 'sub-3']); // the input is not changed
  });

  it('flips the direction on the same header and starts ascending on a new one', () => {
    expect(nextSort({ column: 'id', dir: 'asc' }, 'id')).toEqual({ column: 'id', dir: 'desc' });
    expect(nextSort({ column: 'id', dir: 'desc' }, 'id')).toEqual({ column: 'id', dir: 'asc' });
    expect(nextSort({ column: 'id', dir: 'desc' }, 'state')).toEqual({
      column: 'state',
      dir: 'asc',
    });
  });
});
