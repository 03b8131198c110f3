/**
 * draft-damaggio-webpush-http2-00 (2015-03-06) as the push service speaks it (protocol.md
 * §2.B): one subscription URI shared by application server and user agent, a JSON request
 * envelope, message URIs acknowledged with DELETE, and a receipt resource the application
 * server monitors. TTL, acknowledgement, redelivery and receipts are the core's.
 *
 * Paths: POST /subscribe/ → subscription /p/<s> (POST = send, GET = monitor, DELETE);
 * message /p/<s>/<m> (DELETE = ack, GET = the stored message); receipts /r/<t> (GET).
 */
import type { ServerHttp2Stream } from 'node:http2';
import type { PushCore, ReceiptSubscription, Subscription } from '../../core';
import { link, type Parsed, preferences, REL_PUSH, REL_RECEIPT, respond } from '../../http';
import { MessageMonitor, StreamReceiptMonitor, type PushShape } from '../../monitor';
import type { RequestContext } from '../../service';
import {
  messageHeaders,
  onSubscription,
  notFound,
  type ProfileServer,
  pushesAllowed,
  queueFull,
  rateLimited,
  readSendBody,
  refuser,
  serviceFull,
  storeFull,
  RouteTable,
  subscribeAdmitted,
  SUBSCRIPTION_MAX_AGE_SECONDS,
} from '../common';

const P = {
  subscribe: '/subscribe/',
  subscription: '/p/',
  receipts: '/r/',
} as const;

/** Where user agents subscribe (an external service of this profile is assumed to agree). */
export const SUBSCRIBE_PATH = P.subscribe;

const subscriptionPath = (pushToken: string): string => P.subscription + pushToken;
const messagePath = (pushToken: string, messageToken: string): string =>
  `${P.subscription}${pushToken}/${messageToken}`;

/** Status pushed on the receipt resource when a message is given up (the draft's choice). */
export const FAILURE_RECEIPT_STATUS = 504;

/** The request envelope of §B2, validated. */
export interface Envelope {
  /** The `message` object, serialized as it will be pushed; null when absent. */
  message: string | null;
  requestReceipt: boolean;
  /** Seconds; null when absent. */
  timeToLive: number | null;
}

const ENVELOPE =
  'a JSON object with optional members "message" (object), "request_receipt" (boolean) and "time_to_live" (whole seconds, 0 or more)';

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses and checks a send's body; unknown members are ignored. */
export function parseEnvelope(body: Buffer): Parsed<Envelope> {
  const bad = (detail: string): Parsed<never> => ({
    ok: false,
    problem: { status: 400, title: 'Bad Request', detail },
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    const text = body.toString('utf8');
    const reason = error instanceof Error ? error.message : 'not JSON';
    return bad(
      `body: got ${body.length === 0 ? 'an empty body' : `"${text.length > 64 ? `${text.slice(0, 61)}...` : text}"`}, which is not JSON (${reason}); allowed ${ENVELOPE}`,
    );
  }
  if (!isObject(parsed)) {
    return bad(`body: got ${shown(parsed)} (${kindOf(parsed)}); allowed ${ENVELOPE}`);
  }
  const { message, request_receipt: receipt, time_to_live: ttl } = parsed;
  if (message !== undefined && !isObject(message)) {
    return bad(
      `message: got ${shown(message)} (${kindOf(message)}); allowed a JSON object (the payload for the user agent)`,
    );
  }
  if (receipt !== undefined && typeof receipt !== 'boolean') {
    return bad(
      `request_receipt: got ${shown(receipt)} (${kindOf(receipt)}); allowed true or false`,
    );
  }
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0)) {
    return bad(
      `time_to_live: got ${shown(ttl)} (${kindOf(ttl)}); allowed a whole number of seconds, 0 or more (values above the service's maximum are lowered to it)`,
    );
  }
  return {
    ok: true,
    value: {
      message: message === undefined ? null : JSON.stringify(message),
      requestReceipt: receipt ?? false,
      timeToLive: ttl ?? null,
    },
  };
}

function subscriptionHeaders(sub: Subscription): Record<string, string> {
  return {
    link: link(subscriptionPath(sub.pushToken), REL_PUSH),
    // The draft's example writes `max-age:864000`; the header's syntax wants `=`.
    'cache-control': `max-age=${SUBSCRIPTION_MAX_AGE_SECONDS}, private`,
  };
}

/**
 * Pushes one receipt per finished message on the application server's GET: `:path` = the
 * message URI; 204 = acknowledged by the UA, 504 = expired or dropped unacknowledged.
 */
class ReceiptPusher extends StreamReceiptMonitor {
  constructor(
    stream: ServerHttp2Stream,
    authority: string,
    scheme: string,
    private readonly pathOf: (messageToken: string) => string,
  ) {
    super(stream, authority, scheme, pathOf);
  }

  override deliverReceipt(messageToken: string, status: 204 | 410): boolean {
    if (status === 204) return this.promise(this.pathOf(messageToken), { ':status': 204 }, null);
    const body = JSON.stringify({
      type: 'about:blank',
      title: 'Gateway Timeout',
      status: FAILURE_RECEIPT_STATUS,
      detail: `message ${this.pathOf(messageToken)}: not acknowledged by the user agent before it expired or its subscription was deleted`,
    });
    return this.promise(
      this.pathOf(messageToken),
      { ':status': FAILURE_RECEIPT_STATUS, 'content-type': 'application/problem+json' },
      Buffer.from(body),
    );
  }
}

function subscribe(ctx: RequestContext): void {
  if (!subscribeAdmitted(ctx)) return;
  ctx.stream.resume();
  const sub = ctx.core.subscribe(ctx.agentId);
  if (!sub) return serviceFull(ctx, 'subscriptions', ctx.core.limits.subscriptionCountMax);
  const path = subscriptionPath(sub.pushToken);
  ctx.core.announceSubscription(sub, path);
  respond(ctx.stream, 201, { location: ctx.origin + path, ...subscriptionHeaders(sub) });
}

/** GET on a subscription by the UA: the held monitoring request of §B4. */
function monitor(ctx: RequestContext, sub: Subscription): void {
  if (!pushesAllowed(ctx, 'monitoring a subscription')) return;
  const shape: PushShape = {
    promisedPath: (m) => messagePath(sub.pushToken, m.token),
    responseHeaders: messageHeaders,
  };
  const held = new MessageMonitor(ctx.stream, ctx.authority, ctx.scheme, 'very-low', shape);
  ctx.core.attachMonitor(sub, held);
  if (preferences(ctx.headers).includes('wait=0')) {
    // §B4.4: every stored undelivered message is pushed (above), then the answer comes at
    // once with the subscription link and expiry. What is not acknowledged is offered again.
    ctx.core.detachMonitor(sub, held);
    respond(ctx.stream, 200, subscriptionHeaders(sub));
    return;
  }
  ctx.stream.on('close', () => ctx.core.detachMonitor(sub, held));
}

function deleteSubscription(ctx: RequestContext, sub: Subscription): void {
  // Outstanding messages are dropped: each receipted one gets its 504 first; then the
  // receipt resource goes too (the instance's gone hook).
  ctx.core.deleteSubscription(sub, 'unsubscribed');
  respond(ctx.stream, 204);
}

function messageRequest(ctx: RequestContext, sub: Subscription, messageToken: string): void {
  const message = ctx.core.messageByToken(messageToken);
  if (!message || message.subscriptionId !== sub.id) return notFound(ctx, 'message');
  if (ctx.method === 'GET') {
    // What the promise stood for; reading it is not an acknowledgement.
    return respond(ctx.stream, 200, messageHeaders(message), message.body);
  }
  ctx.core.ack(messageToken); // §B5; the core sends the 204 receipt if one was asked for
  respond(ctx.stream, 204);
}

/** One service's draft-damaggio: the receipt resource of each subscription. */
export class DraftDamaggioServer implements ProfileServer {
  readonly name = 'draft-damaggio';
  readonly subscribePath = SUBSCRIBE_PATH;
  readonly pushPath = subscriptionPath;
  /** subscription id → its receipt resource (made on the first send asking for a receipt). */
  private readonly receiptOf = new Map<string, ReceiptSubscription>();
  /** receipt subscription id → push token of the subscription it reports on. */
  private readonly subscriptionTokenOf = new Map<string, string>();
  private readonly routes: RouteTable;

  constructor(private readonly core: PushCore) {
    // A subscription that goes (unsubscribed or expired) takes its receipt resource with it;
    // a receipt resource that expires is made anew on the next send asking for receipts.
    core.onGone({
      subscription: (sub) => {
        const receipt = this.receiptOf.get(sub.id);
        this.receiptOf.delete(sub.id);
        if (receipt) core.deleteReceiptSubscription(receipt);
      },
      receipt: (receipt) => {
        const token = this.subscriptionTokenOf.get(receipt.id);
        this.subscriptionTokenOf.delete(receipt.id);
        const sub = token === undefined ? undefined : core.byPushToken(token);
        if (sub && this.receiptOf.get(sub.id) === receipt) this.receiptOf.delete(sub.id);
      },
    });
    const message = (ctx: RequestContext, [token, messageToken]: readonly string[]): void => {
      const sub = this.core.byPushToken(token!);
      if (!sub) return notFound(ctx, 'message');
      messageRequest(ctx, sub, messageToken!);
    };
    this.routes = new RouteTable(
      [
        { path: P.subscribe, methods: { POST: subscribe } },
        {
          path: `${P.subscription}:subscription`,
          methods: {
            GET: onSubscription(monitor),
            POST: onSubscription((ctx, sub) => this.send(ctx, sub), true),
            DELETE: onSubscription(deleteSubscription),
          },
        },
        {
          path: `${P.subscription}:subscription/:message`,
          methods: { GET: message, DELETE: message },
        },
        {
          path: `${P.receipts}*`,
          methods: { GET: (ctx, [token]) => this.receiptRequest(ctx, token!) },
        },
      ],
      (ctx) => notFound(ctx, 'resource'),
    );
  }

  handle(ctx: RequestContext): void | Promise<void> {
    return this.routes.dispatch(ctx);
  }

  /** Null when the service holds its maximum of receipt resources. */
  private receiptFor(sub: Subscription): ReceiptSubscription | null {
    const existing = this.receiptOf.get(sub.id);
    if (existing) return existing;
    const created = this.core.createReceiptSubscription();
    if (!created) return null;
    this.receiptOf.set(sub.id, created);
    this.subscriptionTokenOf.set(created.id, sub.pushToken);
    return created;
  }

  /** POST on a subscription by the application server (§B2). */
  private async send(ctx: RequestContext, sub: Subscription): Promise<void> {
    const { core } = this;
    const refuse = refuser(ctx, sub);
    const limited = rateLimited(ctx, sub);
    if (limited) return refuse(limited);
    const body = await readSendBody(ctx, refuse);
    if (body === null) return;
    const envelope = parseEnvelope(body);
    if (!envelope.ok) return refuse(envelope.problem);
    const { message, requestReceipt, timeToLive } = envelope.value;
    const receipt = requestReceipt ? this.receiptFor(sub) : null;
    if (requestReceipt && !receipt) {
      core.reject(sub.id, 429, 'receipt resources: the service holds its maximum');
      return serviceFull(ctx, 'receipt resources', core.limits.receiptSubscriptionCountMax);
    }
    const outcome = core.send(sub, {
      body: Buffer.from(message ?? '', 'utf8'),
      contentHeaders: message === null ? {} : { 'content-type': 'application/json' },
      // No time_to_live: the draft states no expiry; the service keeps it as long as any.
      ttlSeconds: timeToLive ?? core.limits.ttlSecondsMax,
      urgency: 'normal',
      topic: null,
      receiptSubscriptionId: receipt?.id ?? null,
      senderId: ctx.agentId,
    });
    switch (outcome.kind) {
      case 'not-found':
        core.reject(sub.id, 404, 'subscription deleted while the body arrived');
        return notFound(ctx, 'subscription');
      case 'queue-full':
        return refuse(queueFull(outcome.limit));
      case 'store-full':
        return refuse(storeFull(outcome.limit));
      case 'accepted': {
        const headers: Record<string, string> = {
          location: ctx.origin + messagePath(sub.pushToken, outcome.messageToken),
          // How long the service may store it: the TTL actually applied (≤ time_to_live).
          'cache-control': `max-age=${outcome.ttlSeconds}`,
        };
        if (receipt) headers['link'] = link(P.receipts + receipt.token, REL_RECEIPT);
        return respond(ctx.stream, 201, headers);
      }
    }
  }

  private receiptRequest(ctx: RequestContext, token: string): void {
    const { core } = this;
    const receipt = core.receiptSubscriptionByToken(token);
    const pushToken = receipt ? this.subscriptionTokenOf.get(receipt.id) : undefined;
    if (!receipt || pushToken === undefined) return notFound(ctx, 'receipt resource');
    if (!pushesAllowed(ctx, 'receipts are pushed: monitoring a receipt resource')) return;
    const held = new ReceiptPusher(ctx.stream, ctx.authority, ctx.scheme, (messageToken) =>
      messagePath(pushToken, messageToken),
    );
    core.attachReceiptMonitor(receipt, held);
    ctx.stream.on('close', () => core.detachReceiptMonitor(receipt, held));
  }
}
