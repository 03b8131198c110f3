/**
 * An in-memory endpoint: a Duplex the application uses as its socket (a node:http2 server
 * takes it via `server.emit('connection', socket)`, a client via
 * `http2.connect(url, { createConnection: () => socket })`). No file descriptor, so fleets can
 * be larger than the process's fd limit. Back-pressure: while paused, the Duplex's write
 * callback is held, so the application's `write()` returns false once its buffer fills.
 */
import { Duplex } from 'node:stream';
import { socketError, type Endpoint, type EndpointHandlers, type TeardownMode } from './endpoint';

export class MemoryEndpoint implements Endpoint {
  /** The application's side. */
  readonly socket: Duplex;
  /** @internal The link's handlers (MemorySocket reads them). */
  handlers: EndpointHandlers | null = null;
  private paused = false;
  /** @internal A write callback held while paused (MemorySocket sets it). */
  heldCallback: ((error?: Error | null) => void) | null = null;
  /** The link has pushed the end (FIN) into the readable side; nothing may follow it. */
  private finSent = false;

  constructor() {
    this.socket = new MemorySocket(this);
  }

  /** @internal MemorySocket's write: hands the bytes to the link, holds the callback if paused. */
  written(chunk: Buffer, callback: (error?: Error | null) => void): void {
    this.handlers?.data(chunk);
    if (this.paused) this.heldCallback = callback;
    else callback();
  }

  attach(handlers: EndpointHandlers): void {
    this.handlers = handlers;
  }

  write(data: Buffer): boolean {
    if (this.socket.destroyed || this.finSent) return true;
    return this.socket.push(data);
  }

  end(): void {
    if (this.socket.destroyed || this.finSent) return;
    this.finSent = true;
    this.socket.push(null);
  }

  destroy(mode: TeardownMode): void {
    if (this.socket.destroyed) return;
    if (mode === 'reset') this.socket.destroy(socketError('ECONNRESET'));
    else if (mode === 'refuse') this.socket.destroy(socketError('ECONNREFUSED'));
    else if (mode === 'abort') this.socket.destroy();
    else {
      // close: FIN; the Duplex destroys itself once both halves are done.
      this.handlers = null;
      this.resume();
      this.end();
    }
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const callback = this.heldCallback;
    this.heldCallback = null;
    callback?.();
  }
}

/**
 * The Duplex of a MemoryEndpoint. Its stream methods are the class's, not closures passed as
 * options: a fleet holds two of these per user agent, and per-instance closures cost more
 * than the state they close over.
 */
class MemorySocket extends Duplex {
  constructor(private readonly endpoint: MemoryEndpoint) {
    // Like net.Socket's default: when the peer's FIN has been read, end our side too.
    super({ allowHalfOpen: false });
  }

  override _read(): void {
    this.endpoint.handlers?.drain();
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.endpoint.written(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.endpoint.handlers?.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.endpoint.heldCallback = null;
    this.endpoint.handlers?.close(error);
    callback(error);
  }
}
