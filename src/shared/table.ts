/**
 * Table: a persistent (never mutated) map from string keys to values, in insertion order,
 * whose versions share structure. The LabModel keeps its tables in it, so a batch that
 * changes k entries of an n-entry table costs about k·log₃₂ n + n/64 instead of n (the
 * plain-record model copied all 10,000 subscriptions for every batch: ~9 ms at 60 batches a
 * second).
 *
 * Layout: every entry has a slot, numbered in insertion order and stored in chunks of
 * CHUNK (a key array and a value array per chunk); a hash array mapped trie maps each key
 * to its slot. Changing a value copies its chunk; inserting appends a slot and path-copies
 * the trie; deleting leaves a hole, and once holes outnumber entries the slots are compacted.
 * Edits go through a TableDraft, which copies a chunk or trie node at most once, so a batch
 * pays once for each chunk it touches.
 *
 * A finished Table never changes: any version may be kept (snapshots) and any may be edited
 * again (a seek folds events onto an old snapshot). Iteration is in insertion order, and a
 * key deleted and set again goes to the end, as with a Map or a record. Equality for tests
 * is by entries in order (the internals are private fields: vitest compares iterables by
 * iterating); JSON is a plain record (`toJSON`), read back with `Table.fromRecord`.
 */

const CHUNK_BITS = 6;
/** Slots per chunk. */
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
/** Hash bits per trie level (32 children). */
const LEVEL_BITS = 5;

/** Marks the trie nodes a draft created, which that draft may change in place. */
type Owner = object;

class Leaf {
  constructor(
    readonly key: string,
    readonly hash: number,
    readonly slot: number,
  ) {}
}

/** Keys whose 32-bit hashes are equal. */
class Collision {
  constructor(
    readonly hash: number,
    public leaves: Leaf[],
    readonly owner: Owner | null,
  ) {}
}

/** Children for the set bits of `bitmap`, in bit order. */
class Branch {
  constructor(
    public bitmap: number,
    public items: TrieNode[],
    readonly owner: Owner | null,
  ) {}
}

type TrieNode = Leaf | Collision | Branch;

interface State<V> {
  root: TrieNode | null;
  /** keys[c][i] is the key in slot c·CHUNK + i (undefined: deleted). */
  keys: readonly (readonly (string | undefined)[])[];
  /** values[c][i] is its value (undefined: deleted). */
  values: readonly (readonly (V | undefined)[])[];
  /** Slots used, holes included. */
  length: number;
  size: number;
}

/** A 32-bit string hash (FNV-1a, then murmur3's finalizer to spread it over every bit). Exported for tests. */
export function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

function trieGet(root: TrieNode | null, key: string, hash: number): number | undefined {
  let node = root;
  let shift = 0;
  while (node !== null) {
    if (node instanceof Leaf) return node.key === key ? node.slot : undefined;
    if (node instanceof Collision) {
      for (const leaf of node.leaves) if (leaf.key === key) return leaf.slot;
      return undefined;
    }
    const bit = 1 << ((hash >>> shift) & 31);
    if ((node.bitmap & bit) === 0) return undefined;
    node = node.items[popcount(node.bitmap & (bit - 1))] ?? null;
    shift += LEVEL_BITS;
  }
  return undefined;
}

function ownBranch(node: Branch, owner: Owner): Branch {
  return node.owner === owner ? node : new Branch(node.bitmap, node.items.slice(), owner);
}

/** A node holding both `a` and `b` (different keys), branching where their hashes differ. */
function merge(a: Leaf | Collision, b: Leaf, shift: number, owner: Owner): TrieNode {
  if (a.hash === b.hash) {
    return new Collision(a.hash, a instanceof Leaf ? [a, b] : [...a.leaves, b], owner);
  }
  const ia = (a.hash >>> shift) & 31;
  const ib = (b.hash >>> shift) & 31;
  if (ia === ib) return new Branch(1 << ia, [merge(a, b, shift + LEVEL_BITS, owner)], owner);
  return new Branch((1 << ia) | (1 << ib), ia < ib ? [a, b] : [b, a], owner);
}

/** `node` with `leaf` added, or replacing the leaf of the same key. */
function trieSet(node: TrieNode | null, leaf: Leaf, shift: number, owner: Owner): TrieNode {
  if (node === null) return leaf;
  if (node instanceof Leaf) return node.key === leaf.key ? leaf : merge(node, leaf, shift, owner);
  if (node instanceof Collision) {
    if (node.hash !== leaf.hash) return merge(node, leaf, shift, owner);
    const leaves = node.leaves.filter((l) => l.key !== leaf.key);
    leaves.push(leaf);
    return new Collision(node.hash, leaves, owner);
  }
  const bit = 1 << ((leaf.hash >>> shift) & 31);
  const at = popcount(node.bitmap & (bit - 1));
  const out = ownBranch(node, owner);
  if ((node.bitmap & bit) === 0) {
    out.items.splice(at, 0, leaf);
    out.bitmap |= bit;
  } else {
    out.items[at] = trieSet(node.items[at] ?? null, leaf, shift + LEVEL_BITS, owner);
  }
  return out;
}

/**
 * `node` without `key` (the same node when it has no such key; null when nothing is left).
 * A branch left with one leaf or collision collapses into it, so the trie stays as shallow
 * as on insertion.
 */
function trieDelete(
  node: TrieNode,
  key: string,
  hash: number,
  shift: number,
  owner: Owner,
): TrieNode | null {
  if (node instanceof Leaf) return node.key === key ? null : node;
  if (node instanceof Collision) {
    const leaves = node.leaves.filter((l) => l.key !== key);
    if (leaves.length === node.leaves.length) return node;
    return leaves.length === 1 ? leaves[0]! : new Collision(node.hash, leaves, owner);
  }
  const bit = 1 << ((hash >>> shift) & 31);
  if ((node.bitmap & bit) === 0) return node;
  const at = popcount(node.bitmap & (bit - 1));
  const child = node.items[at]!;
  const next = trieDelete(child, key, hash, shift + LEVEL_BITS, owner);
  if (next === child) return node;
  if (next === null) {
    if (node.items.length === 1) return null;
    const other = node.items[1 - at];
    if (node.items.length === 2 && other !== undefined && !(other instanceof Branch)) return other;
    const out = ownBranch(node, owner);
    out.items.splice(at, 1);
    out.bitmap &= ~bit;
    return out;
  }
  if (node.items.length === 1 && !(next instanceof Branch)) return next;
  const out = ownBranch(node, owner);
  out.items[at] = next;
  return out;
}

// Module-private access to a Table's state (set in Table's static block).
let stateOf: <V>(table: Table<V>) => State<V>;
let tableOf: <V>(state: State<V>) => Table<V>;

/** What reading a table needs; a Map fits too (handy in tests). */
export interface TableLike<V> {
  get(key: string): V | undefined;
  values(): IterableIterator<V>;
  readonly size: number;
}

export class Table<V> implements TableLike<V> {
  readonly #s: State<V>;

  static {
    stateOf = <V>(table: Table<V>): State<V> => table.#s;
    tableOf = <V>(state: State<V>): Table<V> => new Table(state);
  }

  private constructor(state: State<V>) {
    this.#s = state;
  }

  static empty<V>(): Table<V> {
    return EMPTY as Table<V>;
  }

  /** A table of `entries`, in their order (a repeated key keeps its first place, last value). */
  static from<V>(entries: Iterable<readonly [string, V]>): Table<V> {
    const draft = new TableDraft(Table.empty<V>());
    for (const [key, value] of entries) draft.set(key, value);
    return draft.finish();
  }

  /** A table of a record's own enumerable entries, in its key order (what `toJSON` gives back). */
  static fromRecord<V>(record: Readonly<Record<string, V>>): Table<V> {
    const draft = new TableDraft(Table.empty<V>());
    for (const key of Object.keys(record)) draft.set(key, record[key] as V);
    return draft.finish();
  }

  /**
   * A table of `keys[i]` → `values[i]`, in order: what `from` makes of them, built in one
   * pass (a whole seek answer's tables at the receiver, seek-wire.ts: 10,000 entries set one
   * by one through a draft cost about twice as much). The chunks are slices of the arrays; a
   * repeated key or an undefined value falls back to `from`'s rules (first place, last value;
   * undefined throws).
   */
  static fromOrdered<V>(keys: readonly string[], values: readonly V[]): Table<V> {
    if (keys.length !== values.length) {
      throw new RangeError(
        `Table.fromOrdered: ${keys.length} keys for ${values.length} values (they must be as many)`,
      );
    }
    const owner: Owner = {};
    let root: TrieNode | null = null;
    for (let slot = 0; slot < keys.length; slot++) {
      const key = keys[slot]!;
      const hash = hashOf(key);
      if (values[slot] === undefined || trieGet(root, key, hash) !== undefined) {
        return Table.from(keys.map((k, i) => [k, values[i]!] as const));
      }
      root = trieSet(root, new Leaf(key, hash, slot), 0, owner);
    }
    if (keys.length === 0) return Table.empty<V>();
    const keyChunks: string[][] = [];
    const valueChunks: V[][] = [];
    for (let at = 0; at < keys.length; at += CHUNK) {
      keyChunks.push(keys.slice(at, at + CHUNK));
      valueChunks.push(values.slice(at, at + CHUNK));
    }
    return new Table({
      root,
      keys: keyChunks,
      values: valueChunks,
      length: keys.length,
      size: keys.length,
    });
  }

  /**
   * What changed from `before` to `after` when their slots line up — every slot both have
   * holds the same key in both, or a hole in `after` — as versions edited from one another
   * do until a compaction: then, walking only the chunks that differ, `removed` gets each key
   * of `before` that `after` does not hold in its slot, `changed` each key in the same slot
   * with another value (by identity), and `appended` the entries in `after`'s slots past
   * `before`'s, in order. `after`'s entries are then `before`'s kept ones in their order, then
   * the appended ones (a shared-seek delta, table-delta.ts). False when the slots do not
   * line up; the visitors may have been called before that was found.
   */
  static align<V>(
    before: Table<V>,
    after: Table<V>,
    visit: {
      removed(key: string): void;
      changed(key: string, was: V, is: V): void;
      appended(key: string, value: V): void;
    },
  ): boolean {
    const a = before.#s;
    const b = after.#s;
    if (a === b) return true;
    const shared = Math.min(a.length, b.length);
    const chunks = Math.max(a.values.length, b.values.length);
    for (let c = 0; c < chunks; c++) {
      const ak = a.keys[c] ?? [];
      const bk = b.keys[c] ?? [];
      const av = a.values[c] ?? [];
      const bv = b.values[c] ?? [];
      if (ak === bk && av === bv) continue;
      const end = Math.max(ak.length, bk.length);
      for (let i = 0; i < end; i++) {
        const slot = c * CHUNK + i;
        const was = slot < a.length ? ak[i] : undefined;
        const is = slot < b.length ? bk[i] : undefined;
        if (slot < shared) {
          if (was === is) {
            if (was !== undefined && av[i] !== bv[i]) visit.changed(was, av[i]!, bv[i]!);
          } else if (is === undefined) {
            visit.removed(was!);
          } else {
            return false;
          }
          continue;
        }
        if (was !== undefined) visit.removed(was);
        if (is !== undefined) visit.appended(is, bv[i]!);
      }
    }
    return true;
  }

  /**
   * `after` as entries of `before` and entries of its own, in `after`'s order, read from the
   * slots when `after` is a version `before` was edited from (a seek going back: since then,
   * entries were deleted, leaving holes in `before` where `after` still holds them, and set
   * past its end). `kept` gets each entry both hold in the same slot, with its index in
   * `before`'s order; `own` each entry of `after` whose slot is a hole in `before`. No key is
   * hashed or looked up: the cost is a read per slot. False when the slots do not line up
   * (`after` is not such a version, or a compaction renumbered them); the visitors may have
   * been called before that was found.
   */
  static alignBack<V>(
    before: Table<V>,
    after: Table<V>,
    visit: {
      kept(index: number, key: string, was: V, is: V): void;
      own(key: string, value: V): void;
    },
  ): boolean {
    const a = before.#s;
    const b = after.#s;
    if (b.length > a.length) return false;
    let index = 0;
    for (let c = 0; c < b.values.length; c++) {
      const ak = a.keys[c]!;
      const av = a.values[c]!;
      const bk = b.keys[c]!;
      const bv = b.values[c]!;
      const shared = ak === bk && av === bv;
      for (let i = 0; i < bk.length; i++) {
        const is = bk[i];
        const was = ak[i];
        if (is === undefined) {
          // A hole in `after` stays one: slots are never set again.
          if (was !== undefined) return false;
        } else if (shared || was === is) {
          visit.kept(index++, is, av[i]!, bv[i]!);
        } else if (was === undefined) {
          visit.own(is, bv[i]!);
        } else {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Calls `visit` for every key whose value differs between `before` and `after` (by
   * identity; a value missing on one side is undefined there), each key once. Versions
   * edited from one another share the chunks nothing changed, so the cost is about the
   * chunks that changed, not the table's size.
   */
  static diff<V>(
    before: Table<V>,
    after: Table<V>,
    visit: (key: string, was: V | undefined, is: V | undefined) => void,
  ): void {
    const a = before.#s;
    const b = after.#s;
    if (a === b) return;
    let seen: Set<string> | null = null;
    const chunks = Math.max(a.values.length, b.values.length);
    for (let c = 0; c < chunks; c++) {
      const av = a.values[c];
      const bv = b.values[c];
      if (av === bv) continue;
      const ak = a.keys[c];
      const bk = b.keys[c];
      if (av !== undefined && bv !== undefined && ak !== undefined && ak === bk) {
        // Same keys in the same slots (no insert or delete in this chunk): compare in place.
        for (let i = 0; i < ak.length; i++) {
          const key = ak[i];
          if (key !== undefined && av[i] !== bv[i]) visit(key, av[i], bv[i]);
        }
        continue;
      }
      seen ??= new Set();
      for (const keys of [ak, bk]) {
        if (keys === undefined) continue;
        for (const key of keys) {
          if (key === undefined || seen.has(key)) continue;
          seen.add(key);
          const was = before.get(key);
          const is = after.get(key);
          if (was !== is) visit(key, was, is);
        }
      }
    }
  }

  get size(): number {
    return this.#s.size;
  }

  get(key: string): V | undefined {
    const s = this.#s;
    const slot = trieGet(s.root, key, hashOf(key));
    return slot === undefined ? undefined : s.values[slot >>> CHUNK_BITS]?.[slot & CHUNK_MASK];
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  *entries(): IterableIterator<[string, V]> {
    const { keys, values } = this.#s;
    for (let c = 0; c < values.length; c++) {
      const kc = keys[c]!;
      const vc = values[c]!;
      for (let i = 0; i < vc.length; i++) {
        const value = vc[i];
        if (value !== undefined) yield [kc[i]!, value];
      }
    }
  }

  *keys(): IterableIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): IterableIterator<V> {
    const { values } = this.#s;
    for (let c = 0; c < values.length; c++) {
      const vc = values[c]!;
      for (let i = 0; i < vc.length; i++) {
        const value = vc[i];
        if (value !== undefined) yield value;
      }
    }
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  /** Calls `f` for each entry in order; faster than iterating. */
  forEach(f: (value: V, key: string) => void): void {
    const { keys, values } = this.#s;
    for (let c = 0; c < values.length; c++) {
      const kc = keys[c]!;
      const vc = values[c]!;
      for (let i = 0; i < vc.length; i++) {
        const value = vc[i];
        if (value !== undefined) f(value, kc[i]!);
      }
    }
  }

  /** A plain record of the entries, in order (what JSON carries). */
  toJSON(): Record<string, V> {
    const out: Record<string, V> = {};
    this.forEach((value, key) => (out[key] = value));
    return out;
  }

  /** A draft to make the next version from; this table never changes. */
  edit(): TableDraft<V> {
    return new TableDraft(this);
  }

  /** A new version with `key` set to `value` (for single edits; batches use `edit`). */
  set(key: string, value: V): Table<V> {
    const draft = this.edit();
    draft.set(key, value);
    return draft.finish();
  }

  /** A new version without `key` (this one when it has no such key). */
  delete(key: string): Table<V> {
    const draft = this.edit();
    draft.delete(key);
    return draft.finish();
  }

  get [Symbol.toStringTag](): string {
    return 'Table';
  }
}

const EMPTY = tableOf<never>({ root: null, keys: [], values: [], length: 0, size: 0 });

/**
 * The next version of a table, built by edits. Each chunk and trie node is copied at most
 * once per draft and then changed in place; `finish()` returns the new version (the base
 * itself when nothing changed) and hands over everything it copied, so editing on after
 * `finish()` copies again and never touches a finished table.
 */
export class TableDraft<V> implements TableLike<V> {
  private base: Table<V>;
  private root: TrieNode | null;
  private keyChunks: (string | undefined)[][];
  private valueChunks: (V | undefined)[][];
  private length: number;
  private count: number;
  private owner: Owner = {};
  /** Chunks (and whether the two chunk lists) this draft copied and may write in place. */
  private readonly owned = new Set<unknown[]>();
  private listsOwned = false;
  private changed = false;

  constructor(base: Table<V>) {
    this.base = base;
    const s = stateOf(base);
    this.root = s.root;
    this.keyChunks = s.keys as (string | undefined)[][];
    this.valueChunks = s.values as (V | undefined)[][];
    this.length = s.length;
    this.count = s.size;
  }

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    const slot = trieGet(this.root, key, hashOf(key));
    return slot === undefined
      ? undefined
      : this.valueChunks[slot >>> CHUNK_BITS]?.[slot & CHUNK_MASK];
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  *values(): IterableIterator<V> {
    for (const chunk of this.valueChunks)
      for (const value of chunk) if (value !== undefined) yield value;
  }

  set(key: string, value: V): void {
    if (value === undefined) throw new TypeError(`Table values cannot be undefined (key "${key}")`);
    const hash = hashOf(key);
    const slot = trieGet(this.root, key, hash);
    if (slot !== undefined) {
      if (this.valueChunks[slot >>> CHUNK_BITS]?.[slot & CHUNK_MASK] === value) return;
      this.valueChunk(slot)[slot & CHUNK_MASK] = value;
      this.changed = true;
      return;
    }
    const at = this.length++;
    if ((at & CHUNK_MASK) === 0) {
      this.ownLists();
      const keys = [key];
      const values = [value];
      this.owned.add(keys).add(values);
      this.keyChunks.push(keys);
      this.valueChunks.push(values);
    } else {
      this.keyChunk(at).push(key);
      this.valueChunk(at).push(value);
    }
    this.root = trieSet(this.root, new Leaf(key, hash, at), 0, this.owner);
    this.count++;
    this.changed = true;
  }

  /** Removes `key`; false when there was none. */
  delete(key: string): boolean {
    const hash = hashOf(key);
    const slot = trieGet(this.root, key, hash);
    if (slot === undefined || this.root === null) return false;
    this.root = trieDelete(this.root, key, hash, 0, this.owner);
    this.keyChunk(slot)[slot & CHUNK_MASK] = undefined;
    this.valueChunk(slot)[slot & CHUNK_MASK] = undefined;
    this.count--;
    this.changed = true;
    // Holes cost iteration time and memory: renumber once they outnumber the entries (each
    // compaction follows at least as many deletions as it moves entries).
    if (this.length - this.count > Math.max(CHUNK, this.count)) this.compact();
    return true;
  }

  finish(): Table<V> {
    if (!this.changed) return this.base;
    const table = tableOf<V>({
      root: this.root,
      keys: this.keyChunks,
      values: this.valueChunks,
      length: this.length,
      size: this.count,
    });
    // Everything copied so far now belongs to `table`: later edits copy again.
    this.base = table;
    this.owner = {};
    this.owned.clear();
    this.listsOwned = false;
    this.changed = false;
    return table;
  }

  private ownLists(): void {
    if (this.listsOwned) return;
    this.keyChunks = this.keyChunks.slice();
    this.valueChunks = this.valueChunks.slice();
    this.listsOwned = true;
  }

  /** The key chunk holding `slot`, copied first unless this draft owns it. */
  private keyChunk(slot: number): (string | undefined)[] {
    const c = slot >>> CHUNK_BITS;
    const current = this.keyChunks[c]!;
    if (this.owned.has(current)) return current;
    this.ownLists();
    const copy = current.slice();
    this.owned.add(copy);
    this.keyChunks[c] = copy;
    return copy;
  }

  /** The value chunk holding `slot`, copied first unless this draft owns it. */
  private valueChunk(slot: number): (V | undefined)[] {
    const c = slot >>> CHUNK_BITS;
    const current = this.valueChunks[c]!;
    if (this.owned.has(current)) return current;
    this.ownLists();
    const copy = current.slice();
    this.owned.add(copy);
    this.valueChunks[c] = copy;
    return copy;
  }

  private compact(): void {
    const keys: (string | undefined)[][] = [];
    const values: (V | undefined)[][] = [];
    const owner: Owner = {};
    let root: TrieNode | null = null;
    let at = 0;
    for (let c = 0; c < this.valueChunks.length; c++) {
      const kc = this.keyChunks[c]!;
      const vc = this.valueChunks[c]!;
      for (let i = 0; i < vc.length; i++) {
        const value = vc[i];
        if (value === undefined) continue;
        const key = kc[i]!;
        if ((at & CHUNK_MASK) === 0) {
          keys.push([]);
          values.push([]);
        }
        keys[keys.length - 1]!.push(key);
        values[values.length - 1]!.push(value);
        root = trieSet(root, new Leaf(key, hashOf(key), at), 0, owner);
        at++;
      }
    }
    this.owner = owner;
    this.owned.clear();
    for (const chunk of keys) this.owned.add(chunk);
    for (const chunk of values) this.owned.add(chunk);
    this.keyChunks = keys;
    this.valueChunks = values;
    this.listsOwned = true;
    this.root = root;
    this.length = at;
  }
}
