import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionStatus, LabClient } from '../../../src/renderer/src/bridge/client';
import { createIpcClient } from '../../../src/renderer/src/bridge/ipc-client';
import type { LabEvent } from '../../../src/shared/events';
import { modelToWire, type LabModel } from '../../../src/shared/model';
import type { PreloadApi } from '../../../src/shared/preload-api';
import type { Result } from '../../../src/shared/result';
import type { ServerMessage } from '../../../src/shared/wire';
import { agents, modelAfter } from './fixtures';

function fakePreload(command: (c: unknown) => Promise<Result<unknown>>) {
  const listeners = new Set<(m: ServerMessage) => void>();
  const api: PreloadApi = {
    command: vi.fn(command),
    onMessage: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    resync: vi.fn(),
    onMenuAction: () => () => {},
  };
  return { api, push: (m: unknown) => listeners.forEach((l) => l(m as ServerMessage)), listeners };
}

const clients: LabClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  vi.useRealTimers();
});

describe('IPC LabClient', () => {
  it('asks for a snapshot on creation and forwards snapshots and events', () => {
    const fake = fakePreload(async () => ({ ok: true, value: null }));
    const client = createIpcClient(fake.api);
    clients.push(client);
    expect(fake.api.resync).toHaveBeenCalledTimes(1);

    const snapshots: LabModel[] = [];
    const batches: LabEvent[][] = [];
    const statuses: ConnectionStatus[] = [];
    client.onSnapshot((m) => snapshots.push(m));
    client.onEvents((e) => batches.push(e));
    client.onStatus((s) => statuses.push(s));
    const model = modelAfter(agents(1, 2));
    fake.push({ type: 'snapshot', model: modelToWire(model) });
    fake.push({ type: 'events', events: agents(3, 1) });
    fake.push({ type: 'bogus' });
    fake.push(null);
    expect(snapshots).toEqual([model]);
    expect(batches).toEqual([agents(3, 1)]);
    expect(statuses).toEqual(['open']);
  });

  it('resolves calls with the preload result, and never rejects', async () => {
    const fake = fakePreload(async (c) => {
      if ((c as { type: string }).type === 'info')
        return { ok: true, value: { version: '0.1.0', services: [] } };
      throw new Error('handler crashed');
    });
    const client = createIpcClient(fake.api);
    clients.push(client);
    await expect(client.call({ type: 'info' })).resolves.toEqual({
      ok: true,
      value: { version: '0.1.0', services: [] },
    });
    await expect(client.call({ type: 'snapshot' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'ERR_IPC', message: expect.stringContaining('handler crashed') },
    });
  });

  it('times out a call the main process never answers', async () => {
    vi.useFakeTimers();
    const fake = fakePreload(() => new Promise(() => {}));
    const client = createIpcClient(fake.api, { callTimeoutMs: 1000 });
    clients.push(client);
    const pending = client.call({ type: 'info' });
    await vi.advanceTimersByTimeAsync(1000);
    await expect(pending).resolves.toMatchObject({ ok: false, error: { code: 'ERR_TIMEOUT' } });
  });

  it('unsubscribes on close and then answers ERR_DISCONNECTED', async () => {
    const fake = fakePreload(async () => ({ ok: true, value: null }));
    const client = createIpcClient(fake.api);
    const statuses: ConnectionStatus[] = [];
    client.onStatus((s) => statuses.push(s));
    client.close();
    expect(fake.listeners.size).toBe(0);
    expect(statuses).toEqual(['open', 'closed']);
    await expect(client.call({ type: 'info' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'ERR_DISCONNECTED' },
    });
  });
});
