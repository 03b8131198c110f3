/**
 * A simulated application server: sends messages to push resources over HTTP/2, one
 * session per push service origin, and reports what the service answered.
 */
import type { ClientHttp2Session, OutgoingHttpHeaders } from 'node:http2';
import type { Urgency } from '../../../shared/events';
import type { EventBus } from '../trace/bus';
import { connect, request, type H2Response } from './h2';

export interface SendOptions {
  ttlSeconds: number;
  urgency?: Urgency;
  topic?: string;
  body: Buffer;
  contentHeaders?: Record<string, string>;
  /** Ask for a delivery receipt (`Prefer: respond-async`). */
  receipt?: boolean;
  /** Extra request headers (Authorization for VAPID, ...). */
  headers?: Record<string, string>;
}

export class AppServer {
  private readonly sessions = new Map<string, Promise<ClientHttp2Session>>();

  constructor(
    readonly id: string,
    bus: EventBus,
    private readonly tls: { ca?: string } = {},
  ) {
    bus.emit({ kind: 'agent.started', agentId: id, role: 'app-server', label: id });
  }

  async send(pushUrl: string, options: SendOptions): Promise<H2Response> {
    const url = new URL(pushUrl);
    const session = await this.session(url.origin);
    const headers: OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': url.pathname,
      'user-agent': `push-lab/${this.id}`,
      ttl: String(options.ttlSeconds),
      ...options.contentHeaders,
      ...options.headers,
    };
    if (options.urgency) headers['urgency'] = options.urgency;
    if (options.topic) headers['topic'] = options.topic;
    if (options.receipt) headers['prefer'] = 'respond-async';
    return request(session, headers, options.body);
  }

  async stop(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(
      all.map(async (pending) => {
        const session = await pending.catch(() => null);
        if (session) await new Promise<void>((resolve) => session.close(resolve));
      }),
    );
  }

  private session(origin: string): Promise<ClientHttp2Session> {
    const existing = this.sessions.get(origin);
    if (existing) return existing;
    const created = connect(origin, this.tls).then((session) => {
      session.on('error', () => {});
      session.on('close', () => this.sessions.delete(origin));
      return session;
    });
    created.catch(() => this.sessions.delete(origin));
    this.sessions.set(origin, created);
    return created;
  }
}
