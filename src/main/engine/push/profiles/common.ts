/**
 * What every protocol profile's server side shares: the route table (method + path pattern
 * → handler, with 404 and 405 answered once), the problem documents for dead resources,
 * wrong methods, full services, rate limits and oversized bodies, and the durable answer.
 * A profile's own paths, headers and status codes live in `<name>/server.ts`.
 */
import type { Profile } from '../../../../shared/events';
import type { PushCore, Subscription } from '../core';
import type { QuirkSession } from '../quirks';
import { readBody, respond, sendProblem, type Problem } from '../http';
import type { RequestContext } from '../service';
import { FULL_RETRY_AFTER_SECONDS, type StoredMessage } from '../types';

/**
 * Lifetimes the drafts' examples advertise (`Cache-Control: max-age=…, private`). They say
 * how long a client may cache the answer; a subscription left idle (no monitor, nothing
 * delivered or acknowledged) for `subscriptionIdleSecondsMax` still expires, as RFC 8030
 * §7.3 allows, and a monitor or acknowledgement in time keeps it.
 */
export const REGISTRATION_MAX_AGE_SECONDS = 8_640_000;
export const SUBSCRIPTION_MAX_AGE_SECONDS = 864_000;

/** The message a push carried, as agents label their events. */
export interface PushNamed {
  messageId: string;
  subscriptionId: string;
}

/** One push service's instance of a profile: its routes and whatever state it keeps. */
export interface ProfileServer {
  readonly name: Profile;
  /** Path a user agent POSTs to for a new subscription. */
  readonly subscribePath: string;
  handle(ctx: RequestContext): void | Promise<void>;
  /** Public push resource path of a subscription (what an application server sends to). */
  pushPath(pushToken: string): string;
  /**
   * Names the latest message pushed for `sub` (whose body is `body`, when given), for a
   * profile whose promised path names no message (draft-thomson); null when it cannot say.
   */
  identifyLatest?(sub: Subscription, body?: Uint8Array): PushNamed | null;
  /** The service stopped: let go of what the instance holds. */
  close?(): void;
}

/**
 * Makes a profile's server instance for one service's core; a profile whose registry entry
 * takes quirks applies the service's provider overlay session at its named points.
 */
export type ProfileServerFactory = (core: PushCore, quirks?: QuirkSession) => ProfileServer;

/**
 * Answers a request to a resource that is not there. `gone` says how a resource of this
 * profile stops existing (RFC 8030 subscriptions also expire on their own).
 */
export function notFound(
  ctx: RequestContext,
  what: string,
  gone = 'deleted, or never issued',
): void {
  ctx.stream.resume();
  sendProblem(ctx.stream, notFoundProblem(ctx, what, gone));
}

/** The 404 problem `notFound` answers with. */
export function notFoundProblem(ctx: RequestContext, what: string, gone: string): Problem {
  return {
    status: 404,
    title: 'Not Found',
    detail: `${what}: no such resource at ${ctx.path} (${gone})`,
  };
}

export function methodNotAllowed(ctx: RequestContext, allowed: readonly string[]): void {
  ctx.stream.resume();
  sendProblem(ctx.stream, {
    status: 405,
    title: 'Method Not Allowed',
    detail: `method ${ctx.method} on ${ctx.path}; allowed ${allowed.join(', ')}`,
    extraHeaders: { allow: allowed.join(', ') },
  });
}

/** `params`: the `:name` segments in order, then what `*` matched. */
export type RouteHandler = (ctx: RequestContext, params: readonly string[]) => void | Promise<void>;

/**
 * One resource of a profile. `path` is split on `/`: a literal segment must match exactly,
 * `:name` matches one segment (possibly empty), and a final `*` matches the rest of the path
 * (possibly empty, slashes included). `methods` lists the handlers in the order `Allow` names them.
 */
export interface Route {
  path: string;
  methods: Partial<Record<'GET' | 'POST' | 'PUT' | 'DELETE', RouteHandler>>;
}

interface CompiledRoute {
  readonly segments: readonly string[];
  readonly methods: ReadonlyMap<string, RouteHandler>;
  readonly allow: readonly string[];
}

/** Segments a route pattern may have (the longest profile path has four). */
export const ROUTE_SEGMENTS_MAX = 8;

/**
 * A profile's routes: the first route whose path matches takes the request; a method it
 * does not list gets 405 with `Allow`; a path no route matches gets 404.
 */
export class RouteTable {
  private readonly routes: readonly CompiledRoute[];

  constructor(
    routes: readonly Route[],
    private readonly unknown: (ctx: RequestContext) => void,
  ) {
    this.routes = routes.map((route) => {
      const segments = route.path.split('/');
      if (!route.path.startsWith('/') || segments.length > ROUTE_SEGMENTS_MAX) {
        throw new Error(
          `route path: got "${route.path}"; allowed an absolute path of at most ${ROUTE_SEGMENTS_MAX - 1} segments`,
        );
      }
      if (segments.slice(0, -1).includes('*')) {
        throw new Error(`route path: got "${route.path}"; "*" is allowed only as the last segment`);
      }
      const methods = new Map(
        Object.entries(route.methods).filter(
          (entry): entry is [string, RouteHandler] => !!entry[1],
        ),
      );
      return { segments, methods, allow: [...methods.keys()] };
    });
  }

  /** Every route's pattern and the methods it allows (tests, docs). */
  get patterns(): { path: string; allow: readonly string[] }[] {
    return this.routes.map((r) => ({ path: r.segments.join('/'), allow: r.allow }));
  }

  dispatch(ctx: RequestContext): void | Promise<void> {
    for (const route of this.routes) {
      const params = matchPath(route.segments, ctx.path);
      if (!params) continue;
      const handler = route.methods.get(ctx.method);
      if (!handler) return methodNotAllowed(ctx, route.allow);
      return handler(ctx, params);
    }
    return this.unknown(ctx);
  }
}

/** The params of a route without any: shared, never written to. */
const NO_PARAMS: readonly string[] = Object.freeze([]);

// Literal segments are compared in place and params made only for a route that takes them:
// a request tried against the routes before its own allocated nothing there.
function matchPath(segments: readonly string[], path: string): readonly string[] | null {
  let params: string[] | null = null;
  let at = 0;
  const last = segments.length - 1;
  for (let i = 0; i <= last; i++) {
    const segment = segments[i]!;
    if (segment === '*') {
      (params ??= []).push(path.slice(at));
      return params;
    }
    const slash = path.indexOf('/', at);
    const end = slash < 0 ? path.length : slash;
    if (segment.startsWith(':')) (params ??= []).push(path.slice(at, end));
    else if (end - at !== segment.length || !path.startsWith(segment, at)) return null;
    if (i === last) return slash < 0 ? (params ?? NO_PARAMS) : null;
    if (slash < 0) return null;
    at = slash + 1;
  }
  return null;
}

export function serviceFull(ctx: RequestContext, what: string, limit: number): void {
  ctx.stream.resume();
  sendProblem(ctx.stream, {
    status: 429,
    title: 'Too Many Requests',
    detail: `${what}: this service holds its maximum of ${limit}`,
    extraHeaders: { 'retry-after': String(FULL_RETRY_AFTER_SECONDS) },
  });
}

/**
 * The subscribe rate per client address (`subscribesPerSecondPerAddress`): answers 429 with
 * Retry-After and returns false when the address is over it, else true.
 */
export function subscribeAdmitted(ctx: RequestContext): boolean {
  const wait = ctx.core.admitSubscribe(ctx.remoteAddress);
  if (wait === null) return true;
  ctx.stream.resume();
  const { subscribesPerSecondPerAddress: rate, subscribesPerAddressBurstCount: burst } =
    ctx.core.limits;
  sendProblem(ctx.stream, {
    status: 429,
    title: 'Too Many Requests',
    detail: `subscribe rate (subscribesPerSecondPerAddress): more than ${rate} a second (after a burst of ${burst}) from ${ctx.remoteAddress}; retry after ${wait} s`,
    extraHeaders: { 'retry-after': String(wait) },
  });
  return false;
}

/** The service's message store is full (`storedBytesMax`). */
export function storeFull(limit: number): Problem {
  return {
    status: 429,
    title: 'Too Many Requests',
    detail: `stored messages (storedBytesMax): this service holds its maximum of ${limit} bytes; retry after some are delivered or expire`,
    extraHeaders: { 'retry-after': String(FULL_RETRY_AFTER_SECONDS) },
  };
}

export function queueFull(limit: number): Problem {
  return {
    status: 429,
    title: 'Too Many Requests',
    detail: `subscription queue: ${limit} messages outstanding, the maximum; retry after some are delivered or expire`,
    extraHeaders: { 'retry-after': '10' },
  };
}

/** A body over the service's `bodyBytesMax`. */
export function bodyTooLarge(limit: number): Problem {
  return {
    status: 413,
    title: 'Content Too Large',
    detail: `body: more than ${limit} bytes; allowed at most ${limit}`,
  };
}

/**
 * A held GET that can only be answered by server pushes is refused (400) on a connection
 * that does not take pushes (HTTP/1.1, or SETTINGS_ENABLE_PUSH = 0); true if it may go on.
 */
export function pushesAllowed(ctx: RequestContext, what: string): boolean {
  if (ctx.stream.pushAllowed) return true;
  ctx.stream.resume();
  sendProblem(ctx.stream, {
    status: 400,
    title: 'Bad Request',
    detail: `${what} needs HTTP/2 with server push enabled (SETTINGS_ENABLE_PUSH = 1); this connection refuses pushes`,
  });
  return false;
}

/**
 * Refuses a send: records the rejection as an event, answers with the problem, and drains
 * whatever body is still coming.
 */
export function refuser(ctx: RequestContext, sub: Subscription): (problem: Problem) => void {
  return (problem) => refuseSend(ctx, sub, problem);
}

/** What `refuser`'s function does, for a hot path that should not make one per request. */
export function refuseSend(ctx: RequestContext, sub: Subscription, problem: Problem): void {
  ctx.stream.resume();
  ctx.core.reject(sub.id, problem.status, problem.detail);
  sendProblem(ctx.stream, problem);
}

/**
 * The service's send rate limits (the core's, as every profile applies them). A sender is
 * its VAPID key when it has one (RFC 8030), else its address (the drafts identify nobody).
 * Null if the send may go ahead.
 */
export function rateLimited(
  ctx: RequestContext,
  sub: Subscription,
  senderKey = `addr:${ctx.remoteAddress}`,
): Problem | null {
  const limited = ctx.core.admit(sub, senderKey);
  if (!limited) return null;
  const rate =
    limited.limit === 'sender'
      ? ctx.core.limits.sendsPerSecondPerSender
      : ctx.core.limits.sendsPerSecondPerSubscription;
  return {
    status: 429,
    title: 'Too Many Requests',
    detail: `${limited.limit} rate: more than ${rate} messages a second; retry after ${limited.retryAfterSeconds} s`,
    extraHeaders: { 'retry-after': String(limited.retryAfterSeconds) },
  };
}

/**
 * Reads a send's body up to the service's limit (never below 4096 bytes in any profile).
 * Returns null when the request is over: aborted, or refused with 413 through `refuse`.
 */
export async function readSendBody(
  ctx: RequestContext,
  refuse: (problem: Problem) => void,
): Promise<Buffer | null> {
  const limit = ctx.core.limits.bodyBytesMax;
  const body = await readBody(ctx.stream, limit);
  if (body === 'aborted') return null;
  if (body === 'too-large') {
    refuse(bodyTooLarge(limit));
    return null;
  }
  return body;
}

/**
 * An HTTP date (whole seconds). Messages pushed in one second share their `last-modified`
 * text, so it is formatted once a second, not once a push (as `date` is, http.ts).
 */
export function httpDate(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastHttpDate.second) {
    lastHttpDate.second = second;
    lastHttpDate.text = new Date(ms).toUTCString();
  }
  return lastHttpDate.text;
}

/** httpDate's last answer: a cache of a pure function, the same text for the same second. */
const lastHttpDate = { second: NaN, text: '' };

/** Headers of a stored message as the drafts answer or push it. */
export function messageHeaders(message: StoredMessage): Record<string, string> {
  return {
    'cache-control': 'private',
    'last-modified': httpDate(message.acceptedAtMs),
    ...message.contentHeaders,
    'content-length': String(message.body.length),
  };
}

/**
 * A handler for a route whose first parameter is a subscription's push token (the drafts'
 * `/p/<s>`): an unknown one is a 404, and when the request is a send (`isSend`), a rejected
 * send too, so the lab sees it as an event.
 */
export function onSubscription(
  then: (ctx: RequestContext, sub: Subscription, params: readonly string[]) => void | Promise<void>,
  isSend = false,
): RouteHandler {
  return (ctx, params) => {
    const sub = ctx.core.byPushToken(params[0]!);
    if (!sub) {
      if (isSend) ctx.core.reject(null, 404, `subscription ${ctx.path} unknown`);
      return notFound(ctx, 'subscription');
    }
    return then(ctx, sub, params);
  };
}

/**
 * Answers once what the request changed is durable (RFC 8030 §5: a 201 is a promise to
 * keep the message). Without a store the answer goes at once, synchronously: the
 * in-memory path makes no promise per request. If the store cannot write, 503.
 */
export function answerWhenDurable(ctx: RequestContext, answer: () => void): void {
  const durable = ctx.core.durable();
  if (durable === null) return answer();
  durable.then(answer, (error: Error) =>
    sendProblem(ctx.stream, {
      status: 503,
      title: 'Service Unavailable',
      detail: `${error.message}; this request was not stored`,
      extraHeaders: { 'retry-after': String(STORE_FAILED_RETRY_AFTER_SECONDS) },
    }),
  );
}

/**
 * `answerWhenDurable(ctx, () => respond(ctx.stream, status, headers))` without the function
 * when there is no store to wait for (every send of an in-memory service).
 */
export function respondWhenDurable(
  ctx: RequestContext,
  status: number,
  headers?: Record<string, string>,
): void {
  if (!ctx.core.journals) return respond(ctx.stream, status, headers);
  answerWhenDurable(ctx, () => respond(ctx.stream, status, headers));
}

/** Retry-After of a 503 from a store that failed (a restart with a working store is needed). */
export const STORE_FAILED_RETRY_AFTER_SECONDS = 60;
