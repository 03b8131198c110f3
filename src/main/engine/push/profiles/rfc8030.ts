/**
 * RFC 8030 as the push service speaks it: the paths, headers and status codes of §4–§7.
 * The rules themselves (TTL, topics, acks, receipts) live in the core.
 */
import {
  link,
  parseLinks,
  type Problem,
  parseTopic,
  parseTtl,
  parseUrgency,
  preferences,
  readBody,
  REL_PUSH,
  REL_RECEIPT,
  respond,
  sendProblem,
} from '../http';
import { MessageMonitor, StreamReceiptMonitor, type PushShape } from '../monitor';
import type { ProfileHandler, RequestContext } from '../service';
import type { StoredMessage } from '../types';

const P = {
  subscribe: '/subscribe',
  subscription: '/subscription/',
  push: '/push/',
  message: '/message/',
  receipts: '/receipt-subscription/',
} as const;

const pushPath = (token: string): string => P.push + token;
const messagePath = (token: string): string => P.message + token;

function shape(ctx: RequestContext): PushShape {
  return {
    promisedPath: (m) => messagePath(m.token),
    responseHeaders: (m: StoredMessage) => {
      const sub = ctx.core.byId(m.subscriptionId);
      return {
        'cache-control': 'private',
        'last-modified': new Date(m.acceptedAtMs).toUTCString(),
        ...(sub ? { link: link(pushPath(sub.pushToken), REL_PUSH) } : {}),
        ...m.contentHeaders,
        'content-length': String(m.body.length),
      };
    },
  };
}

function notFound(ctx: RequestContext, what: string): void {
  sendProblem(ctx.stream, {
    status: 404,
    title: 'Not Found',
    detail: `${what}: no such resource at ${ctx.path} (expired, deleted, or never issued)`,
  });
}

function methodNotAllowed(ctx: RequestContext, allowed: string[]): void {
  sendProblem(ctx.stream, {
    status: 405,
    title: 'Method Not Allowed',
    detail: `method ${ctx.method} on ${ctx.path}; allowed ${allowed.join(', ')}`,
    extraHeaders: { allow: allowed.join(', ') },
  });
}

function subscribe(ctx: RequestContext): void {
  const sub = ctx.core.subscribe(ctx.agentId);
  if (!sub) {
    sendProblem(ctx.stream, {
      status: 429,
      title: 'Too Many Requests',
      detail: `subscriptions: this service holds its maximum of ${ctx.core.limits.subscriptionCountMax}`,
      extraHeaders: { 'retry-after': '60' },
    });
    return;
  }
  ctx.core.announceSubscription(sub, pushPath(sub.pushToken));
  respond(ctx.stream, 201, {
    location: ctx.origin + P.subscription + sub.token,
    link: link(pushPath(sub.pushToken), REL_PUSH),
    'cache-control': 'private',
  });
  ctx.stream.resume();
}

function monitor(ctx: RequestContext, token: string): void {
  const sub = ctx.core.bySubscriptionToken(token);
  if (!sub) return notFound(ctx, 'subscription');
  const urgency = parseUrgency(ctx.headers, 'very-low');
  if (!urgency.ok) return sendProblem(ctx.stream, urgency.problem);
  const held = new MessageMonitor(ctx.stream, ctx.authority, ctx.scheme, urgency.value, shape(ctx));
  const pushed = ctx.core.attachMonitor(sub, held);
  if (preferences(ctx.headers).includes('wait=0')) {
    // §6.2: push everything pending, then answer; 204 when there was nothing. What was
    // pushed and is not acknowledged is offered again on the next request.
    ctx.core.detachMonitor(sub, held);
    respond(ctx.stream, pushed > 0 ? 200 : 204, {
      link: link(pushPath(sub.pushToken), REL_PUSH),
    });
    return;
  }
  ctx.stream.on('close', () => ctx.core.detachMonitor(sub, held));
}

async function send(ctx: RequestContext, token: string): Promise<void> {
  const sub = ctx.core.byPushToken(token);
  if (!sub) {
    ctx.stream.resume();
    ctx.core.reject(null, 404, `push resource ${ctx.path} unknown`);
    return notFound(ctx, 'push resource');
  }
  const refuse = (problem: Problem): void => {
    ctx.core.reject(sub.id, problem.status, problem.detail);
    sendProblem(ctx.stream, problem);
  };
  const ttl = parseTtl(ctx.headers);
  if (!ttl.ok) return refuse(ttl.problem);
  const urgency = parseUrgency(ctx.headers);
  if (!urgency.ok) return refuse(urgency.problem);
  const topic = parseTopic(ctx.headers);
  if (!topic.ok) return refuse(topic.problem);

  let receiptId: string | null = null;
  let receiptToken: string | null = null;
  if (preferences(ctx.headers).includes('respond-async')) {
    const echoed = parseLinks(ctx.headers).find((l) => l.rel === REL_RECEIPT);
    if (echoed) {
      const tokenAt = echoed.uri.lastIndexOf(P.receipts);
      const existing =
        tokenAt >= 0
          ? ctx.core.receiptSubscriptionByToken(echoed.uri.slice(tokenAt + P.receipts.length))
          : undefined;
      if (!existing) {
        return refuse({
          status: 400,
          title: 'Bad Request',
          detail: `Link rel="${REL_RECEIPT}": got <${echoed.uri}>; allowed a receipt subscription this service issued`,
        });
      }
      receiptId = existing.id;
      receiptToken = existing.token;
    } else {
      const created = ctx.core.createReceiptSubscription();
      receiptId = created.id;
      receiptToken = created.token;
    }
  }

  const limit = ctx.core.limits.bodyBytesMax;
  const body = await readBody(ctx.stream, limit);
  if (body === 'aborted') return;
  if (body === 'too-large') {
    return refuse({
      status: 413,
      title: 'Content Too Large',
      detail: `body: more than ${limit} bytes; allowed at most ${limit}`,
    });
  }
  const contentHeaders: Record<string, string> = {};
  for (const name of ['content-type', 'content-encoding'] as const) {
    const v = ctx.headers[name];
    if (typeof v === 'string') contentHeaders[name] = v;
  }
  const outcome = ctx.core.send(sub, {
    body,
    contentHeaders,
    ttlSeconds: ttl.value,
    urgency: urgency.value,
    topic: topic.value,
    receiptSubscriptionId: receiptId,
    senderId: ctx.agentId,
  });
  switch (outcome.kind) {
    case 'not-found':
      ctx.core.reject(sub.id, 404, 'subscription deleted while the body arrived');
      return notFound(ctx, 'push resource');
    case 'queue-full':
      return refuse({
        status: 429,
        title: 'Too Many Requests',
        detail: `subscription queue: ${outcome.limit} messages outstanding, the maximum; retry after some are delivered or expire`,
        extraHeaders: { 'retry-after': '10' },
      });
    case 'accepted': {
      const headers: Record<string, string> = {
        location: ctx.origin + messagePath(outcome.messageToken),
      };
      if (outcome.ttlSeconds !== ttl.value) headers['ttl'] = String(outcome.ttlSeconds);
      if (receiptToken) {
        headers['link'] = link(P.receipts + receiptToken, REL_RECEIPT);
        return respond(ctx.stream, 202, headers);
      }
      return respond(ctx.stream, 201, headers);
    }
  }
}

function receipts(ctx: RequestContext, token: string): void {
  const receipt = ctx.core.receiptSubscriptionByToken(token);
  if (!receipt) return notFound(ctx, 'receipt subscription');
  if (ctx.method === 'DELETE') {
    ctx.core.deleteReceiptSubscription(receipt);
    return respond(ctx.stream, 204);
  }
  const held = new StreamReceiptMonitor(ctx.stream, ctx.authority, ctx.scheme, messagePath);
  ctx.core.attachReceiptMonitor(receipt, held);
  ctx.stream.on('close', () => ctx.core.detachReceiptMonitor(receipt, held));
}

export const rfc8030Profile: ProfileHandler = {
  name: 'rfc8030',
  subscribePath: P.subscribe,
  pushPath,
  handle(ctx) {
    const { method, path } = ctx;
    if (path === P.subscribe) {
      return method === 'POST' ? subscribe(ctx) : methodNotAllowed(ctx, ['POST']);
    }
    if (path.startsWith(P.subscription)) {
      const token = path.slice(P.subscription.length);
      if (method === 'GET') return monitor(ctx, token);
      if (method === 'DELETE') {
        const sub = ctx.core.bySubscriptionToken(token);
        if (!sub) return notFound(ctx, 'subscription');
        ctx.core.deleteSubscription(sub, 'unsubscribed');
        return respond(ctx.stream, 204);
      }
      return methodNotAllowed(ctx, ['GET', 'DELETE']);
    }
    if (path.startsWith(P.push)) {
      if (method !== 'POST') return methodNotAllowed(ctx, ['POST']);
      return send(ctx, path.slice(P.push.length));
    }
    if (path.startsWith(P.message)) {
      if (method !== 'DELETE') return methodNotAllowed(ctx, ['DELETE']);
      const acked = ctx.core.ack(path.slice(P.message.length));
      return acked === 'acked' ? respond(ctx.stream, 204) : notFound(ctx, 'push message');
    }
    if (path.startsWith(P.receipts)) {
      if (method !== 'GET' && method !== 'DELETE') return methodNotAllowed(ctx, ['GET', 'DELETE']);
      return receipts(ctx, path.slice(P.receipts.length));
    }
    return notFound(ctx, 'resource');
  },
};
