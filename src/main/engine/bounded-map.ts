/**
 * A Map that forgets its oldest entries (insertion order) once it holds more than
 * `countMax`: the checker's and the report's message tables, so a long run stays bounded.
 *
 * Why not `map.keys().next()` to find the oldest: V8 leaves deleted slots at the head of a
 * Map until it rehashes, so evicting that way costs O(deleted) per call — 24 s per million
 * inserts at a 20,000 cap. Instead a FIFO of (key, insertion number) is kept beside the Map;
 * entries deleted meanwhile are skipped, and the FIFO is compacted when stale or consumed keys
 * outnumber live ones, so every operation is amortised O(1) and the FIFO stays O(size).
 */
interface Slot<V> {
  value: V;
  /** Insertion number; a FIFO entry with another number is stale. */
  order: number;
}

/** Stale FIFO entries tolerated beyond the live count before compaction. */
const STALE_SLACK = 1024;

export class BoundedMap<K, V> {
  private readonly map = new Map<K, Slot<V>>();
  private fifoKeys: K[] = [];
  private fifoOrders: number[] = [];
  private head = 0;
  private nextOrder = 0;
  /** Entries forgotten to stay within the bound. */
  forgottenCount = 0;

  constructor(
    readonly countMax: number,
    /** Told about each entry forgotten for space (not about delete()). */
    private readonly onForget?: (key: K, value: V) => void,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Adds or replaces; a replaced entry keeps its place in the eviction order. */
  set(key: K, value: V): void {
    const slot = this.map.get(key);
    if (slot) {
      slot.value = value;
      return;
    }
    const order = this.nextOrder++;
    this.map.set(key, { value, order });
    this.fifoKeys.push(key);
    this.fifoOrders.push(order);
    while (this.map.size > this.countMax && this.head < this.fifoKeys.length) {
      const oldKey = this.fifoKeys[this.head]!;
      const oldOrder = this.fifoOrders[this.head]!;
      this.head += 1;
      const old = this.map.get(oldKey);
      if (old === undefined || old.order !== oldOrder) continue;
      this.map.delete(oldKey);
      this.forgottenCount += 1;
      this.onForget?.(oldKey, old.value);
    }
    const pending = this.fifoKeys.length - this.head;
    // Compact when stale keys outnumber live ones, or when the consumed head is most of the array.
    if (pending > 2 * this.map.size + STALE_SLACK || this.head > pending + STALE_SLACK)
      this.compact();
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** Values in insertion order. */
  *values(): IterableIterator<V> {
    for (const slot of this.map.values()) yield slot.value;
  }

  /** Drops consumed and stale FIFO entries. */
  private compact(): void {
    const keys: K[] = [];
    const orders: number[] = [];
    for (let i = this.head; i < this.fifoKeys.length; i++) {
      const key = this.fifoKeys[i]!;
      if (this.map.get(key)?.order === this.fifoOrders[i]) {
        keys.push(key);
        orders.push(this.fifoOrders[i]!);
      }
    }
    this.fifoKeys = keys;
    this.fifoOrders = orders;
    this.head = 0;
  }
}
