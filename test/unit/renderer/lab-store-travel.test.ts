/** Time travel in the lab store: by seq or by lab time, coalesced, and back to live. */
import { describe, expect, it, vi } from 'vitest';
import type { LabClient } from '../../../src/renderer/src/bridge/client';
import { createLabStore } from '../../../src/renderer/src/store/lab-store';
import type { Command } from '../../../src/shared/commands';
import type { RunStatus, SeekResult } from '../../../src/shared/workbench';
import { agents, fakeFrames, modelAfter } from './fixtures';

const events = agents(1, 10);

/** A client whose seeks wait until the test answers them (by seq or by t = seq * 10). */
function seekingClient() {
  const pending: { command: Extract<Command, { type: 'seek' }>; answer: () => void }[] = [];
  let runListener: ((s: RunStatus) => void) | null = null;
  const call = vi.fn((command: Command) => {
    if (command.type !== 'seek') return Promise.resolve({ ok: true, value: null });
    return new Promise((resolve) => {
      const seq = command.seq ?? Math.floor((command.t ?? 0) / 10);
      const value: SeekResult = {
        epoch: 1,
        seq,
        t: seq * 10,
        model: modelAfter(events.slice(0, seq)),
        events: events.slice(0, seq),
      };
      pending.push({ command, answer: () => resolve({ ok: true, value }) });
    });
  });
  const client = {
    call,
    onSnapshot: () => () => {},
    onEvents: () => () => {},
    onStatus: () => () => {},
    onRunStatus: (l: (s: RunStatus) => void) => ((runListener = l), () => {}),
    resync: vi.fn(),
    close: vi.fn(),
  } as unknown as LabClient;
  return { client, call, pending, runStatus: (s: RunStatus) => runListener?.(s) };
}

const status = { epoch: 1, mode: 'replay', events: 10 } as RunStatus;

describe('lab store time travel', () => {
  it('travels by lab time as well as by seq', async () => {
    const fake = seekingClient();
    const store = createLabStore(fake.client, { schedule: fakeFrames().schedule });
    fake.runStatus(status);

    const done = store.getState().actions.travelTo({ t: 42 });
    expect(fake.pending[0]?.command).toMatchObject({ type: 'seek', t: 42 });
    expect(fake.pending[0]?.command.seq).toBeUndefined();
    fake.pending[0]?.answer();
    expect(await done).toEqual({ ok: true, value: undefined });
    expect(store.getState().travel).toEqual({ seq: 4, t: 40 });
    expect(store.getState().model.seq).toBe(4);

    const bySeq = store.getState().actions.travelTo(7);
    expect(fake.pending[1]?.command).toMatchObject({ type: 'seek', seq: 7 });
    fake.pending[1]?.answer();
    await bySeq;
    expect(store.getState().travel).toEqual({ seq: 7, t: 70 });
  });

  it('coalesces requests made while a seek is on its way, then returns to live', async () => {
    const fake = seekingClient();
    const store = createLabStore(fake.client, { schedule: fakeFrames().schedule });
    fake.runStatus(status);
    const { travelTo, returnToLive } = store.getState().actions;

    const first = travelTo(2);
    void travelTo({ t: 50 });
    const last = travelTo(6);
    expect(fake.pending).toHaveLength(1);
    fake.pending[0]?.answer();
    await vi.waitFor(() => expect(fake.pending).toHaveLength(2));
    expect(fake.pending[1]?.command).toMatchObject({ seq: 6 });
    fake.pending[1]?.answer();
    await Promise.all([first, last]);
    expect(store.getState().travel).toEqual({ seq: 6, t: 60 });

    returnToLive();
    expect(store.getState().travel).toBeNull();
    expect(store.getState().model).toBe(store.getState().liveModel);
  });
});
