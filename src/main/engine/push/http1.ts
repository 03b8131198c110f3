/**
 * HTTP/1.1 requests on the TLS port (allowed by ALPN fallback) and on the h2c port (chosen by
 * the connection preface, preface.ts), so application-server libraries that only speak
 * HTTP/1.1 (web-push, pywebpush, ...) can send. RFC 8030 lets an
 * application server send over HTTP/1.1; monitoring and receipts need HTTP/2 server push.
 *
 * Profiles are written against the HTTP/2 stream API; this adapter gives an HTTP/1.1
 * request/response pair the small part of that API they use (respond, end, body events,
 * no push), so each route exists once.
 */
import { EventEmitter } from 'node:events';
import type {
  Http2ServerRequest,
  Http2ServerResponse,
  IncomingHttpHeaders,
  OutgoingHttpHeaders,
  ServerHttp2Stream,
} from 'node:http2';

class Http1Stream extends EventEmitter {
  readonly pushAllowed = false;
  readonly session = null;

  constructor(
    private readonly req: Http2ServerRequest,
    private readonly res: Http2ServerResponse,
  ) {
    super();
    req.on('data', (chunk: Buffer) => this.emit('data', chunk));
    req.on('end', () => this.emit('end'));
    req.on('error', (error) => this.emit('error', error));
    res.on('close', () => this.emit('close'));
  }

  get destroyed(): boolean {
    return this.res.destroyed;
  }
  get closed(): boolean {
    return this.res.writableEnded;
  }
  get headersSent(): boolean {
    return this.res.headersSent;
  }

  respond(headers: OutgoingHttpHeaders, options?: { endStream?: boolean }): void {
    const { ':status': status, ...rest } = headers;
    this.res.writeHead(Number(status ?? 200), rest as Record<string, string>);
    if (options?.endStream) this.res.end();
  }

  end(body?: string | Buffer): void {
    if (body === undefined) this.res.end();
    else this.res.end(body);
  }

  resume(): this {
    this.req.resume();
    return this;
  }

  pushStream(): never {
    throw new Error('server push needs HTTP/2');
  }
}

/** The HTTP/2-shaped stream and pseudo-headers for one HTTP/1.1 request. */
export function adaptHttp1(
  req: Http2ServerRequest,
  res: Http2ServerResponse,
): { stream: ServerHttp2Stream; headers: IncomingHttpHeaders } {
  const headers: IncomingHttpHeaders = {
    ...req.headers,
    ':method': req.method,
    ':path': req.url,
    ':authority': req.headers.host ?? '',
    // The TLS port's ALPN fallback or the h2c port's cleartext HTTP/1.1 (preface.ts): the
    // scheme is the one the sender used (a VAPID token's aud is checked against it).
    ':scheme': 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
  };
  return { stream: new Http1Stream(req, res) as unknown as ServerHttp2Stream, headers };
}
