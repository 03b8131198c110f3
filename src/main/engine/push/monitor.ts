/**
 * A held monitoring GET on which messages (or receipts) are delivered as HTTP/2 server
 * pushes. One instance per open request; the core decides what to deliver on it.
 */
import type { OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { Urgency } from '../../../shared/events';
import { peerWentAway } from './goaway';
import { respond, respondDated } from './http';
import type { Monitor, ReceiptMonitor, StoredMessage } from './types';

/** How one profile shapes a pushed message: the promised path and the response headers. */
export interface PushShape {
  promisedPath(message: StoredMessage): string;
  responseHeaders(message: StoredMessage): OutgoingHttpHeaders;
}

abstract class HeldStream {
  protected dead = false;

  constructor(
    protected readonly stream: ServerHttp2Stream,
    protected readonly authority: string,
    protected readonly scheme: string,
  ) {}

  /** Sends one PUSH_PROMISE and its response; false if the stream or push is unavailable. */
  protected promise(path: string, headers: OutgoingHttpHeaders, body: Buffer | null): boolean {
    const s = this.stream;
    if (this.dead || s.destroyed || s.closed || !s.pushAllowed) return false;
    if (s.session && (s.session.closed || peerWentAway(s.session))) return false;
    try {
      s.pushStream(
        { ':method': 'GET', ':path': path, ':authority': this.authority, ':scheme': this.scheme },
        (error, pushed) => {
          if (error) {
            this.dead = true;
            return;
          }
          pushed.on('error', () => {});
          respondDated(pushed, headers, body === null);
          if (body !== null) pushed.end(body);
        },
      );
      return true;
    } catch {
      // The session went away under us (GOAWAY, reset): the caller keeps the message.
      this.dead = true;
      return false;
    }
  }

  end(status: number): void {
    this.dead = true;
    respond(this.stream, status);
  }
}

export class MessageMonitor extends HeldStream implements Monitor {
  constructor(
    stream: ServerHttp2Stream,
    authority: string,
    scheme: string,
    readonly urgencyMin: Urgency,
    private readonly shape: PushShape,
  ) {
    super(stream, authority, scheme);
  }

  deliver(message: StoredMessage): boolean {
    return this.promise(
      this.shape.promisedPath(message),
      { ':status': 200, ...this.shape.responseHeaders(message) },
      message.body,
    );
  }
}

export class StreamReceiptMonitor extends HeldStream implements ReceiptMonitor {
  constructor(
    stream: ServerHttp2Stream,
    authority: string,
    scheme: string,
    private readonly messagePath: (messageToken: string) => string,
  ) {
    super(stream, authority, scheme);
  }

  deliverReceipt(messageToken: string, status: 204 | 410): boolean {
    return this.promise(this.messagePath(messageToken), { ':status': status }, null);
  }
}
