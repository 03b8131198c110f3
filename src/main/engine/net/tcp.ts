/**
 * The TCP transport: a node:net proxy on loopback (port 0 by default) that forwards each
 * accepted connection to a target host:port through a link, so outside tools (curl, nghttp,
 * h2load, a browser) can be put behind the same faults. Both sockets are half-open capable
 * so the link, not node, decides when a FIN goes out; Nagle is off so the link's own pacing
 * is all the delay there is. Back-pressure: socket.pause() on the sender.
 */
import net from 'node:net';
import type { Endpoint, EndpointHandlers, TeardownMode } from './endpoint';

export interface TcpTarget {
  host: string;
  port: number;
}

export interface TcpProxy {
  /** Where to connect to reach the target through the link. */
  readonly host: string;
  readonly port: number;
  /** Stops listening and destroys the sockets it opened. */
  close(): Promise<void>;
}

/** Accepts or refuses a connection: the link's half of the proxy. */
export type Accept = (client: Endpoint, connectServer: () => Endpoint) => boolean;

export class TcpEndpoint implements Endpoint {
  private error: Error | null = null;

  constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    // Errors arrive as 'close' with hadError; keep the error for it.
    socket.on('error', (error) => (this.error = error));
  }

  attach(handlers: EndpointHandlers): void {
    this.socket.on('data', (data: Buffer) => handlers.data(data));
    this.socket.on('end', () => handlers.end());
    this.socket.on('drain', () => handlers.drain());
    this.socket.on('close', () => handlers.close(this.error));
  }

  write(data: Buffer): boolean {
    if (this.socket.destroyed || this.socket.writableEnded) return true;
    return this.socket.write(data);
  }

  end(): void {
    if (!this.socket.destroyed) this.socket.end();
  }

  destroy(mode: TeardownMode): void {
    const s = this.socket;
    if (s.destroyed) return;
    if (mode === 'close') {
      s.once('finish', () => s.destroy());
      s.end();
    } else if ((mode === 'reset' || mode === 'refuse') && !s.connecting) {
      s.resetAndDestroy();
    } else {
      s.destroy();
    }
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }
}

/** Listens on `listenOn` (default 127.0.0.1:0) and hands each connection to `accept`. */
export function listenTcp(
  accept: Accept,
  target: TcpTarget,
  listenOn: { host?: string; port?: number } = {},
): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): net.Socket => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    return socket;
  };
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    accept(new TcpEndpoint(track(socket)), () => {
      const upstream = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
      return new TcpEndpoint(track(upstream));
    });
  });
  const host = listenOn.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenOn.port ?? 0, host, () => {
      server.off('error', reject);
      const address = server.address() as net.AddressInfo;
      resolve({
        host,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}
