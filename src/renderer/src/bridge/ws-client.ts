/**
 * LabClient over a WebSocket (browser mode): `ws(s)://<location.host>/ws[?token=…]`.
 *
 * - On every open it sends `{type: 'resync'}`, so each (re)connection starts with a snapshot.
 * - Commands carry an id; results are routed back by id. At most `maxPending` commands wait
 *   at once and each waits at most `callTimeoutMs`.
 * - When the socket closes it reconnects after 250 ms, doubling up to 5 s, and resets the
 *   delay once a connection opens.
 * - `call` never rejects: while closed it answers ERR_DISCONNECTED, on timeout ERR_TIMEOUT.
 */
import type { Command } from '../../../shared/commands';
import { fail, type Result } from '../../../shared/result';
import type { ClientMessage } from '../../../shared/wire';
import type { LabClient } from './client';
import { ClientBase } from './client-base';
import { disconnected, parseServerMessage } from './messages';

export const CALL_TIMEOUT_MS = 15_000;
export const MAX_PENDING_CALLS = 256;
export const RECONNECT_INITIAL_MS = 250;
export const RECONNECT_MAX_MS = 5_000;

/** WebSocket.OPEN; the same in browsers and in the `ws` package. */
const OPEN = 1;

/**
 * The part of a WebSocket this client uses. Both the browser's WebSocket and the `ws`
 * package's class satisfy it. Handler parameters are typed `never` so either one's event
 * types fit; the handlers below declare the shape they read.
 */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}

export type WebSocketConstructor = new (url: string) => SocketLike;

export interface WsClientOptions {
  /** Defaults to `defaultWsUrl()`. */
  url?: string;
  /** Defaults to the global WebSocket (tests pass the `ws` package's class). */
  WebSocket?: WebSocketConstructor;
  callTimeoutMs?: number;
  maxPending?: number;
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
}

/**
 * The lab's WebSocket endpoint on the page's own host. The page's `token` query parameter
 * (browser mode's access token) goes along, so the upgrade is let in where cookies are off;
 * otherwise the cookie the page's first load set is enough.
 */
export function defaultWsUrl(
  loc: { protocol: string; host: string; search?: string } = window.location,
): string {
  const token = new URLSearchParams(loc.search ?? '').get('token');
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws${query}`;
}

export function createWsClient(options: WsClientOptions = {}): LabClient {
  return new WsClient(options);
}

interface Pending {
  resolve(result: Result<unknown>): void;
  timer: ReturnType<typeof setTimeout>;
}

class WsClient extends ClientBase {
  private readonly url: string;
  private readonly Socket: WebSocketConstructor;
  private readonly callTimeoutMs: number;
  private readonly maxPending: number;
  private readonly reconnectInitialMs: number;
  private readonly reconnectMaxMs: number;

  private socket: SocketLike | null = null;
  private closed = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private reconnectDelay: number;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: WsClientOptions) {
    super('connecting');
    this.url = options.url ?? defaultWsUrl();
    const Socket = options.WebSocket ?? (globalThis.WebSocket as WebSocketConstructor | undefined);
    if (!Socket) throw new Error('No WebSocket implementation is available.');
    this.Socket = Socket;
    this.callTimeoutMs = options.callTimeoutMs ?? CALL_TIMEOUT_MS;
    this.maxPending = options.maxPending ?? MAX_PENDING_CALLS;
    this.reconnectInitialMs = options.reconnectInitialMs ?? RECONNECT_INITIAL_MS;
    this.reconnectMaxMs = options.reconnectMaxMs ?? RECONNECT_MAX_MS;
    this.reconnectDelay = this.reconnectInitialMs;
    this.connect();
  }

  resync(): void {
    // When not open there is nothing to do: every new connection starts with a resync.
    this.sendMessage({ type: 'resync' });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      try {
        socket.close(1000, 'client closed');
      } catch {
        // Already closing.
      }
    }
    this.settleAll(disconnected('The lab client was closed before the lab answered.'));
    this.closeListeners();
  }

  protected request(command: Command): Promise<Result<unknown>> {
    if (this.status !== 'open' || !this.isOpen()) {
      return Promise.resolve(
        disconnected(`Not connected to the lab (${this.status}); "${command.type}" was not sent.`),
      );
    }
    if (this.pending.size >= this.maxPending) {
      return Promise.resolve(
        fail(
          'ERR_BUSY',
          `${this.pending.size} commands are already waiting for the lab; "${command.type}" was not sent.`,
        ),
      );
    }
    const id = this.nextId++;
    return new Promise<Result<unknown>>((resolve) => {
      const timer = setTimeout(() => {
        this.settle(
          id,
          fail(
            'ERR_TIMEOUT',
            `The lab did not answer "${command.type}" within ${formatSeconds(this.callTimeoutMs)}.`,
          ),
        );
      }, this.callTimeoutMs);
      this.pending.set(id, { resolve, timer });
      if (!this.sendMessage({ type: 'command', id, command })) {
        this.settle(
          id,
          disconnected(`The connection to the lab closed; "${command.type}" was not sent.`),
        );
      }
    });
  }

  private connect(): void {
    if (this.closed) return;
    this.setStatus('connecting');
    let socket: SocketLike;
    try {
      socket = new this.Socket(this.url);
    } catch {
      this.setStatus('closed');
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.reconnectDelay = this.reconnectInitialMs;
      this.setStatus('open');
      this.sendMessage({ type: 'resync' });
    };
    socket.onmessage = (event: { data: unknown }) => {
      if (this.socket !== socket) return;
      this.receive(event.data);
    };
    socket.onerror = () => {
      // A close event always follows; reconnecting is handled there.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.settleAll(disconnected('The connection to the lab closed before it answered.'));
      this.setStatus('closed');
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== null) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(delay * 2, this.reconnectMaxMs);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return;
    }
    const message = parseServerMessage(value);
    if (!message) return;
    switch (message.type) {
      case 'result':
        this.settle(message.id, message.result);
        break;
      default:
        this.route(message);
    }
  }

  private isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN;
  }

  private sendMessage(message: ClientMessage): boolean {
    if (!this.socket || !this.isOpen()) return false;
    try {
      this.socket.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  private settle(id: number, result: Result<unknown>): void {
    const entry = this.pending.get(id);
    if (!entry) return; // Timed out already, or never ours.
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(result);
  }

  private settleAll(result: Result<unknown>): void {
    for (const id of [...this.pending.keys()]) this.settle(id, result);
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
