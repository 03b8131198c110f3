/**
 * Browser mode: serves the built renderer over HTTP and the lab's contract over a WebSocket
 * at /ws, on 127.0.0.1 unless told otherwise. Every request must pass `WebAccess` (token,
 * Host, and Origin on the upgrade) and every answer carries its security headers.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { HostSession, type LabPort } from './session';
import {
  hostPart,
  isLoopback,
  isWildcard,
  newWebToken,
  securityHeaders,
  WebAccess,
} from './web-access';
import { fail } from '../../shared/result';
import { clientMessageSchema, serverMessageJson, type ServerMessage } from '../../shared/wire';
import { COMMAND_MESSAGE_BYTES_MAX } from '../../shared/workbench';

/** Largest WebSocket message: the largest command (scenario text, or one upload chunk). */
export const WS_MESSAGE_BYTES_MAX = COMMAND_MESSAGE_BYTES_MAX;
/** Open WebSockets in all (tabs of the UI); one more is refused with 503. */
export const WS_CONNECTIONS_MAX = 8;
/** Commands one WebSocket may have running at once; one more is answered ERR_BUSY. */
export const COMMANDS_IN_FLIGHT_PER_SOCKET_MAX = 16;
/** TCP connections to the HTTP server in all, WebSockets included; beyond it Node drops them. */
export const HTTP_CONNECTIONS_MAX = 64;
/** Time a client has to send its request headers (slow or idle unauthenticated clients). */
export const HTTP_HEADERS_TIMEOUT_MS = 10_000;
/** Time a client has to send its whole request. */
export const HTTP_REQUEST_TIMEOUT_MS = 30_000;
/** How often Node looks for connections past those timeouts (its default is 30 s). */
const HTTP_TIMEOUT_CHECK_INTERVAL_MS = 1_000;

export interface WebHostOptions {
  /** Folder with the built renderer (index.html and assets). */
  staticDir: string;
  host?: string;
  port?: number;
  /** The access token; a fresh one from node:crypto unless given (tests). */
  token?: string;
  /** Largest message accepted from a browser (default WS_MESSAGE_BYTES_MAX). */
  messageBytesMax?: number;
  /** Default WS_CONNECTIONS_MAX. */
  connectionsMax?: number;
  /** Default COMMANDS_IN_FLIGHT_PER_SOCKET_MAX. */
  commandsInFlightMax?: number;
  /** Default HTTP_CONNECTIONS_MAX. */
  httpConnectionsMax?: number;
  /** Default HTTP_HEADERS_TIMEOUT_MS. */
  headersTimeoutMs?: number;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  // third-party-licenses.txt, which the About dialog links to: shown, not downloaded.
  '.txt': 'text/plain; charset=utf-8',
};

/** Socket buffer above which event batches wait (the client is slow). */
const CONGESTED_BYTES = 4 * 1024 * 1024;

export class WebHost {
  private server: http.Server | null = null;
  private wss: WebSocketServer | null = null;
  private access: WebAccess | null = null;
  private readonly sessions = new Set<HostSession>();
  private readonly token: string;
  /** The URL to open, token included. */
  url = '';

  constructor(
    private readonly lab: LabPort,
    private readonly options: WebHostOptions,
  ) {
    this.token = options.token ?? newWebToken();
  }

  async start(): Promise<string> {
    const headersTimeout = this.options.headersTimeoutMs ?? HTTP_HEADERS_TIMEOUT_MS;
    const server = http.createServer(
      {
        headersTimeout,
        requestTimeout: Math.max(HTTP_REQUEST_TIMEOUT_MS, headersTimeout),
        connectionsCheckingInterval: HTTP_TIMEOUT_CHECK_INTERVAL_MS,
      },
      (req, res) => void this.serveStatic(req, res),
    );
    server.maxConnections = this.options.httpConnectionsMax ?? HTTP_CONNECTIONS_MAX;
    // noServer: the upgrade is ours to check and refuse with our headers; and ws, given the
    // server, would re-emit its listen errors on itself with no listener (a crash).
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.options.messageBytesMax ?? WS_MESSAGE_BYTES_MAX,
      perMessageDeflate: false,
    });
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Once listening, errors are per accepted connection (e.g. EMFILE); the server goes on.
    server.on('error', () => {});
    this.server = server;
    this.wss = wss;
    const address = server.address() as AddressInfo;
    this.access = new WebAccess(this.token, {
      address: address.address,
      port: address.port,
      ...(this.options.host ? { requested: this.options.host } : {}),
    });
    const shown = isWildcard(address.address) ? '127.0.0.1' : hostPart(address.address);
    this.url = `http://${shown}:${address.port}/?token=${this.token}`;
    return this.url;
  }

  /**
   * A warning when other machines can reach this server (a non-loopback --host), or null.
   * Names the risk and the addresses it can be reached at.
   */
  exposureWarning(): string | null {
    const access = this.access;
    if (!access || isLoopback(access.bound.address)) return null;
    const remote = [...access.origins].filter((origin) => !isLoopback(new URL(origin).hostname));
    return (
      `browser mode listens on ${hostPart(access.bound.address)}:${access.bound.port}, ` +
      `reachable from the network${remote.length > 0 ? ` (${remote.join(', ')})` : ''}. ` +
      'Anyone on the network who learns the token can read and write the lab’s files and run ' +
      'scenarios, and the traffic, token included, is cleartext HTTP that others on the ' +
      'network can read. Leave --host at its default (127.0.0.1) unless you need this.'
    );
  }

  async stop(): Promise<void> {
    for (const session of this.sessions) session.close();
    this.sessions.clear();
    for (const client of this.wss?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.server = null;
    this.wss = null;
  }

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const access = this.access;
    const wss = this.wss;
    if (!access || !wss) {
      socket.destroy();
      return;
    }
    const url = requestUrl(req);
    const headers = securityHeaders(access.allowedHost(req));
    const admission = access.admit(req, url ?? new URL('http://x/'), true);
    if (!admission.ok) return refuseUpgrade(socket, admission.status, admission.message, headers);
    if (url?.pathname !== '/ws') {
      return refuseUpgrade(socket, 404, 'not found: the lab’s WebSocket is at /ws.', headers);
    }
    const connectionsMax = this.options.connectionsMax ?? WS_CONNECTIONS_MAX;
    if (this.sessions.size >= connectionsMax) {
      return refuseUpgrade(
        socket,
        503,
        `too many connections: ${this.sessions.size} WebSockets are open, the most this Push ` +
          `Lab serves at once (WS_CONNECTIONS_MAX = ${connectionsMax}); close a tab of it and reload.`,
        headers,
      );
    }
    wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws));
  }

  private attach(socket: WebSocket): void {
    const send = (message: ServerMessage): void => {
      if (socket.readyState === socket.OPEN) socket.send(serverMessageJson(message));
    };
    const session = new HostSession(this.lab, send, {
      isCongested: () => socket.bufferedAmount > CONGESTED_BYTES,
    });
    this.sessions.add(session);
    const inFlightMax = this.options.commandsInFlightMax ?? COMMANDS_IN_FLIGHT_PER_SOCKET_MAX;
    let inFlight = 0;
    socket.on('message', (data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(data));
      } catch {
        return;
      }
      const envelope = clientMessageSchema.safeParse(parsed);
      if (!envelope.success || envelope.data.type !== 'command') {
        void session.receive(parsed);
        return;
      }
      const { id } = envelope.data;
      if (inFlight >= inFlightMax) {
        send({
          type: 'result',
          id,
          result: fail(
            'ERR_BUSY',
            `command ${id} was not run: ${inFlight} commands from this connection are still ` +
              `running, the most one connection may have (COMMANDS_IN_FLIGHT_PER_SOCKET_MAX = ` +
              `${inFlightMax}); send it again once one has answered.`,
          ),
        });
        return;
      }
      inFlight += 1;
      void session.receive(parsed).finally(() => (inFlight -= 1));
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      session.close();
      this.sessions.delete(session);
    });
  }

  private async serveStatic(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const access = this.access;
    if (!access) {
      res.destroy();
      return;
    }
    const headers: http.OutgoingHttpHeaders = securityHeaders(access.allowedHost(req));
    const url = requestUrl(req);
    const admission = access.admit(req, url ?? new URL('http://x/'), false);
    if (!admission.ok) return refuse(res, admission.status, admission.message, headers);
    if (admission.setCookie) headers['set-cookie'] = admission.setCookie;
    const decoded = url && decodedPath(url);
    if (!decoded)
      return refuse(res, 400, 'bad request: the path is not a valid URL path.', headers);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      headers['allow'] = 'GET, HEAD';
      return refuse(res, 405, `method not allowed: ${req.method}; only GET and HEAD.`, headers);
    }
    const root = path.resolve(this.options.staticDir);
    const pathname = decoded === '/' ? '/index.html' : decoded;
    const file = path.resolve(root, `.${pathname}`);
    if (!file.startsWith(root + path.sep)) return refuse(res, 403, 'forbidden', headers);
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
    } catch {
      return refuse(res, 404, `not found: ${pathname}`, headers);
    }
    res.writeHead(200, {
      ...headers,
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
    });
    // pipeline, not pipe: a read that fails after the stat (EIO, a file gone) ends this
    // response instead of being an unhandled 'error' that takes the server down.
    pipeline(createReadStream(file), res, () => {});
  }
}

function requestUrl(req: http.IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://x');
  } catch {
    return null;
  }
}

function decodedPath(url: URL): string | null {
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
}

function refuse(
  res: http.ServerResponse,
  status: number,
  message: string,
  headers: http.OutgoingHttpHeaders,
): void {
  res
    .writeHead(status, {
      ...headers,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
    })
    .end(`${message}\n`);
}

/** The same answer written on a socket that asked for an upgrade (no ServerResponse there). */
function refuseUpgrade(
  socket: Duplex,
  status: number,
  message: string,
  headers: Record<string, string>,
): void {
  const body = Buffer.from(`${message}\n`);
  const lines = Object.entries({
    ...headers,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(body.length),
    'cache-control': 'no-store',
    connection: 'close',
  }).map(([name, value]) => `${name}: ${value}`);
  socket.end(
    Buffer.concat([
      Buffer.from(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${lines.join('\r\n')}\r\n\r\n`,
      ),
      body,
    ]),
  );
}
