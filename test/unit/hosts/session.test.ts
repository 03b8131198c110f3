import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LabEvent } from '../../../src/shared/events';
import { emptyModel } from '../../../src/shared/model';
import { ok } from '../../../src/shared/result';
import type { ServerMessage } from '../../../src/shared/wire';
import type { RunStatus } from '../../../src/shared/workbench';
import { HostSession, type LabPort } from '../../../src/main/hosts/session';
import { LabError } from '../../../src/main/engine/errors';

function fakeLab() {
  const listeners = new Set<(e: LabEvent) => void>();
  let seq = 0;
  const lab: LabPort & { emit(): void; executed: unknown[] } = {
    executed: [],
    onEvent: (l) => (listeners.add(l), () => listeners.delete(l)),
    snapshot: () => ({ ...emptyModel(), seq }),
    execute: async (c) => (lab.executed.push(c), ok('done')),
    emit() {
      const e = { kind: 'service.stopped', serviceId: 'x', seq: ++seq, t: 0 } as LabEvent;
      for (const l of listeners) l(e);
    },
  };
  return lab;
}

afterEach(() => vi.useRealTimers());

describe('HostSession', () => {
  it('answers an invalid command with an error naming the field, without running it', async () => {
    const lab = fakeLab();
    const sent: ServerMessage[] = [];
    const s = new HostSession(lab, (m) => sent.push(m));
    await s.receive({
      type: 'command',
      id: 7,
      command: { type: 'send', subscriptionId: 's', ttlSeconds: -1 },
    });
    expect(lab.executed).toEqual([]);
    expect(sent[0]).toMatchObject({
      type: 'result',
      id: 7,
      result: { ok: false, error: { code: 'ERR_BAD_COMMAND' } },
    });
    expect((sent[0] as { result: { error: { message: string } } }).result.error.message).toMatch(
      /ttlSeconds: .*\(got -1\)/,
    );
    s.close();
  });

  it('answers a command that throws inside the lab with ERR_INTERNAL instead of rejecting', async () => {
    const lab = fakeLab();
    lab.execute = () => Promise.reject(new Error('boom'));
    const sent: ServerMessage[] = [];
    const s = new HostSession(lab, (m) => sent.push(m));
    await expect(s.receive({ type: 'command', id: 3, command: { type: 'info' } })).resolves.toBe(
      undefined,
    );
    expect(sent[0]).toMatchObject({
      type: 'result',
      id: 3,
      result: { ok: false, error: { code: 'ERR_INTERNAL' } },
    });
    expect((sent[0] as { result: { error: { message: string } } }).result.error.message).toMatch(
      /^info: boom; the lab goes on$/,
    );
    s.close();
  });

  it('keeps the code of a LabError a command throws', async () => {
    const lab = fakeLab();
    lab.execute = () => Promise.reject(new LabError('ERR_NET_UNKNOWN_LINK', 'links: no link "x"'));
    const sent: ServerMessage[] = [];
    const s = new HostSession(lab, (m) => sent.push(m));
    await s.receive({ type: 'command', id: 4, command: { type: 'info' } });
    expect(sent[0]).toMatchObject({
      result: { ok: false, error: { code: 'ERR_NET_UNKNOWN_LINK' } },
    });
    s.close();
  });

  it('sends a snapshot on resync, then events in one batch per interval', async () => {
    vi.useFakeTimers();
    const lab = fakeLab();
    const sent: ServerMessage[] = [];
    const s = new HostSession(lab, (m) => sent.push(m));
    lab.emit(); // before resync: not streamed
    await s.receive({ type: 'resync' });
    expect(sent).toEqual([{ type: 'snapshot', model: expect.objectContaining({ seq: 1 }) }]);
    for (let i = 0; i < 100; i++) lab.emit();
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(16);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.type === 'events' && sent[1]!.events.map((e) => e.seq)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 2),
    );
    s.close();
  });

  it('switches a client that falls too far behind to a fresh snapshot', async () => {
    vi.useFakeTimers();
    const lab = fakeLab();
    const sent: ServerMessage[] = [];
    const s = new HostSession(lab, (m) => sent.push(m), { pendingEventsMax: 10 });
    await s.receive({ type: 'resync' });
    for (let i = 0; i < 50; i++) lab.emit();
    vi.advanceTimersByTime(16);
    expect(sent.map((m) => m.type)).toEqual(['snapshot', 'snapshot']);
    expect(sent[1]!.type === 'snapshot' && sent[1]!.model.seq).toBe(50);
    s.close();
  });

  it('sends the run status after each snapshot and on change, and a new snapshot when the lab is replaced', () => {
    const lab = fakeLab();
    const statusListeners = new Set<(s: RunStatus) => void>();
    const resetListeners = new Set<() => void>();
    let epoch = 1;
    const status = (): RunStatus => ({ epoch, mode: 'run' }) as RunStatus;
    const port: LabPort = {
      ...lab,
      status,
      onRunStatus: (l) => (statusListeners.add(l), () => statusListeners.delete(l)),
      onReset: (l) => (resetListeners.add(l), () => resetListeners.delete(l)),
    };
    const sent: ServerMessage[] = [];
    const s = new HostSession(port, (m) => sent.push(m));
    // Not streaming yet: a status has no snapshot to go with.
    for (const l of statusListeners) l(status());
    expect(sent).toEqual([]);
    s.resync();
    expect(sent.map((m) => m.type)).toEqual(['snapshot', 'status']);
    for (const l of statusListeners) l(status());
    expect(sent.map((m) => m.type)).toEqual(['snapshot', 'status', 'status']);
    epoch = 2;
    for (const l of resetListeners) l();
    expect(sent.slice(3).map((m) => m.type)).toEqual(['snapshot', 'status']);
    expect(sent[4]).toMatchObject({ type: 'status', status: { epoch: 2 } });
    s.close();
    expect(statusListeners.size + resetListeners.size).toBe(0);
  });
});
