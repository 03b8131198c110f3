import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { FeatureDef } from './features';
import type { LabState, LabStore } from './lab-store';

const LabStoreContext = createContext<LabStore | null>(null);

export function LabProvider({ store, children }: { store: LabStore; children: ReactNode }) {
  return <LabStoreContext.Provider value={store}>{children}</LabStoreContext.Provider>;
}

/** Reads a slice of the lab store; re-renders when `selector`'s result changes (Object.is). */
export function useLab<T>(selector: (state: LabState) => T): T {
  return useStore(useLabStore(), selector);
}

/** The store itself, for reading it when something happens (a click) rather than rendering it. */
export function useLabStore(): LabStore {
  const store = useContext(LabStoreContext);
  if (!store) throw new Error('useLab must be used inside <LabProvider>.');
  return store;
}

/** This lab store's instance of a feature's store, for reading or changing it in handlers. */
export function useFeatureStore<S>(def: FeatureDef<S>): StoreApi<S> {
  return useLabStore().feature(def);
}

/** Reads a slice of a feature's store; re-renders when `selector`'s result changes (Object.is). */
export function useFeature<S, T>(def: FeatureDef<S>, selector: (state: S) => T): T {
  return useStore(useFeatureStore(def), selector);
}

/**
 * Like useLab, but follows the store at most once every `ms` (the latest value, at the end
 * of each interval), for views that need not move with every frame's batch.
 */
export function useLabThrottled<T>(selector: (state: LabState) => T, ms: number): T {
  const store = useLabStore();
  const latest = useRef(selector);
  useEffect(() => {
    latest.current = selector;
  });
  const [value, setValue] = useState(() => selector(store.getState()));
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = -Infinity;
    const update = () => {
      timer = null;
      last = performance.now();
      setValue(() => latest.current(store.getState()));
    };
    update();
    const unsubscribe = store.subscribe(() => {
      timer ??= setTimeout(update, Math.max(0, last + ms - performance.now()));
    });
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [store, ms]);
  return value;
}
