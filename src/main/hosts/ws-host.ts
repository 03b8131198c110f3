/**
 * Browser mode: serves the built renderer over HTTP and the lab's contract over a WebSocket
 * at /ws, on 127.0.0.1 unless told otherwise.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { HostSession, type LabPort } from './session';
import { BUNDLE_UPLOAD_MAX_CHARS } from '../../shared/workbench';

export interface WebHostOptions {
  /** Folder with the built renderer (index.html and assets). */
  staticDir: string;
  host?: string;
  port?: number;
  /** Largest message accepted from a browser. */
  messageBytesMax?: number;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Socket buffer above which event batches wait (the client is slow). */
const CONGESTED_BYTES = 4 * 1024 * 1024;

export class WebHost {
  private server: http.Server | null = null;
  private wss: WebSocketServer | null = null;
  private readonly sessions = new Set<HostSession>();
  url = '';

  constructor(
    private readonly lab: LabPort,
    private readonly options: WebHostOptions,
  ) {}

  async start(): Promise<string> {
    const server = http.createServer((req, res) => void this.serveStatic(req, res));
    const wss = new WebSocketServer({
      server,
      path: '/ws',
      // Room for the largest command: a bundle uploaded by a browser (base64).
      maxPayload: this.options.messageBytesMax ?? BUNDLE_UPLOAD_MAX_CHARS + 1024,
      // Only pages this host served may connect (no cross-site WebSocket hijacking).
      verifyClient: ({ origin, req }: { origin: string; req: http.IncomingMessage }) =>
        !origin || origin === `http://${req.headers.host ?? ''}`,
    });
    wss.on('connection', (socket) => this.attach(socket));
    // ws re-emits the server's 'error' (EADDRINUSE…) on wss, where no listener would make it
    // an uncaught exception; the server's own listener below turns it into a rejection.
    wss.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.wss = wss;
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url = `http://${host}:${address.port}/`;
    return this.url;
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

  private attach(socket: WebSocket): void {
    const session = new HostSession(
      this.lab,
      (message) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
      },
      { isCongested: () => socket.bufferedAmount > CONGESTED_BYTES },
    );
    this.sessions.add(session);
    socket.on('message', (data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(data));
      } catch {
        return;
      }
      void session.receive(parsed);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      session.close();
      this.sessions.delete(session);
    });
  }

  private async serveStatic(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const root = path.resolve(this.options.staticDir);
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request path');
      return;
    }
    if (pathname === '/') pathname = '/index.html';
    const file = path.resolve(root, `.${pathname}`);
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${pathname}`);
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    // pipeline, not pipe: a read that fails after the stat (EIO, a file gone) ends this
    // response instead of being an unhandled 'error' that takes the server down.
    pipeline(createReadStream(file), res, () => {});
  }
}
