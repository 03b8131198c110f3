/**
 * Feature stores: the state a view keeps outside React (the compare form, the scenario editor,
 * the log's filters, the recordings' last outcome, the run bar's notice). Each lab store makes
 * its own (no module-level singletons, so two stores — two tests, two windows — never share
 * one) and tells each of them when the show's epoch changes, so a feature resets its per-show
 * state in the same place the live, travel and ui slices do.
 */
import type { StoreApi } from 'zustand/vanilla';

export interface FeatureDef<S> {
  /** For messages and debugging only; the definition object itself is the key. */
  readonly name: string;
  create(): StoreApi<S>;
  /**
   * Resets what belonged to the show that just ended. Absent: nothing in this feature is
   * per show (its module comment says why).
   */
  newShow?(store: StoreApi<S>): void;
}

export function defineFeature<S>(def: FeatureDef<S>): FeatureDef<S> {
  return def;
}

/** One lab store's feature stores, made on first use. */
export class FeatureStores {
  private readonly stores = new Map<FeatureDef<never>, StoreApi<never>>();

  get<S>(def: FeatureDef<S>): StoreApi<S> {
    const key = def as unknown as FeatureDef<never>;
    let store = this.stores.get(key);
    if (store === undefined) {
      store = def.create() as unknown as StoreApi<never>;
      this.stores.set(key, store);
    }
    return store as unknown as StoreApi<S>;
  }

  /** A new show: every feature made so far drops its per-show state. */
  newShow(): void {
    for (const [def, store] of this.stores) def.newShow?.(store);
  }
}
