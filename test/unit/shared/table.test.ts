import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashOf, Table } from '../../../src/shared/table';

type Op = { kind: 'set'; key: string; value: number } | { kind: 'delete'; key: string };

/** Keys from a small pool, so sets, updates, deletes and re-adds all happen often. */
const key = (pool: number) => fc.integer({ min: 0, max: pool - 1 }).map((i) => `k${i}`);
const op = (pool: number): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('set' as const),
        key: key(pool),
        value: fc.integer(),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: key(pool) }) },
  );
/** Ops cut into batches (each batch is one draft). */
const batches = (pool: number) =>
  fc.array(fc.array(op(pool), { maxLength: 40, size: 'max' }), { maxLength: 30, size: 'max' });

function applyToMap(map: Map<string, number>, ops: readonly Op[]): void {
  for (const o of ops) {
    if (o.kind === 'set') map.set(o.key, o.value);
    else map.delete(o.key);
  }
}

function applyToTable(table: Table<number>, ops: readonly Op[]): Table<number> {
  const draft = table.edit();
  for (const o of ops) {
    if (o.kind === 'set') draft.set(o.key, o.value);
    else draft.delete(o.key);
  }
  return draft.finish();
}

function expectSame(table: Table<number>, map: ReadonlyMap<string, number>): void {
  expect([...table.entries()]).toEqual([...map.entries()]);
  expect(table.size).toBe(map.size);
  for (const [k, v] of map) expect(table.get(k)).toBe(v);
}

describe('Table, a persistent insertion-ordered map', () => {
  it('behaves like a Map (order, updates, deletes, re-adds at the end) for any edits', () => {
    for (const pool of [4, 40, 400]) {
      fc.assert(
        fc.property(batches(pool), (bs) => {
          const map = new Map<string, number>();
          let table = Table.empty<number>();
          for (const b of bs) {
            applyToMap(map, b);
            table = applyToTable(table, b);
            expectSame(table, map);
          }
          for (let i = 0; i < pool; i++) expect(table.has(`k${i}`)).toBe(map.has(`k${i}`));
        }),
        { numRuns: 60 },
      );
    }
  });

  it('never changes a finished version, whatever is done to later ones or to branches', () => {
    fc.assert(
      fc.property(
        batches(60),
        fc.array(op(60), { maxLength: 60, size: 'max' }),
        (bs, branchOps) => {
          let table = Table.empty<number>();
          const versions: { table: Table<number>; entries: [string, number][] }[] = [];
          for (const b of bs) {
            table = applyToTable(table, b);
            versions.push({ table, entries: [...table.entries()] });
          }
          // Branch from every version, edit each branch, and edit on after finish().
          for (const v of versions) {
            const draft = v.table.edit();
            for (const o of branchOps) {
              if (o.kind === 'set') draft.set(o.key, o.value);
              else draft.delete(o.key);
            }
            const first = draft.finish();
            draft.set('extra', 1);
            draft.delete(branchOps[0]?.key ?? 'k0');
            const second = draft.finish();
            const expected = new Map(v.entries);
            applyToMap(expected, branchOps);
            expectSame(first, expected);
            expected.set('extra', 1);
            expected.delete(branchOps[0]?.key ?? 'k0');
            expectSame(second, expected);
          }
          for (const v of versions) expect([...v.table.entries()]).toEqual(v.entries);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps its identity when a draft changes nothing, and makes a new one when it does', () => {
    const t = Table.from([
      ['a', 1],
      ['b', 2],
    ]);
    const same = t.edit();
    same.set('a', 1);
    same.delete('zzz');
    expect(same.finish()).toBe(t);
    expect(t.set('a', 3)).not.toBe(t);
    expect(t.delete('nope')).toBe(t);
  });

  it('diff reports exactly the keys whose values differ, between any two versions', () => {
    fc.assert(
      fc.property(batches(200), fc.array(op(200), { maxLength: 80, size: 'max' }), (bs, more) => {
        let before = Table.empty<{ v: number }>();
        for (const b of bs) {
          const draft = before.edit();
          for (const o of b) {
            if (o.kind === 'set') draft.set(o.key, { v: o.value });
            else draft.delete(o.key);
          }
          before = draft.finish();
        }
        const draft = before.edit();
        for (const o of more) {
          if (o.kind === 'set') draft.set(o.key, { v: o.value });
          else draft.delete(o.key);
        }
        const after = draft.finish();
        const reported = new Map<string, [unknown, unknown]>();
        Table.diff(before, after, (k, was, is) => {
          expect(reported.has(k)).toBe(false);
          reported.set(k, [was, is]);
        });
        const keys = new Set([...before.keys(), ...after.keys()]);
        const expected = [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
        expect([...reported.keys()].sort()).toEqual(expected);
        for (const [k, [was, is]] of reported) {
          expect(was).toBe(before.get(k));
          expect(is).toBe(after.get(k));
        }
        // Unrelated tables with the same values: nothing differs by identity.
        const rebuilt = Table.from(after.entries());
        let differing = 0;
        Table.diff(after, rebuilt, () => differing++);
        expect(differing).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('travels as a plain record and comes back equal, in order', () => {
    let t = Table.empty<{ id: string }>();
    for (let i = 0; i < 300; i++) t = t.set(`id-${i}`, { id: `id-${i}` });
    for (let i = 0; i < 300; i += 3) t = t.delete(`id-${i}`);
    const json = JSON.parse(JSON.stringify({ table: t })) as {
      table: Record<string, { id: string }>;
    };
    expect(Object.keys(json.table)).toEqual([...t.keys()]);
    const back = Table.fromRecord(json.table);
    expect(back).toEqual(t);
    expect(back).not.toEqual(t.delete('id-1'));
    expect(back).not.toEqual(Table.from([...t.entries()].reverse()));
  });

  it('compacts its holes: a table that churns through many keys stays small and correct', () => {
    let t = Table.empty<number>();
    for (let i = 0; i < 20_000; i++) {
      const draft = t.edit();
      draft.set(`m${i}`, i);
      if (i >= 100) draft.delete(`m${i - 100}`);
      t = draft.finish();
    }
    expect(t.size).toBe(100);
    expect([...t.values()]).toEqual(Array.from({ length: 100 }, (_, i) => 19_900 + i));
    expect(t.get('m19950')).toBe(19_950);
    expect(t.get('m5')).toBeUndefined();
  });

  it('keeps keys whose 32-bit hashes are equal apart', () => {
    const pairs = [
      ['c693596', 'c1170850'],
      ['c693597', 'c1170851'],
    ] as const;
    for (const [a, b] of pairs) expect(hashOf(a)).toBe(hashOf(b));
    const colliding = ['c693596', 'c1170850', 'c693597', 'c1170851'];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            key: fc.constantFrom(...colliding, 'k1', 'k2', 'k3'),
            value: fc.option(fc.integer(), { nil: undefined }),
          }),
          { maxLength: 50, size: 'max' },
        ),
        (edits) => {
          const map = new Map<string, number>();
          let t = Table.empty<number>();
          for (const { key: k, value } of edits) {
            if (value === undefined) {
              map.delete(k);
              t = t.delete(k);
            } else {
              map.set(k, value);
              t = t.set(k, value);
            }
            expectSame(t, map);
            for (const c of colliding) expect(t.get(c)).toBe(map.get(c));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('finds every key of a large table, before and after deleting half', () => {
    const n = 50_000;
    const draft = Table.empty<number>().edit();
    for (let i = 0; i < n; i++) draft.set(`x${i}`, i);
    const t = draft.finish();
    for (let i = 0; i < n; i++) expect(t.get(`x${i}`)).toBe(i);
    const del = t.edit();
    for (let i = 0; i < n; i += 2) del.delete(`x${i}`);
    const half = del.finish();
    for (let i = 0; i < n; i++) expect(half.get(`x${i}`)).toBe(i % 2 === 0 ? undefined : i);
    expect(half.size).toBe(n / 2);
  });

  it('fromOrdered makes what from makes of the same entries, and the result edits like any table', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            // Keys whose 32-bit hashes are equal too: the trie is built level by level.
            fc.oneof(key(300), fc.constantFrom('c693596', 'c1170850', 'c693597', 'c1170851')),
            fc.integer(),
          ),
          { maxLength: 400, size: 'max' },
        ),
        batches(300),
        (entries, bs) => {
          const keys = entries.map(([k]) => k);
          const values = entries.map(([, v]) => v);
          const bulk = Table.fromOrdered(keys, values);
          const map = new Map<string, number>();
          for (const [k, v] of entries) map.set(k, v);
          expectSame(bulk, map);
          // Its chunks are its own: the arrays it was given may change afterwards.
          keys.fill('gone');
          values.fill(-1);
          expectSame(bulk, map);
          let table = bulk;
          for (const b of bs) {
            applyToMap(map, b);
            table = applyToTable(table, b);
            expectSame(table, map);
          }
          expectSame(
            bulk,
            new Map(entries.map(([k]) => [k, entries.findLast(([j]) => j === k)![1]])),
          );
        },
      ),
      { numRuns: 100 },
    );
    expect(Table.fromOrdered([], [])).toBe(Table.empty());
    expect(() => Table.fromOrdered(['a', 'b'], [1])).toThrow(
      'Table.fromOrdered: 2 keys for 1 values (they must be as many)',
    );
    expect(() => Table.fromOrdered(['a'], [undefined])).toThrow(/cannot be undefined/);
  });
});
