/**
 * The HTTP/2 front of one push service: a node:http2 server (h2c, or TLS with ALPN h2)
 * that hands each request to its instance of a protocol profile (profiles/registry.ts),
 * whose route table answers it. It never lets a bad peer take it down:
 * session, socket and stream errors are contained, and every handler failure becomes a 500.
 */
import http2, {
  type Http2SecureServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Profile } from '../../../shared/events';
import { every, type Clock, type Timer } from '../clock/clock';
import { describeError } from '../errors';
import { ERROR_TEXT_CHARS_MAX, type EventBus } from '../trace/bus';
import { PushCore } from './core';
import { closeAfterPeerGoaway } from './goaway';
import { adaptHttp1 } from './http1';
import { respond, sendProblem, useLabClock } from './http';
import { sniffPreface } from './preface';
import type { ProfileServer, PushNamed } from './profiles/common';
import { PROFILE_REGISTRY, profileEntry } from './profiles/registry';
import { type QuirkName, QuirkSession, quirkOverlay, unknownQuirk } from './quirks';
import type { PushStore } from './store/store';
import {
  CLOSED_WORLD_LIMITS,
  DEFAULT_SERVICE_LIMITS,
  HEADER_LIST_PROTOCOL_BYTES_MAX,
  HTTP2_WINDOW_BYTES_MAX,
  type ServiceLimits,
} from './types';

export interface PushServiceOptions {
  serviceId: string;
  profile: Profile;
  /** Interface to listen on; 127.0.0.1 unless the user says otherwise. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** PEM key and certificate for TLS (h2 via ALPN); null serves h2c. */
  tls: { key: string; cert: string } | null;
  /** Defaults: DEFAULT_SERVICE_LIMITS, and CLOSED_WORLD_LIMITS over them when not listening. */
  limits?: Partial<ServiceLimits>;
  /** Open connections the service accepts at once (all addresses together). */
  connectionCountMax?: number;
  /**
   * false: take no connection from the network, only `acceptConnection` (a closed
   * simulation); the service is then named `http://<serviceId>.push-lab.invalid`.
   */
  listen?: boolean;
  /** Capability tokens; CSPRNG unless the service does not listen (see tokens.ts). */
  tokens?: () => string;
  /**
   * Every this many ms, PING each connection and close those that do not answer within
   * `sessionPingTimeoutMs` (0 = never). Node's http2 keeps a connection it sent GOAWAY on
   * (after a protocol error) without reading or closing it; unanswered PINGs free its slot.
   */
  sessionPingIntervalMs?: number;
  sessionPingTimeoutMs?: number;
  /**
   * Opens the durable store the service restores from and journals to (store/); opened by
   * start(), before listening, so a store that cannot be used refuses the start. Without
   * it everything stays in memory. Only a profile whose registry entry is `durable` (rfc8030).
   */
  store?: () => Promise<PushStore>;
  /**
   * A provider quirk overlay (`push/quirks/`: autopush, fcm, apple) over a profile that takes
   * them (rfc8030): its documented limits go under `limits`, its answers over RFC 8030's.
   */
  quirks?: QuirkName;
}

/** Everything a profile needs to answer one request. */
export interface RequestContext {
  readonly stream: ServerHttp2Stream;
  readonly headers: IncomingHttpHeaders;
  readonly method: string;
  /** Path without query string. */
  readonly path: string;
  readonly authority: string;
  readonly scheme: string;
  readonly core: PushCore;
  readonly clock: Clock;
  /** Lab agent named by the request's `user-agent: push-lab/<agentId>`, if any. */
  readonly agentId: string | null;
  /** Origin of this service as clients reach it, e.g. `http://127.0.0.1:8443`. */
  readonly origin: string;
  /** The peer's address (a sender's identity for rate limits when it has no VAPID key). */
  readonly remoteAddress: string;
}

/**
 * Size of a header list as RFC 7540 §6.5.2 counts it for SETTINGS_MAX_HEADER_LIST_SIZE:
 * each field's name and value in octets, plus 32. `raw` is node's flat [name, value, …] list.
 */
export function headerListBytes(raw: readonly string[]): number {
  let bytes = 0;
  for (const field of raw) bytes += Buffer.byteLength(field);
  return bytes + (raw.length / 2) * 32;
}

/**
 * `headerListBytes(raw)` when it may exceed `max`, else 0: a character is at most 3 UTF-8
 * octets, so a list whose characters, tripled, fit needs no exact count (every request's
 * fields were measured one Buffer.byteLength call each, to learn they were far below).
 */
export function headerListBytesOver(raw: readonly string[], max: number): number {
  let chars = 0;
  for (let i = 0; i < raw.length; i++) chars += raw[i]!.length;
  if (chars * 3 + (raw.length / 2) * 32 <= max) return 0;
  const bytes = headerListBytes(raw);
  return bytes > max ? bytes : 0;
}

/**
 * What node:http2's compatibility layer answered before dispatch saw a stream, kept now that
 * the layer is gone (see start): CONNECT is refused with 405 (this is no proxy), `Expect:
 * 100-continue` gets its interim 100 and the request goes on, any other expectation 417
 * (RFC 9110 §10.1.1). node:http does the same for HTTP/1.1 requests. True when answered.
 */
function answeredByNode(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): boolean {
  if (headers[':method'] === 'CONNECT') {
    stream.on('error', () => {});
    respond(stream, 405);
    return true;
  }
  const expect = headers['expect'];
  if (expect === undefined) return false;
  if (expect.toLowerCase() === '100-continue') {
    if (!stream.destroyed && !stream.headersSent) stream.additionalHeaders({ ':status': 100 });
    return false;
  }
  stream.on('error', () => {});
  stream.resume();
  respond(stream, 417);
  return true;
}

/** A stream's errors end it (its 'close' follows); nothing more to do. One function for all. */
function ignore(): void {}

export class PushService {
  readonly core: PushCore;
  /** The provider quirk overlay at work (its `name` is null without one). */
  readonly quirks: QuirkSession;
  private readonly profile: ProfileServer;
  private server: Http2Server | Http2SecureServer | null = null;
  /**
   * h2c only: the listening socket, which reads each connection's preface and hands it to
   * `server` (h2c) or a node:http server (cleartext HTTP/1.1), and the connections it accepted.
   */
  private front: net.Server | null = null;
  private readonly frontSockets = new Set<Socket>();
  private readonly sessions = new Set<Http2Session>();
  private reaper: Timer | null = null;
  private baseUrl = '';
  /** Sockets handed over by acceptConnection: in-memory links, exempt from per-address limits. */
  private readonly inMemory = new WeakSet<object>();
  /** Open network connections per client address. */
  private readonly connectionsByAddress = new Map<string, number>();
  private store: PushStore | null = null;

  constructor(
    private readonly options: PushServiceOptions,
    private readonly clock: Clock,
    private readonly bus: EventBus,
  ) {
    const entry = profileEntry(options.profile);
    if (!entry) {
      throw new Error(
        `profile: got "${options.profile}"; allowed ${Object.keys(PROFILE_REGISTRY).join(', ')}`,
      );
    }
    if (options.store && !entry.durable) {
      const durable = Object.entries(PROFILE_REGISTRY).filter(([, e]) => e.durable);
      throw new Error(
        `store: got a store with profile "${options.profile}"; allowed only with ${durable.map(([name]) => name).join(', ')} (the others keep state outside the core)`,
      );
    }
    const overlay = options.quirks === undefined ? null : quirkOverlay(options.quirks);
    if (options.quirks !== undefined && !overlay)
      throw new Error(`quirks: ${unknownQuirk(options.quirks)}`);
    if (overlay && !entry.quirks) {
      const takers = Object.entries(PROFILE_REGISTRY).filter(([, e]) => e.quirks);
      throw new Error(
        `quirks: got "${overlay.name}" with profile "${options.profile}"; allowed only with ${takers.map(([name]) => name).join(', ')}`,
      );
    }
    if (options.tokens && options.listen !== false) {
      throw new Error(
        'tokens: predictable tokens are only allowed for a service that does not listen',
      );
    }
    this.core = new PushCore(
      options.serviceId,
      clock,
      bus,
      {
        ...DEFAULT_SERVICE_LIMITS,
        ...(options.listen === false ? CLOSED_WORLD_LIMITS : {}),
        ...overlay?.limits,
        ...options.limits,
      },
      options.tokens,
    );
    this.quirks = new QuirkSession(this.core, overlay, () => clock.now());
    this.profile = entry.server(this.core, this.quirks);
  }

  get id(): string {
    return this.options.serviceId;
  }

  get profileName(): Profile {
    return this.profile.name;
  }

  /** Base URL once listening, e.g. `http://127.0.0.1:43117`. */
  get url(): string {
    return this.baseUrl;
  }

  /** Full URL of the subscribe resource. */
  get subscribeUrl(): string {
    return this.baseUrl + this.profile.subscribePath;
  }

  pushUrl(pushToken: string): string {
    return this.baseUrl + this.profile.pushPath(pushToken);
  }

  /** Names the message a promised path refers to (labels agent-side events only). */
  identify(messagePath: string): { messageId: string; subscriptionId: string } | null {
    const token = messagePath.slice(messagePath.lastIndexOf('/') + 1);
    return this.core.identifyToken(token);
  }

  /**
   * Names the message a push carried when its promised path names none (draft-thomson:
   * the subscription URI), for labelling agent-side events only; the profile instance
   * remembers its own pushes. Null when it cannot say (other profiles: use `identify`;
   * forgotten, or never pushed): an agent then emits no event rather than a wrong one.
   */
  identifyLatest(subscriptionUrl: string, body?: Uint8Array): PushNamed | null {
    if (!this.profile.identifyLatest) return null;
    let path: string;
    try {
      path = new URL(subscriptionUrl, this.baseUrl || 'http://invalid').pathname;
    } catch {
      return null;
    }
    const sub = this.core.byPushToken(path.slice(path.lastIndexOf('/') + 1));
    return sub ? this.profile.identifyLatest(sub, body) : null;
  }

  /**
   * Takes a connection that did not come through the listening socket (an in-memory link
   * carrying a simulated agent's bytes). Same server, same limits, same handlers.
   */
  acceptConnection(socket: Duplex): void {
    if (!this.server) {
      socket.destroy();
      return;
    }
    this.inMemory.add(socket);
    this.server.emit('connection', socket);
  }

  /** The lab id of the subscription behind a push resource URL (labels events only). */
  identifySubscription(pushUrl: string): string | null {
    const path = new URL(pushUrl, this.baseUrl).pathname;
    const token = path.slice(path.lastIndexOf('/') + 1);
    return this.core.byPushToken(token)?.id ?? null;
  }

  async start(): Promise<string> {
    // Opened first: a store held by another process (or unwritable) refuses the start.
    const store = this.options.store ? await this.options.store() : null;
    this.store = store;
    // Header lists above headerListBytesMax get a 431 problem from dispatch; only those above
    // this protocol bound are reset by node:http2 itself (docs/security.md).
    const settings = { maxHeaderListSize: HEADER_LIST_PROTOCOL_BYTES_MAX, enablePush: false };
    const common = {
      settings,
      // Node's default of 128 fields would refuse (REFUSED_STREAM) a list of many small
      // fields long before 16 KB; every field costs at least 32 octets, so the byte bound
      // already caps the count.
      maxHeaderListPairs: HEADER_LIST_PROTOCOL_BYTES_MAX / 32,
      maxSessionMemory: 32,
      peerMaxConcurrentStreams: 1000,
    };
    const server = this.options.tls
      ? http2.createSecureServer({ ...common, ...this.options.tls, allowHTTP1: true })
      : http2.createServer(common);
    // HTTP/1.1 requests: by ALPN on the TLS port, by the preface on the h2c port (front).
    const onHttp1 = (req: Http2ServerRequest, res: Http2ServerResponse): void => {
      if (req.httpVersionMajor !== 1) return; // HTTP/2 requests arrive as 'stream' events
      const adapted = adaptHttp1(req, res);
      this.dispatch(adapted.stream, adapted.headers, req.rawHeaders, req.socket.remoteAddress);
    };
    if (this.options.tls) {
      server.on('request', onHttp1);
      // A 'request' listener also makes node:http2 wrap every HTTP/2 stream in its
      // compatibility request and response (two stream objects and a dozen listeners a
      // stream) before the 'stream' handler below sees it. HTTP/2 streams are all
      // dispatch's, so that wrapper goes; answeredByNode keeps what it answered.
      for (const compat of server.listeners('stream'))
        server.off('stream', compat as (...args: unknown[]) => void);
    }
    const front =
      this.options.tls || this.options.listen === false
        ? null
        : this.cleartextFront(server, onHttp1);
    const listener = front ?? server;
    listener.maxConnections = this.options.connectionCountMax ?? 20_000;
    // First in line, so a connection over the per-address cap is closed before node:http2
    // (or TLS) spends anything on it.
    listener.prependListener('connection', (socket: Socket) => this.admitConnection(socket));
    server.on('session', (session) => this.track(session));
    server.on(
      'stream',
      (
        stream: ServerHttp2Stream,
        headers: IncomingHttpHeaders,
        _flags: number,
        rawHeaders: string[],
      ) => {
        if (answeredByNode(stream, headers)) return;
        this.dispatch(stream, headers, rawHeaders);
      },
    );
    // A peer that speaks garbage is its own problem: drop it, keep serving.
    server.on('sessionError', () => {});
    server.on('clientError', (_error, socket) => socket.destroy());
    server.on('tlsClientError', () => {});
    const scheme = this.options.tls ? 'https' : 'http';
    if (this.options.listen === false) {
      this.baseUrl = `${scheme}://${this.options.serviceId.toLowerCase()}.push-lab.invalid`;
    } else {
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(this.options.port, this.options.host, () => {
          listener.off('error', reject);
          resolve();
        });
      }).catch(async (error: unknown) => {
        await this.closeStore();
        throw error;
      });
      const address = listener.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      this.baseUrl = `${scheme}://${host}:${address.port}`;
    }
    listener.on('error', () => {});
    this.server = server;
    this.front = front;
    const pingEveryMs = this.options.sessionPingIntervalMs ?? 0;
    if (pingEveryMs > 0)
      this.reaper = every(this.clock, pingEveryMs, () => this.reapSilentSessions());
    this.bus.emit({
      kind: 'service.started',
      serviceId: this.id,
      url: this.baseUrl,
      profile: this.profile.name,
    });
    // Before any request: connections are read in a later turn of the event loop.
    if (store) {
      this.core.restore(store, (sub) =>
        this.core.announceSubscription(sub, this.profile.pushPath(sub.pushToken)),
      );
    }
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    this.reaper?.cancel();
    this.reaper = null;
    this.profile.close?.();
    const server = this.server;
    if (!server) return this.closeStore();
    this.server = null;
    this.core.close();
    const listener = this.front ?? server;
    this.front = null;
    const closed = listener.listening
      ? new Promise<void>((resolve) => listener.close(() => resolve()))
      : Promise.resolve();
    for (const session of this.sessions) session.destroy();
    this.sessions.clear();
    // HTTP/1.1 connections and those still silent: the listener's close waits for them.
    for (const socket of this.frontSockets) socket.destroy();
    this.frontSockets.clear();
    await closed;
    await this.closeStore();
    this.bus.emit({ kind: 'service.stopped', serviceId: this.id });
  }

  /** Writes what is queued and releases the store's lock. */
  private async closeStore(): Promise<void> {
    const store = this.store;
    this.store = null;
    await store?.close();
  }

  /** PINGs every connection; one that does not answer in time is closed (see options). */
  private reapSilentSessions(): void {
    const timeoutMs = this.options.sessionPingTimeoutMs ?? 10_000;
    for (const session of this.sessions) {
      if (session.destroyed) continue;
      const deadline = this.clock.schedule(timeoutMs, () => session.destroy());
      try {
        if (!session.ping((error) => (error ? session.destroy() : deadline.cancel())))
          deadline.cancel();
      } catch {
        deadline.cancel();
        session.destroy();
      }
    }
  }

  /**
   * The h2c port's listener: each connection goes to node:http2 or node:http by its first
   * bytes (preface.ts), so `http://` senders work beside h2c clients. Only the listening
   * socket is in front: acceptConnection's in-memory links speak HTTP/2 straight to `server`.
   */
  private cleartextFront(
    server: Http2Server | Http2SecureServer,
    onHttp1: (req: Http2ServerRequest, res: Http2ServerResponse) => void,
  ): net.Server {
    const http1 = http.createServer({ maxHeaderSize: HEADER_LIST_PROTOCOL_BYTES_MAX });
    // node:http's request and response are what the TLS port's HTTP/1.1 fallback gives too.
    http1.on('request', onHttp1 as unknown as http.RequestListener);
    http1.on('clientError', (_error, socket) => socket.destroy());
    return net.createServer({ pauseOnConnect: true }, (socket) => {
      if (socket.destroyed) return; // over a connection limit (admitConnection)
      socket.on('error', () => {});
      this.frontSockets.add(socket);
      socket.once('close', () => this.frontSockets.delete(socket));
      sniffPreface(socket, this.clock, (kind) =>
        (kind === 'h2' ? server : http1).emit('connection', socket),
      );
    });
  }

  /** `connectionsPerAddressMax`: one address's connection beyond it is closed at once (0 = no limit). */
  private admitConnection(socket: Socket): void {
    const max = this.core.limits.connectionsPerAddressMax;
    if (max <= 0 || this.inMemory.has(socket)) return;
    const address = socket.remoteAddress ?? 'unknown';
    const open = this.connectionsByAddress.get(address) ?? 0;
    if (open >= max) {
      socket.destroy();
      this.core.limitReached('connections-per-address', this.id, max);
      return;
    }
    this.connectionsByAddress.set(address, open + 1);
    socket.once('close', () => {
      const left = (this.connectionsByAddress.get(address) ?? 1) - 1;
      if (left > 0) this.connectionsByAddress.set(address, left);
      else this.connectionsByAddress.delete(address);
    });
  }

  private track(session: Http2Session): void {
    this.sessions.add(session);
    useLabClock(session, () => this.clock.now());
    session.on('error', () => {});
    session.on('close', () => this.sessions.delete(session));
    closeAfterPeerGoaway(session);
    session.socket?.on('error', () => {});
    this.openWindow(session);
    this.closeWhenIdle(session);
  }

  /** `connectionWindowBytes`: one WINDOW_UPDATE on stream 0, right after the SETTINGS. */
  private openWindow(session: Http2Session): void {
    const windowBytes = Math.min(this.core.limits.connectionWindowBytes, HTTP2_WINDOW_BYTES_MAX);
    if (windowBytes <= 0) return;
    try {
      session.setLocalWindowSize(windowBytes);
    } catch {
      // The session is already gone (the peer hung up at once): nothing to widen.
    }
  }

  /**
   * `sessionIdleSecondsMax`: a connection with no request open for that long is closed with
   * GOAWAY (a held monitoring GET is an open request, so a monitoring user agent never is).
   */
  private closeWhenIdle(session: Http2Session): void {
    const idleMs = this.core.limits.sessionIdleSecondsMax * 1000;
    if (idleMs <= 0) return;
    let open = 0;
    let idleSinceMs = this.clock.now();
    let timer: Timer | null = null;
    // One timer at a time, never cancelled on the hot path: streams only move `idleSinceMs`,
    // and a timer that fires early re-arms for what is left (a busy connection opens and
    // closes a stream per request; rescheduling a timer each time showed in bench:push).
    const check = (): void => {
      timer = null;
      if (session.closed || session.destroyed || open > 0) return;
      const leftMs = idleSinceMs + idleMs - this.clock.now();
      if (leftMs > 0) {
        timer = this.clock.schedule(leftMs, check);
        return;
      }
      this.core.limitReached('session-idle', this.id, this.core.limits.sessionIdleSecondsMax);
      session.close();
    };
    // One listener for all of the session's streams ('close' comes once a stream), not one each.
    const streamClosed = (): void => {
      open -= 1;
      if (open > 0 || session.closed) return;
      idleSinceMs = this.clock.now();
      if (timer === null) timer = this.clock.schedule(idleMs, check);
    };
    session.on('stream', (stream: ServerHttp2Stream) => {
      open += 1;
      stream.on('close', streamClosed);
    });
    session.once('close', () => timer?.cancel());
    timer = this.clock.schedule(idleMs, check);
  }

  private dispatch(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    rawHeaders: readonly string[],
    remoteAddress = stream.session?.socket?.remoteAddress,
  ): void {
    stream.on('error', ignore);
    const headerBytesMax = this.core.limits.headerListBytesMax;
    const headerBytes = headerListBytesOver(rawHeaders, headerBytesMax);
    if (headerBytes > 0) {
      stream.resume();
      this.core.limitReached('header-list-bytes', this.id, headerBytesMax);
      sendProblem(stream, {
        status: 431,
        title: 'Request Header Fields Too Large',
        detail: `header list: ${headerBytes} bytes (RFC 7540 §6.5.2: name + value + 32 per field); allowed at most ${headerBytesMax}`,
      });
      return;
    }
    const rawPath = String(headers[':path'] ?? '/');
    const query = rawPath.indexOf('?');
    const userAgent = String(headers['user-agent'] ?? '');
    const agent = /^push-lab\/(\S+)/.exec(userAgent);
    const ctx: RequestContext = {
      stream,
      headers,
      method: String(headers[':method'] ?? 'GET'),
      path: query >= 0 ? rawPath.slice(0, query) : rawPath,
      authority: String(headers[':authority'] ?? headers['host'] ?? ''),
      scheme: String(headers[':scheme'] ?? (this.options.tls ? 'https' : 'http')),
      core: this.core,
      clock: this.clock,
      agentId: agent ? agent[1]! : null,
      origin: this.baseUrl,
      remoteAddress: remoteAddress ?? 'unknown',
    };
    try {
      const pending = this.profile.handle(ctx);
      if (pending) pending.catch((error: unknown) => this.failed(ctx, error));
    } catch (error) {
      this.failed(ctx, error);
    }
  }

  /** A handler threw: the client learns only that it failed; the lab learns what, as an event. */
  private failed(ctx: RequestContext, error: unknown): void {
    this.bus.reportError(this.id, {
      kind: 'service.error',
      serviceId: this.id,
      method: ctx.method,
      path: ctx.path.slice(0, ERROR_TEXT_CHARS_MAX),
      ...describeError(error),
    });
    sendProblem(ctx.stream, {
      status: 500,
      title: 'Internal Server Error',
      detail: 'the push service failed on this request; it keeps serving others',
    });
  }
}
