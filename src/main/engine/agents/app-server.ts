/**
 * A simulated application server: sends messages to push resources over HTTP/2 (one
 * session per push service origin, optionally through a simulated link), encrypted for the
 * subscription's keys (RFC 8291) and signed (RFC 8292 VAPID) when configured; retries on
 * 429/5xx and network failures with backoff, honouring Retry-After; asks for receipts and
 * monitors its receipt subscription (RFC 8030 §5.1, §6.3).
 *
 * It speaks the profile it is given (`profile`, default RFC 8030): the request for a send,
 * the reading of the answer and where receipts come from are the profile's client side
 * (`push/profiles/<name>/client.ts`).
 * draft-thomson cannot express TTL, urgency, topic or receipts; they are dropped there.
 */
import type {
  ClientHttp2Session,
  ClientHttp2Stream,
  IncomingHttpHeaders,
  OutgoingHttpHeaders,
} from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Profile, Urgency } from '../../../shared/events';
import type { Clock, Timer } from '../clock/clock';
import {
  createVapidKeys,
  encryptForSubscription,
  signVapid,
  signVapidStableLength,
  type UaKeys,
  type VapidKeys,
} from '../crypto';
import type { EventBus } from '../trace/bus';
import { ClientProfileError, type ClientProfile } from '../push/profiles/client-common';
import { clientProfile } from '../push/profiles/registry';
import { closeSession, connect, request, type H2Response } from './h2';
import { encryptWithSecret, type SenderSecrets } from './sender-secrets';
import type { AgentWitness } from './witness';

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

/** A send the application server makes on its own (traffic), with what it needs to encrypt. */
export interface OutgoingMessage {
  pushUrl: string;
  /** The subscription's keys (handed over out of band, as the Push API does); null = plain text. */
  keys: UaKeys | null;
  text: string;
  ttlSeconds: number;
  urgency: Urgency;
  topic: string | null;
  receipt: boolean;
  /** Lab id of the target subscription, for events. */
  subscriptionId: string | null;
}

export interface AppServerOptions {
  id: string;
  /** The push service's protocol profile; default 'rfc8030'. */
  profile?: Profile;
  tls?: { ca?: string };
  /** Opens the byte stream to a push service (through a simulated link); default TCP. */
  createConnection?: (origin: string) => Duplex;
  /** Sign every send with VAPID (a key pair made for this server). */
  vapid?: boolean;
  /** `sub` claim of the VAPID token. */
  vapidSubject?: string;
  /**
   * A closed world's reproducibility: the VAPID key's private scalar (from the seed) and
   * Authorization headers of a length that does not vary with the signature's randomness.
   */
  reproducible?: { vapidScalar: () => Uint8Array };
  retry?: { attemptsMax: number; initialMs: number; maxMs: number };
  requestTimeoutMs?: number;
  /** Lab observer naming a message by its path (events only). */
  identify?: (messagePath: string) => { messageId: string } | null;
  /**
   * An external service's witness (scenario/witness.ts): told each send, its answer and each
   * receipt, it names messages instead of `identify`.
   */
  witness?: AgentWitness;
  /** Sender key pairs made ahead on a worker (a world's, shared by its servers); none: inline. */
  senderSecrets?: SenderSecrets;
}

const DEFAULT_RETRY = { attemptsMax: 4, initialMs: 500, maxMs: 30_000 };

/** Receipt GETs held at once (draft-damaggio: one per subscription asked for receipts). */
export const RECEIPT_MONITORS_MAX = 10_000;

export class AppServer {
  readonly id: string;
  readonly vapidKeys: VapidKeys | null;
  private readonly profile: ClientProfile;
  private readonly sessions = new Map<string, Promise<ClientHttp2Session>>();
  private readonly receiptLinks = new Map<string, string>();
  private readonly receiptMonitors = new Map<string, ClientHttp2Stream>();
  private readonly timers = new Set<Timer>();
  private stopped = false;
  /** Sends currently waiting for an answer or a retry (bounded by the caller's pacing). */
  inFlight = 0;

  constructor(
    private readonly options: AppServerOptions,
    private readonly clock: Clock,
    private readonly bus: EventBus,
  ) {
    this.id = options.id;
    this.profile = clientProfile(options.profile);
    this.vapidKeys = options.vapid ? vapidKeysFor(options.reproducible) : null;
    bus.emit({ kind: 'agent.started', agentId: this.id, role: 'app-server', label: this.id });
  }

  /**
   * One request as given (no retries, no events): the building block, and the UI's Send.
   * Throws `ClientProfileError` for a send the profile cannot express (nothing is sent).
   */
  async send(pushUrl: string, options: SendOptions): Promise<H2Response> {
    const url = new URL(pushUrl);
    const req = this.profile.buildSend({
      url,
      ttlSeconds: options.ttlSeconds,
      ...(options.urgency ? { urgency: options.urgency } : {}),
      ...(options.topic ? { topic: options.topic } : {}),
      ...(options.receipt ? { receipt: true } : {}),
      body: options.body,
      contentHeaders: options.contentHeaders ?? {},
      authorization: this.profile.vapid ? this.authorization(url.origin) : {},
      extraHeaders: options.headers ?? {},
      receiptUrl: this.receiptLinks.get(url.origin) ?? null,
    });
    const session = await this.session(url.origin);
    const headers: OutgoingHttpHeaders = {
      ':method': req.method,
      ':path': req.path,
      'user-agent': `push-lab/${this.id}`,
      ...req.headers,
    };
    const res = await request(session, headers, req.body, {
      clock: this.clock,
      timeoutMs: this.options.requestTimeoutMs ?? 30_000,
    });
    const answer = this.profile.readSendAnswer(res.status, res.headers, url.origin);
    if (answer.receiptUrl) this.watchReceipts(url.origin, answer.receiptUrl);
    return res;
  }

  /**
   * Encrypts and sends one message, retrying 429, 5xx and network failures with exponential
   * backoff (or the service's Retry-After). Every attempt is one `send.attempted` event.
   */
  async deliver(message: OutgoingMessage): Promise<H2Response | null> {
    const retry = this.options.retry ?? DEFAULT_RETRY;
    this.inFlight += 1;
    try {
      for (let attempt = 1; ; attempt++) {
        let res: H2Response | null = null;
        let inexpressible = false;
        const encoded = encode(message.keys, message.text, this.options.senderSecrets);
        const witnessed = this.options.witness?.sending({
          senderId: this.id,
          subscriptionId: message.subscriptionId,
          pushUrl: message.pushUrl,
          body: encoded.body,
          ttlSeconds: message.ttlSeconds,
          urgency: message.urgency,
          topic: message.topic,
          receipt: message.receipt,
        });
        try {
          res = await this.send(message.pushUrl, {
            ttlSeconds: message.ttlSeconds,
            urgency: message.urgency,
            ...(message.topic ? { topic: message.topic } : {}),
            receipt: message.receipt,
            ...encoded,
          });
        } catch (error) {
          res = null; // the network failed us: retry like a 503
          // ...unless the profile cannot express this send: retrying would not help.
          inexpressible = error instanceof ClientProfileError;
        }
        const status = res?.status ?? 0;
        const retriable = !inexpressible && (status === 0 || status === 429 || status >= 500);
        const retryInMs =
          retriable && attempt < retry.attemptsMax && !this.stopped
            ? this.backoff(attempt, res?.headers)
            : null;
        const answer = res
          ? this.profile.readSendAnswer(res.status, res.headers, new URL(message.pushUrl).origin)
          : null;
        const messagePath = answer?.messagePath ?? null;
        const messageId =
          witnessed !== undefined
            ? this.options.witness!.answered(witnessed, {
                status,
                accepted: answer?.accepted ?? false,
                messagePath,
                ttlKeptSeconds: ttlHeader(res?.headers),
              })
            : messagePath !== null
              ? (this.options.identify?.(messagePath)?.messageId ?? null)
              : null;
        this.bus.emit({
          kind: 'send.attempted',
          agentId: this.id,
          subscriptionId: message.subscriptionId,
          status,
          messageId,
          attempt,
          retryInMs,
        });
        if (retryInMs === null) return res;
        await new Promise<void>((resolve) => this.later(retryInMs, resolve));
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    for (const stream of this.receiptMonitors.values()) stream.close();
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(
      all.map(async (pending) => {
        const session = await pending.catch(() => null);
        if (session) await closeSession(session, this.clock);
      }),
    );
  }

  /** Retry-After when the service gave one, else exponential backoff. */
  private backoff(attempt: number, headers: IncomingHttpHeaders | undefined): number {
    const { initialMs, maxMs } = this.options.retry ?? DEFAULT_RETRY;
    const after = Number(headers?.['retry-after']);
    if (Number.isFinite(after) && after >= 0) return Math.min(maxMs, after * 1000);
    return Math.min(maxMs, initialMs * 2 ** (attempt - 1));
  }

  /**
   * One VAPID token per origin, valid 12 h and renewed when less than an hour is left — as
   * application-server libraries do (signing per send would cost an ECDSA signature each).
   */
  private authorization(origin: string): Record<string, string> {
    if (!this.vapidKeys) return {};
    const nowSeconds = Math.floor(this.clock.now() / 1000);
    const cached = this.vapidTokens.get(origin);
    if (cached && cached.expiresAtSeconds - nowSeconds > 3600)
      return { authorization: cached.header };
    const expiresAtSeconds = nowSeconds + 12 * 3600;
    const sign = this.options.reproducible ? signVapidStableLength : signVapid;
    const header = sign({
      audience: origin,
      subject: this.options.vapidSubject ?? 'mailto:lab@push-lab.invalid',
      expiresAtSeconds,
      privateKey: this.vapidKeys.privateKey,
      publicKey: this.vapidKeys.publicKey,
    });
    this.vapidTokens.set(origin, { header, expiresAtSeconds });
    return { authorization: header };
  }

  private readonly vapidTokens = new Map<string, { header: string; expiresAtSeconds: number }>();

  /**
   * Keeps one GET on a receipt resource to receive its receipts: RFC 8030's receipt
   * subscription (remembered per origin, echoed on later sends), or draft-damaggio's receipt
   * resource of one subscription.
   */
  private watchReceipts(origin: string, receiptUrl: string): void {
    if (this.profile.receipts === 'receipt-subscription') this.receiptLinks.set(origin, receiptUrl);
    if (this.receiptMonitors.has(receiptUrl) || this.stopped) return;
    if (this.receiptMonitors.size >= RECEIPT_MONITORS_MAX) return;
    void this.session(origin).then(
      (session) => {
        if (this.receiptMonitors.has(receiptUrl) || session.closed) return;
        const stream = session.request({
          ':method': 'GET',
          ':path': new URL(receiptUrl).pathname,
          'user-agent': `push-lab/${this.id}`,
        });
        this.receiptMonitors.set(receiptUrl, stream);
        stream.on('error', () => {});
        stream.resume();
        stream.on('close', () => {
          if (this.receiptMonitors.get(receiptUrl) === stream)
            this.receiptMonitors.delete(receiptUrl);
        });
      },
      () => {},
    );
  }

  private onReceipt(pushed: ClientHttp2Stream, requestHeaders: IncomingHttpHeaders): void {
    const path = String(requestHeaders[':path'] ?? '');
    pushed.on('push', (headers) => {
      const status = Number(headers[':status'] ?? 0);
      this.bus.emit({
        kind: 'receipt.received',
        agentId: this.id,
        messageId: this.options.witness
          ? this.options.witness.receipt(path, status)
          : (this.options.identify?.(path)?.messageId ?? null),
        status,
      });
    });
    pushed.on('error', () => {});
    pushed.resume();
  }

  private session(origin: string): Promise<ClientHttp2Session> {
    const existing = this.sessions.get(origin);
    if (existing) return existing;
    const create = this.options.createConnection;
    const created = connect(
      origin,
      {
        ...(this.options.tls ?? {}),
        ...(create ? { createConnection: () => create(origin) } : {}),
      },
      { clock: this.clock, timeoutMs: this.options.requestTimeoutMs ?? 30_000 },
    ).then((session) => {
      session.on('error', () => {});
      session.on('stream', (pushed, headers) => this.onReceipt(pushed, headers));
      session.on('close', () => {
        if (this.sessions.get(origin) === created) this.sessions.delete(origin);
        for (const [url, stream] of this.receiptMonitors)
          if (stream.session === session) this.receiptMonitors.delete(url);
      });
      return session;
    });
    created.catch(() => {
      if (this.sessions.get(origin) === created) this.sessions.delete(origin);
    });
    this.sessions.set(origin, created);
    return created;
  }

  private later(delayMs: number, fn: () => void): void {
    const timer = this.clock.schedule(delayMs, () => {
      this.timers.delete(timer);
      fn();
    });
    this.timers.add(timer);
  }
}

/**
 * The payload: RFC 8291-encrypted for the subscription's keys, or plain text for a
 * subscription whose keys the sender does not have.
 */
export function encode(
  keys: UaKeys | null,
  text: string,
  secrets?: SenderSecrets,
): { body: Buffer; contentHeaders: Record<string, string> } {
  const plaintext = Buffer.from(text, 'utf8');
  if (!keys)
    return { body: plaintext, contentHeaders: { 'content-type': 'text/plain;charset=utf-8' } };
  const sender = secrets?.take(keys.publicKey) ?? null;
  return {
    body: sender
      ? encryptWithSecret(plaintext, keys, sender)
      : encryptForSubscription({
          plaintext,
          uaPublic: keys.publicKey,
          authSecret: keys.authSecret,
        }),
    contentHeaders: { 'content-encoding': 'aes128gcm' },
  };
}

/** The TTL a push service says it kept (RFC 8030 §5.2's `TTL` answer header), if it says. */
function ttlHeader(headers: IncomingHttpHeaders | undefined): number | null {
  const value = headers?.['ttl'];
  if (typeof value !== 'string' || !/^\d{1,10}$/.test(value)) return null;
  return Number(value);
}

function vapidKeysFor(reproducible: AppServerOptions['reproducible']): VapidKeys {
  if (!reproducible) return createVapidKeys();
  // A scalar of 32 random octets is ≥ the group order about once in 2^32 draws: draw again.
  for (;;) {
    try {
      return createVapidKeys(reproducible.vapidScalar());
    } catch {
      continue;
    }
  }
}
