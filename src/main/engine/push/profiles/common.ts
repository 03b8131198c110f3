/**
 * Small answers the 2015 draft profiles share (draft-thomson, draft-damaggio): problem
 * documents for dead resources, wrong methods, full services and oversized bodies.
 */
import type { Subscription } from '../core';
import { readBody, sendProblem, type Problem } from '../http';
import type { RequestContext } from '../service';
import { FULL_RETRY_AFTER_SECONDS } from '../types';

/**
 * Lifetimes the drafts' examples advertise (`Cache-Control: max-age=…, private`). They say
 * how long a client may cache the answer; a subscription left idle (no monitor, nothing
 * delivered or acknowledged) for `subscriptionIdleSecondsMax` still expires, as RFC 8030
 * §7.3 allows, and a monitor or acknowledgement in time keeps it.
 */
export const REGISTRATION_MAX_AGE_SECONDS = 8_640_000;
export const SUBSCRIPTION_MAX_AGE_SECONDS = 864_000;

export function notFound(ctx: RequestContext, what: string): void {
  ctx.stream.resume();
  sendProblem(ctx.stream, {
    status: 404,
    title: 'Not Found',
    detail: `${what}: no such resource at ${ctx.path} (deleted, or never issued)`,
  });
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
  return (problem) => {
    ctx.stream.resume();
    ctx.core.reject(sub.id, problem.status, problem.detail);
    sendProblem(ctx.stream, problem);
  };
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
    refuse({
      status: 413,
      title: 'Content Too Large',
      detail: `body: more than ${limit} bytes; allowed at most ${limit}`,
    });
    return null;
  }
  return body;
}

export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
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

/** Retry-After of a 503 from a store that failed (a restart with a working store is needed). */
export const STORE_FAILED_RETRY_AFTER_SECONDS = 60;
