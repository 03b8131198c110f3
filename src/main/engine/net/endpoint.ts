/**
 * One end of a connection as the link sees it: a TCP socket (tcp.ts) or one side of an
 * in-memory duplex pair (memory.ts). The connection reads from it, writes to it and tears it
 * down through this interface only, so both transports get exactly the same faults.
 */
export interface EndpointHandlers {
  /** Bytes written by the application at this end. */
  data(data: Buffer): void;
  /** This end finished sending (FIN). */
  end(): void;
  /** This end can take more after `write` returned false. */
  drain(): void;
  /** This end is gone; `error` set if it went abruptly. */
  close(error: Error | null): void;
}

/**
 * reset: like a TCP RST (the application sees ECONNRESET); refuse: the connection is refused
 * (ECONNREFUSED in memory; an RST right after accept over TCP); close: FIN after what was
 * written; abort: destroyed at once without an error (the link is closing).
 */
export type TeardownMode = 'reset' | 'refuse' | 'close' | 'abort';

export interface Endpoint {
  attach(handlers: EndpointHandlers): void;
  /** Hands bytes to this end; false = full, wait for `drain`. */
  write(data: Buffer): boolean;
  /** Sends FIN to this end. */
  end(): void;
  destroy(mode: TeardownMode): void;
  /** Stops taking bytes from this end (back-pressure on its sender). */
  pause(): void;
  resume(): void;
}

/** An error like the one node:net gives for the code. */
export function socketError(code: 'ECONNRESET' | 'ECONNREFUSED'): Error {
  const text = code === 'ECONNRESET' ? 'read ECONNRESET' : 'connect ECONNREFUSED';
  return Object.assign(new Error(text), {
    code,
    syscall: code === 'ECONNRESET' ? 'read' : 'connect',
  });
}
