import type { LabClient } from '../../../src/renderer/src/bridge/client';
import { vi } from 'vitest';
import type { LabEvent, LabEventBody } from '../../../src/shared/events';
import { applyEvents, emptyModel, type LabModel } from '../../../src/shared/model';

/** Stamps bodies with consecutive seqs starting at `from` (t = seq * 10 ms). */
export function stamp(from: number, bodies: readonly LabEventBody[]): LabEvent[] {
  return bodies.map((body, i) => ({ ...body, seq: from + i, t: (from + i) * 10 }) as LabEvent);
}

/** `count` agent.started events from `from`: cheap, distinct, easy to check. */
export function agents(from: number, count: number): LabEvent[] {
  return stamp(
    from,
    Array.from({ length: count }, (_, i) => ({
      kind: 'agent.started' as const,
      agentId: `agent-${from + i}`,
      role: 'user-agent' as const,
      label: `UA ${from + i}`,
    })),
  );
}

export function modelAfter(events: readonly LabEvent[]): LabModel {
  return applyEvents(emptyModel(), events);
}

/** A frame scheduler driven by the test: `frame()` runs what is scheduled. */
export function fakeFrames() {
  let callbacks: (() => void)[] = [];
  return {
    schedule: (callback: () => void) => {
      callbacks.push(callback);
      return () => {
        callbacks = callbacks.filter((c) => c !== callback);
      };
    },
    get scheduled(): number {
      return callbacks.length;
    },
    frame(): void {
      const run = callbacks;
      callbacks = [];
      for (const callback of run) callback();
    },
  };
}

/** A LabClient that never answers nor streams: for rendering views from a state set by hand. */
export function idleClient(): LabClient {
  return {
    call: vi.fn(),
    onSnapshot: () => () => {},
    onEvents: () => () => {},
    onStatus: () => () => {},
    onRunStatus: () => () => {},
    resync: vi.fn(),
    close: vi.fn(),
  } as unknown as LabClient;
}
