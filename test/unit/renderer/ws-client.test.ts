import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { LabClient, ConnectionStatus } from '../../../src/renderer/src/bridge/client';
import {
  CALL_TIMEOUT_MS,
  createWsClient,
  RECONNECT_INITIAL_MS,
  RECONNECT_MAX_MS,
  type SocketLike,
  type WsClientOptions,
} from '../../../src/renderer/src/bridge/ws-client';
import type { LabEvent } from '../../../src/shared/events';
import { modelToWire, type LabModel } from '../../../src/shared/model';
import type { ClientMessage, ServerMessage } from '../../../src/shared/wire';
import { agents, modelAfter } from './fixtures';
import { eventually } from '../../helpers/poll';

const servers: WebSocketServer[] = [];
const clients: LabClient[] = [];

afterEach(async () => {
  vi.useRealTimers();
  for (const client of clients.splice(0)) client.close();
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          for (const socket of server.clients) socket.terminate();
          server.close(() => resolve());
        }),
    ),
  );
});

interface Lab {
  server: WebSocketServer;
  url: string;
  /** Every message the server received, parsed. */
  received: ClientMessage[];
  /** How many connections the server has accepted. */
  connections: () => number;
  /** Drops every connected client. */
  dropAll(): void;
}

/**
 * A minimal host: answers `resync` with a snapshot then events, and `command` with `answer`
 * (or not at all when `answer` returns undefined).
 */
async function startLab(
  options: {
    snapshot?: LabModel;
    events?: LabEvent[];
    answer?: (message: Extract<ClientMessage, { type: 'command' }>) => ServerMessage | undefined;
  } = {},
): Promise<Lab> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', path: '/ws' });
  servers.push(server);
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const received: ClientMessage[] = [];
  let connections = 0;
  server.on('connection', (socket) => {
    connections++;
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as ClientMessage;
      received.push(message);
      const send = (m: ServerMessage) => socket.send(JSON.stringify(m));
      if (message.type === 'resync') {
        send({ type: 'snapshot', model: modelToWire(options.snapshot ?? modelAfter([])) });
        if (options.events) send({ type: 'events', events: options.events });
      } else {
        const reply = (
          options.answer ??
          ((m) => ({
            type: 'result',
            id: m.id,
            result: { ok: true, value: { echo: m.command.type } },
          }))
        )(message);
        if (reply) send(reply);
      }
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `ws://127.0.0.1:${port}/ws`,
    received,
    connections: () => connections,
    dropAll: () => {
      for (const socket of server.clients) socket.terminate();
    },
  };
}

function connect(url: string, options: Omit<WsClientOptions, 'url' | 'WebSocket'> = {}) {
  const client = createWsClient({ url, WebSocket, ...options });
  clients.push(client);
  const statuses: ConnectionStatus[] = [];
  const snapshots: LabModel[] = [];
  const batches: LabEvent[][] = [];
  client.onStatus((s) => statuses.push(s));
  client.onSnapshot((m) => snapshots.push(m));
  client.onEvents((e) => batches.push(e));
  return { client, statuses, snapshots, batches };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  await eventually('the client', condition, { timeoutMs, intervalMs: 5 });
}

const last = <T>(list: readonly T[]): T | undefined => list[list.length - 1];

describe('WebSocket LabClient', () => {
  it('reports connecting, then open, and sends a resync when it opens', async () => {
    const lab = await startLab();
    const c = connect(lab.url);
    expect(c.statuses).toEqual(['connecting']);
    await until(() => last(c.statuses) === 'open');
    await until(() => lab.received.length > 0);
    expect(lab.received[0]).toEqual({ type: 'resync' });
  });

  it('delivers the snapshot and the events that follow it', async () => {
    const snapshot = modelAfter(agents(1, 3));
    const events = agents(4, 2);
    const lab = await startLab({ snapshot, events });
    const c = connect(lab.url);
    await until(() => c.batches.length === 1);
    expect(c.snapshots).toEqual([snapshot]);
    expect(c.batches[0]).toEqual(events);
  });

  it('routes each result to its call by id', async () => {
    const lab = await startLab({
      answer: (m) =>
        m.command.type === 'send'
          ? {
              type: 'result',
              id: m.id,
              result: {
                ok: true,
                value: { status: 201, messageId: `m-${m.command.ttlSeconds}`, detail: null },
              },
            }
          : {
              type: 'result',
              id: m.id,
              result: { ok: false, error: { code: 'ERR_NOPE', message: 'no' } },
            },
    });
    const c = connect(lab.url);
    await until(() => last(c.statuses) === 'open');

    const [a, b, info] = await Promise.all([
      c.client.call({ type: 'send', subscriptionId: 'sub1', ttlSeconds: 5 }),
      c.client.call({ type: 'send', subscriptionId: 'sub1', ttlSeconds: 7 }),
      c.client.call({ type: 'info' }),
    ]);
    expect(a).toEqual({ ok: true, value: { status: 201, messageId: 'm-5', detail: null } });
    expect(b).toEqual({ ok: true, value: { status: 201, messageId: 'm-7', detail: null } });
    expect(info).toEqual({ ok: false, error: { code: 'ERR_NOPE', message: 'no' } });

    const commands = lab.received.filter((m) => m.type === 'command');
    expect(commands).toHaveLength(3);
    expect(new Set(commands.map((m) => m.id)).size).toBe(3);
  });

  it('answers ERR_DISCONNECTED for calls while not connected', async () => {
    const lab = await startLab();
    const url = lab.url;
    await new Promise<void>((resolve) => lab.server.close(() => resolve()));
    servers.length = 0;

    const c = connect(url);
    const whileConnecting = await c.client.call({ type: 'info' });
    expect(whileConnecting.ok).toBe(false);
    if (!whileConnecting.ok) expect(whileConnecting.error.code).toBe('ERR_DISCONNECTED');

    await until(() => c.statuses.includes('closed'));
    const whileClosed = await c.client.call({ type: 'snapshot' });
    expect(whileClosed).toMatchObject({ ok: false, error: { code: 'ERR_DISCONNECTED' } });
    if (!whileClosed.ok) expect(whileClosed.error.message).toMatch(/not connected/i);
  });

  it('answers ERR_DISCONNECTED for calls in flight when the connection drops', async () => {
    const lab = await startLab({ answer: () => undefined });
    const c = connect(lab.url);
    await until(() => last(c.statuses) === 'open');
    const pending = c.client.call({ type: 'info' });
    await until(() => lab.received.some((m) => m.type === 'command'));
    lab.dropAll();
    await expect(pending).resolves.toMatchObject({
      ok: false,
      error: { code: 'ERR_DISCONNECTED' },
    });
  });

  it('reconnects after the server drops the connection and resyncs', async () => {
    const lab = await startLab({ snapshot: modelAfter(agents(1, 2)) });
    const c = connect(lab.url);
    await until(() => c.snapshots.length === 1);

    lab.dropAll();
    await until(() => c.statuses.includes('closed'));
    await until(() => c.snapshots.length === 2);

    expect(c.statuses).toEqual(['connecting', 'open', 'closed', 'connecting', 'open']);
    expect(lab.connections()).toBe(2);
    expect(lab.received.filter((m) => m.type === 'resync')).toHaveLength(2);
    const again = await c.client.call({ type: 'info' });
    expect(again.ok).toBe(true);
  });

  it('times out calls the lab does not answer', async () => {
    expect(CALL_TIMEOUT_MS).toBe(15_000);
    const lab = await startLab({ answer: () => undefined });
    const c = connect(lab.url, { callTimeoutMs: 50 });
    await until(() => last(c.statuses) === 'open');
    const result = await c.client.call({ type: 'info' });
    expect(result).toMatchObject({ ok: false, error: { code: 'ERR_TIMEOUT' } });
  });

  it('bounds the number of calls waiting at once', async () => {
    const lab = await startLab({ answer: () => undefined });
    const c = connect(lab.url, { maxPending: 2, callTimeoutMs: 200 });
    await until(() => last(c.statuses) === 'open');
    const first = c.client.call({ type: 'info' });
    const second = c.client.call({ type: 'info' });
    await expect(c.client.call({ type: 'info' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'ERR_BUSY' },
    });
    await expect(first).resolves.toMatchObject({ error: { code: 'ERR_TIMEOUT' } });
    await expect(second).resolves.toMatchObject({ error: { code: 'ERR_TIMEOUT' } });
    // Room again once they are settled.
    await expect(c.client.call({ type: 'info' })).resolves.toMatchObject({
      error: { code: 'ERR_TIMEOUT' },
    });
  });

  it('ignores messages that are not JSON objects with a known type', async () => {
    const lab = await startLab();
    lab.server.on('connection', (socket) => {
      socket.send('not json');
      socket.send('[1,2]');
      socket.send(JSON.stringify({ type: 'mystery' }));
      socket.send(JSON.stringify({ type: 'events', events: 'nope' }));
      socket.send(JSON.stringify({ type: 'snapshot', model: null }));
      socket.send(JSON.stringify({ type: 'result', id: 'x', result: { ok: true, value: 1 } }));
      socket.send(JSON.stringify({ type: 'result', id: 999, result: { ok: true, value: 1 } }));
      socket.send(Buffer.from(JSON.stringify({ type: 'events', events: [] })), { binary: true });
    });
    const c = connect(lab.url);
    await until(() => c.snapshots.length === 1);
    expect(c.batches).toEqual([]);
    expect(last(c.statuses)).toBe('open');
    await expect(c.client.call({ type: 'info' })).resolves.toMatchObject({ ok: true });
  });

  it('stops reconnecting and answers ERR_DISCONNECTED after close()', async () => {
    const lab = await startLab();
    const c = connect(lab.url);
    await until(() => last(c.statuses) === 'open');
    c.client.close();
    await expect(c.client.call({ type: 'info' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'ERR_DISCONNECTED' },
    });
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_INITIAL_MS * 2));
    expect(lab.connections()).toBe(1);
  });
});

describe('WebSocket LabClient backoff', () => {
  /** A socket that never connects: it closes in a microtask, so no lab time passes. */
  function failingSockets() {
    const attempts: number[] = [];
    class FailingSocket implements SocketLike {
      readyState = 0;
      onopen: ((event: never) => void) | null = null;
      onmessage: ((event: never) => void) | null = null;
      onerror: ((event: never) => void) | null = null;
      onclose: ((event: never) => void) | null = null;
      constructor(_url: string) {
        attempts.push(Date.now());
        queueMicrotask(() => {
          this.readyState = 3;
          (this.onerror as (() => void) | null)?.();
          (this.onclose as (() => void) | null)?.();
        });
      }
      send(): void {
        throw new Error('not open');
      }
      close(): void {}
    }
    return { attempts, FailingSocket };
  }

  it('retries after 250 ms, doubling up to 5 s', async () => {
    vi.useFakeTimers({ now: 0 });
    const { attempts, FailingSocket } = failingSockets();
    const client = createWsClient({ url: 'ws://lab.invalid/ws', WebSocket: FailingSocket });
    clients.push(client);
    await vi.advanceTimersByTimeAsync(30_000);
    const gaps = attempts.slice(1).map((t, i) => t - (attempts[i] as number));
    expect(gaps.slice(0, 7)).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
    expect(RECONNECT_INITIAL_MS).toBe(250);
    expect(RECONNECT_MAX_MS).toBe(5_000);
  });

  it('goes back to 250 ms after a connection opens', async () => {
    vi.useFakeTimers({ now: 0 });
    const attempts: number[] = [];
    const sockets: OpeningSocket[] = [];
    class OpeningSocket implements SocketLike {
      readyState = 0;
      onopen: ((event: never) => void) | null = null;
      onmessage: ((event: never) => void) | null = null;
      onerror: ((event: never) => void) | null = null;
      onclose: ((event: never) => void) | null = null;
      constructor(_url: string) {
        attempts.push(Date.now());
        sockets.push(this);
        // The first three attempts fail; the fourth opens.
        const opens = attempts.length === 4;
        queueMicrotask(() => {
          this.readyState = opens ? 1 : 3;
          const handler = (opens ? this.onopen : this.onclose) as (() => void) | null;
          handler?.();
        });
      }
      send(): void {}
      close(): void {}
      drop(): void {
        this.readyState = 3;
        (this.onclose as (() => void) | null)?.();
      }
    }
    const client = createWsClient({ url: 'ws://lab.invalid/ws', WebSocket: OpeningSocket });
    clients.push(client);
    await vi.advanceTimersByTimeAsync(250 + 500 + 1000);
    expect(attempts).toHaveLength(4);
    sockets[3]?.drop();
    const droppedAt = Date.now();
    await vi.advanceTimersByTimeAsync(250);
    expect(attempts).toHaveLength(5);
    expect((attempts[4] as number) - droppedAt).toBe(250);
  });
});
