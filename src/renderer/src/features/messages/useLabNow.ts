/**
 * The lab's current time, estimated between events: `model.t` advanced by the local time
 * elapsed since that model arrived, at the lab's pace (`selectLabPace`: 0 while the views
 * show a fixed moment). A shared 250 ms ticker drives it, and only while some component asks
 * for it with `active` true (e.g. while a live message is on screen) and the lab's time runs.
 */
import { useSyncExternalStore } from 'react';
import { selectLabPace, selectLabTime, selectModelAt, useLab } from '../../store';

export const LAB_CLOCK_TICK_MS = 250;

const now = (): number => performance.now();

let localNow = now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribeTicker(listener: () => void): () => void {
  listeners.add(listener);
  localNow = now();
  if (timer === null) {
    timer = setInterval(() => {
      localNow = now();
      for (const notify of listeners) notify();
    }, LAB_CLOCK_TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}

const subscribeNever = (): (() => void) => () => {};
const getLocalNow = (): number => localNow;

export function useLabNow(active: boolean): number {
  const t = useLab(selectLabTime);
  const modelAt = useLab(selectModelAt);
  const pace = useLab(selectLabPace);
  const local = useLocalNow(active && pace > 0);
  return active ? estimateLabNow(t, modelAt, pace, local) : t;
}

/** `t` (a model's time, arrived at local time `modelAt`) advanced to local time `local`. */
export function estimateLabNow(t: number, modelAt: number, pace: number, local: number): number {
  return t + Math.max(0, local - modelAt) * pace;
}

/** performance.now(), advanced by the shared ticker while `active` (re-renders every tick). */
export function useLocalNow(active: boolean): number {
  return useSyncExternalStore(active ? subscribeTicker : subscribeNever, getLocalNow, getLocalNow);
}
