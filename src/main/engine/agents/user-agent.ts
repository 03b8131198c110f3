/**
 * A simulated user agent (a browser on a phone): one HTTP/2 connection to a push service,
 * subscriptions it monitors with held GETs (re-issued whenever one ends), messages received
 * as server pushes, de-duplicated, and acknowledged with DELETE.
 */
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import type { Clock } from '../clock/clock';
import type { EventBus } from '../trace/bus';
import { REL_PUSH } from '../push/http';
import { createUaKeys, decryptFromPush, type UaKeys } from '../crypto';
import { connect, linkWithRel, request } from './h2';

export interface UaSubscription {
  /** The lab's id for it, once the service announced it. */
  id: string | null;
  /** Private monitoring URL (Location of the subscribe response). */
  url: string;
  /** Public push resource to hand to application servers. */
  pushUrl: string;
  /** RFC 8291 keys made for this subscription; `p256dh` and `auth` go to the application server. */
  keys: UaKeys;
}

export interface ReceivedMessage {
  subscription: UaSubscription;
  messagePath: string;
  headers: IncomingHttpHeaders;
  /** Body as received (encrypted when the sender encrypted it). */
  body: Buffer;
  /** Decrypted payload, or the body itself when it was not encrypted; null if decryption failed. */
  plaintext: Buffer | null;
  duplicate: boolean;
}

/** Characters of plaintext carried in events for display. */
const PREVIEW_CHARS_MAX = 120;

export interface UserAgentOptions {
  agentId: string;
  label?: string;
  /** Base URL of the push service, e.g. http://127.0.0.1:8080 */
  serviceUrl: string;
  serviceId: string;
  subscribePath: string;
  /** Extra TLS options (a CA for a self-signed service). */
  tls?: { ca?: string };
  /**
   * Lab-side observer that names a message by its path, for labelling events only. Agents
   * never read engine state otherwise.
   */
  identify?: (messagePath: string) => { messageId: string; subscriptionId: string } | null;
  /** The same observer for a subscription, by its push resource URL. */
  identifySubscription?: (pushUrl: string) => string | null;
  /** Called for each message received (after de-duplication is decided). */
  onMessage?: (message: ReceivedMessage) => void;
  /** Delay before re-issuing a monitoring GET that ended, in clock ms. */
  remonitorDelayMs?: number;
}

/** Message paths remembered for de-duplication per agent. */
const SEEN_PATHS_MAX = 4096;

export class UserAgent {
  readonly subscriptions: UaSubscription[] = [];
  private session: ClientHttp2Session | null = null;
  private readonly monitors = new Map<UaSubscription, ClientHttp2Stream>();
  private readonly seen = new Set<string>();
  private stopped = false;

  constructor(
    private readonly options: UserAgentOptions,
    private readonly clock: Clock,
    private readonly bus: EventBus,
  ) {
    bus.emit({
      kind: 'agent.started',
      agentId: options.agentId,
      role: 'user-agent',
      label: options.label ?? options.agentId,
    });
  }

  get id(): string {
    return this.options.agentId;
  }

  async connect(): Promise<void> {
    const session = await connect(this.options.serviceUrl, {
      ...(this.options.tls ?? {}),
      settings: { enablePush: true, initialWindowSize: 1 << 20 },
    });
    session.setLocalWindowSize(1 << 22);
    session.on('stream', (pushed, requestHeaders) => this.onPush(pushed, requestHeaders));
    session.on('error', () => {});
    session.on('close', () => {
      if (this.session !== session) return;
      this.session = null;
      this.monitors.clear();
      this.bus.emit({
        kind: 'agent.disconnected',
        agentId: this.id,
        serviceId: this.options.serviceId,
        reason: this.stopped ? 'stopped' : 'connection closed',
      });
    });
    this.session = session;
    this.bus.emit({ kind: 'agent.connected', agentId: this.id, serviceId: this.options.serviceId });
    for (const sub of this.subscriptions) this.monitor(sub);
  }

  /** Creates a subscription and starts monitoring it. */
  async subscribe(): Promise<UaSubscription> {
    const session = this.requireSession();
    const base = this.options.serviceUrl;
    const res = await request(session, {
      ':method': 'POST',
      ':path': this.options.subscribePath,
      'user-agent': `push-lab/${this.id}`,
    });
    const location = res.headers['location'];
    const pushUrl = linkWithRel(res.headers, REL_PUSH, base);
    if (res.status !== 201 || typeof location !== 'string' || !pushUrl) {
      throw new Error(`subscribe: push service answered ${res.status} ${res.body.toString()}`);
    }
    const sub: UaSubscription = {
      id: this.options.identifySubscription?.(pushUrl) ?? null,
      url: new URL(location, base).toString(),
      pushUrl,
      keys: createUaKeys(),
    };
    this.subscriptions.push(sub);
    this.monitor(sub);
    return sub;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const session = this.session;
    if (!session) return;
    await new Promise<void>((resolve) => {
      session.close(resolve);
      // A push in flight may hold the session open; don't wait for it.
      this.clock.schedule(200, () => session.destroy());
    });
  }

  private requireSession(): ClientHttp2Session {
    if (!this.session || this.session.closed) throw new Error(`${this.id}: not connected`);
    return this.session;
  }

  private monitor(sub: UaSubscription): void {
    const session = this.session;
    if (!session || session.closed || this.stopped || this.monitors.has(sub)) return;
    const path = new URL(sub.url).pathname;
    let stream: ClientHttp2Stream;
    try {
      stream = session.request({
        ':method': 'GET',
        ':path': path,
        'user-agent': `push-lab/${this.id}`,
      });
    } catch {
      return;
    }
    this.monitors.set(sub, stream);
    let status = 0;
    stream.on('response', (headers) => {
      status = Number(headers[':status'] ?? 0);
    });
    stream.on('error', () => {});
    stream.resume();
    stream.on('close', () => {
      if (this.monitors.get(sub) === stream) this.monitors.delete(sub);
      // 404: the subscription is gone; anything else: keep monitoring (RFC 8030 §6).
      if (status === 404) return;
      this.clock.schedule(this.options.remonitorDelayMs ?? 0, () => this.monitor(sub));
    });
  }

  private onPush(pushed: ClientHttp2Stream, requestHeaders: IncomingHttpHeaders): void {
    const messagePath = String(requestHeaders[':path'] ?? '');
    let responseHeaders: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    pushed.on('push', (headers) => {
      responseHeaders = headers;
    });
    pushed.on('data', (chunk: Buffer) => chunks.push(chunk));
    pushed.on('error', () => {});
    pushed.on('end', () => {
      const pushUrl = linkWithRel(responseHeaders, REL_PUSH, this.options.serviceUrl);
      const sub = this.subscriptions.find((s) => s.pushUrl === pushUrl) ?? this.subscriptions[0];
      if (!sub) return;
      const duplicate = this.seen.has(messagePath);
      this.remember(messagePath);
      const body = Buffer.concat(chunks);
      const { plaintext, decryption } = decode(sub, responseHeaders, body);
      const known = this.options.identify?.(messagePath) ?? null;
      if (known) {
        sub.id = known.subscriptionId;
        this.bus.emit({
          kind: 'message.received',
          agentId: this.id,
          subscriptionId: known.subscriptionId,
          messageId: known.messageId,
          bytes: body.length,
          duplicate,
          decryption,
          preview: plaintext
            ? plaintext.toString('utf8', 0, PREVIEW_CHARS_MAX * 4).slice(0, PREVIEW_CHARS_MAX)
            : '',
        });
      }
      this.options.onMessage?.({
        subscription: sub,
        messagePath,
        headers: responseHeaders,
        body,
        plaintext,
        duplicate,
      });
      void this.ack(messagePath);
    });
  }

  private remember(path: string): void {
    this.seen.add(path);
    if (this.seen.size > SEEN_PATHS_MAX) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }

  private async ack(messagePath: string): Promise<void> {
    const session = this.session;
    if (!session || session.closed) return;
    try {
      await request(session, {
        ':method': 'DELETE',
        ':path': messagePath,
        'user-agent': `push-lab/${this.id}`,
      });
    } catch {
      // Connection lost before the ack: the service delivers the message again.
    }
  }
}

/** Decrypts an `aes128gcm` body with the subscription's keys; other bodies pass through. */
function decode(
  sub: UaSubscription,
  headers: IncomingHttpHeaders,
  body: Buffer,
): { plaintext: Buffer | null; decryption: 'ok' | 'failed' | 'none' } {
  if (String(headers['content-encoding'] ?? '').toLowerCase() !== 'aes128gcm') {
    return { plaintext: body, decryption: 'none' };
  }
  try {
    const plaintext = decryptFromPush(body, {
      uaPrivate: sub.keys.privateKey,
      uaPublic: sub.keys.publicKey,
      authSecret: sub.keys.authSecret,
    });
    return { plaintext, decryption: 'ok' };
  } catch {
    return { plaintext: null, decryption: 'failed' };
  }
}
