import type { ConnectionStatus, LabClient } from '../../../src/renderer/src/bridge/client';
import { vi } from 'vitest';
import type { Command } from '../../../src/shared/commands';
import type { LabEvent, LabEventBody } from '../../../src/shared/events';
import { applyEvents, emptyModel, type LabModel } from '../../../src/shared/model';
import type { RunStatus } from '../../../src/shared/workbench';

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

const SENT = { ok: true, value: { status: 201, messageId: 'm1', detail: null } };

/**
 * A LabClient driven by the test: it delivers snapshots, events and statuses when told;
 * `call` answers every command with `answer` (by default a 201 send outcome).
 */
export function drivenClient(answer: (command: Command) => unknown = () => SENT) {
  const snapshot = new Set<(m: LabModel) => void>();
  const events = new Set<(e: LabEvent[]) => void>();
  const status = new Set<(s: ConnectionStatus) => void>();
  const runStatus = new Set<(s: RunStatus) => void>();
  let current: ConnectionStatus = 'connecting';
  const client = {
    call: vi.fn(async (command: Command) => answer(command)),
    onSnapshot: (l: (m: LabModel) => void) => (snapshot.add(l), () => snapshot.delete(l)),
    onEvents: (l: (e: LabEvent[]) => void) => (events.add(l), () => events.delete(l)),
    onStatus: (l: (s: ConnectionStatus) => void) => {
      status.add(l);
      l(current);
      return () => status.delete(l);
    },
    onRunStatus: (l: (s: RunStatus) => void) => (runStatus.add(l), () => runStatus.delete(l)),
    resync: vi.fn(),
    close: vi.fn(),
  };
  return {
    runStatus: (s: RunStatus) => runStatus.forEach((l) => l(s)),
    client: client as unknown as LabClient & typeof client,
    snapshot: (m: LabModel) => snapshot.forEach((l) => l(m)),
    events: (e: LabEvent[]) => events.forEach((l) => l(e)),
    status: (s: ConnectionStatus) => {
      current = s;
      status.forEach((l) => l(s));
    },
    listeners: () => snapshot.size + events.size + status.size + runStatus.size,
  };
}
