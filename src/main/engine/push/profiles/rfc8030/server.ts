/**
 * RFC 8030 as the push service speaks it: the paths, headers and status codes of §4–§7,
 * with RFC 8292 VAPID on restricted subscriptions. The rules themselves (TTL, topics, acks,
 * receipts, sets, rate limits) live in the core.
 */
import {
  legacyVapidCredentials,
  parseVapidPublicKey,
  type VapidClaims,
} from '../../../crypto/vapid';
import type { PushCore, Subscription, SubscriptionSet } from '../../core';
import {
  link,
  parseContentHeaders,
  parseLinks,
  parseTopic,
  parseTtl,
  parseUrgency,
  preferences,
  type Problem,
  readBody,
  REL_PUSH,
  REL_RECEIPT,
  REL_SET,
  respond,
  sendProblem,
} from '../../http';
import { MessageMonitor, StreamReceiptMonitor, type PushShape } from '../../monitor';
import { QuirkSession } from '../../quirks';
import type { Refusal } from '../../quirks';
import type { RequestContext } from '../../service';
import type { Urgency } from '../../../../../shared/events';
import { FULL_RETRY_AFTER_SECONDS, type Monitor, type StoredMessage } from '../../types';
import {
  answerWhenDurable,
  bodyTooLarge,
  httpDate,
  notFound as notFoundAnswer,
  notFoundProblem,
  type ProfileServer,
  pushesAllowed,
  queueFull,
  rateLimited,
  refuseSend,
  respondWhenDurable,
  RouteTable,
  serviceFull,
  storeFull,
  subscribeAdmitted,
} from '../common';

const P = {
  subscribe: '/subscribe',
  subscription: '/subscription/',
  set: '/subscription-set/',
  push: '/push/',
  message: '/message/',
  receipts: '/receipt-subscription/',
} as const;

/** Where user agents subscribe (an external service of this profile is assumed to agree). */
export const SUBSCRIBE_PATH = P.subscribe;

const WEBPUSH_OPTIONS = 'application/webpush-options+json';

const pushPath = (token: string): string => P.push + token;
const messagePath = (token: string): string => P.message + token;

function shape(ctx: RequestContext): PushShape {
  return {
    promisedPath: (m) => messagePath(m.token),
    responseHeaders: (m: StoredMessage) => {
      const sub = ctx.core.byId(m.subscriptionId);
      return {
        'cache-control': 'private',
        'last-modified': httpDate(m.acceptedAtMs),
        ...(sub ? { link: link(pushPath(sub.pushToken), REL_PUSH) } : {}),
        ...m.contentHeaders,
        'content-length': String(m.body.length),
      };
    },
  };
}

const problem = (
  status: number,
  title: string,
  detail: string,
  extraHeaders?: Record<string, string>,
): Problem => ({
  status,
  title,
  detail,
  ...(extraHeaders ? { extraHeaders } : {}),
});
const badRequest = (detail: string): Problem => problem(400, 'Bad Request', detail);

/** RFC 8030 resources also expire on their own (§7.3, §7.2). */
const GONE_WORDS = 'expired, deleted, or never issued';
const notFound = (ctx: RequestContext, what: string): void => notFoundAnswer(ctx, what, GONE_WORDS);

// ---- subscribe (§4, RFC 8292 §3.2) --------------------------------------------------------

/** The echoed set (§4.1): absent → null, unknown → a 400 problem. */
function echoedSet(ctx: RequestContext): SubscriptionSet | null | Problem {
  const echoed = parseLinks(ctx.headers).find((l) => l.rel === REL_SET);
  if (!echoed) return null;
  const at = echoed.uri.lastIndexOf(P.set);
  const set = at >= 0 ? ctx.core.setByToken(echoed.uri.slice(at + P.set.length)) : undefined;
  return (
    set ??
    badRequest(
      `Link rel="${REL_SET}": got <${echoed.uri}>; allowed a subscription set this service issued`,
    )
  );
}

/** RFC 8292 §3.2: the optional `{"vapid": key}` body restricts the subscription to that key. */
function restriction(ctx: RequestContext, body: Buffer): string | null | Problem {
  const type = String(ctx.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type !== WEBPUSH_OPTIONS || body.length === 0) return null; // other bodies are ignored
  let options: unknown;
  try {
    options = JSON.parse(body.toString('utf8'));
  } catch {
    return badRequest(
      `body: not valid JSON; allowed a ${WEBPUSH_OPTIONS} object like {"vapid":"<key>"}`,
    );
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    return badRequest(`body: got ${JSON.stringify(options)}; allowed a JSON object`);
  }
  const vapid = (options as Record<string, unknown>)['vapid'];
  if (vapid === undefined) return null;
  if (typeof vapid !== 'string') {
    return badRequest(
      `body.vapid: got ${JSON.stringify(vapid)}; allowed a base64url P-256 public key`,
    );
  }
  const key = parseVapidPublicKey(vapid);
  if (!key.ok)
    return badRequest(
      `body.vapid: ${key.reason}; allowed a base64url 65-octet uncompressed P-256 key`,
    );
  return vapid;
}

async function subscribe(ctx: RequestContext): Promise<void> {
  if (!subscribeAdmitted(ctx)) return;
  const body = await readBody(ctx.stream, ctx.core.limits.bodyBytesMax);
  if (body === 'aborted') return;
  if (body === 'too-large')
    return sendProblem(ctx.stream, bodyTooLarge(ctx.core.limits.bodyBytesMax));
  const vapidKey = restriction(ctx, body);
  if (vapidKey !== null && typeof vapidKey === 'object') return sendProblem(ctx.stream, vapidKey);
  const echoed = echoedSet(ctx);
  if (echoed !== null && !('members' in echoed)) return sendProblem(ctx.stream, echoed);
  // A user agent that sends no set gets a new one it may echo later (a gateway monitoring
  // for others may simply never use it: §4.1 lets it omit sets; we never answer 429 for that).
  const sub = ctx.core.subscribe(ctx.agentId, vapidKey, echoed ?? 'new');
  if (!sub) return serviceFull(ctx, 'subscriptions', ctx.core.limits.subscriptionCountMax);
  ctx.core.announceSubscription(sub, pushPath(sub.pushToken));
  answerWhenDurable(ctx, () =>
    respond(ctx.stream, 201, {
      location: ctx.origin + P.subscription + sub.token,
      link: [link(pushPath(sub.pushToken), REL_PUSH), link(P.set + sub.set!.token, REL_SET)],
      'cache-control': 'private',
    }),
  );
}

// ---- monitoring (§6) ----------------------------------------------------------------------

interface Monitored {
  attach(monitor: Monitor): number;
  detach(monitor: Monitor): void;
}

function monitor(ctx: RequestContext, target: Monitored): void {
  if (!pushesAllowed(ctx, 'monitoring')) return;
  const urgency = parseUrgency(ctx.headers, 'very-low');
  if (!urgency.ok) return sendProblem(ctx.stream, urgency.problem);
  const held = new MessageMonitor(ctx.stream, ctx.authority, ctx.scheme, urgency.value, shape(ctx));
  const pushed = target.attach(held);
  if (preferences(ctx.headers).includes('wait=0')) {
    // §6.2: push everything pending, then answer; 204 when there was nothing. What was
    // pushed and is not acknowledged is offered again on the next request.
    target.detach(held);
    respond(ctx.stream, pushed > 0 ? 200 : 204);
    return;
  }
  ctx.stream.on('close', () => target.detach(held));
}

// ---- sending (§5) -------------------------------------------------------------------------

/** RFC 8292: 401 without a token on a restricted subscription, 403 for a bad one. */
function checkVapid(
  ctx: RequestContext,
  sub: Subscription,
): { key: Buffer | null; claims: VapidClaims | null; legacy: boolean } | Problem {
  const header = ctx.headers['authorization'];
  const cryptoKey = ctx.headers['crypto-key'];
  const given = typeof header === 'string' ? header : undefined;
  // The draft scheme (WebPush + Crypto-Key p256ecdsa) is judged as the RFC's, labelled legacy.
  const legacy = legacyVapidCredentials(
    given,
    typeof cryptoKey === 'string' ? cryptoKey : undefined,
  );
  const value = legacy ?? given;
  const isVapid = value !== undefined && /^vapid\s/i.test(value);
  if (!sub.vapidKey && !isVapid) return { key: null, claims: null, legacy: false };
  if (!isVapid) {
    return problem(
      401,
      'Unauthorized',
      'Authorization header: missing or not "vapid t=…, k=…" (or the legacy draft "WebPush <JWT>" with Crypto-Key: p256ecdsa=…); this subscription is restricted to an application server key (RFC 8292)',
      {
        'www-authenticate': 'vapid',
      },
    );
  }
  const expected = sub.vapidKey ? parseVapidPublicKey(sub.vapidKey) : null;
  const verdict = ctx.core.vapid.verify(value, {
    // The origin, as RFC 8292 defines aud: a default port in :authority is not part of it.
    audience: originOf(ctx),
    nowSeconds: Math.floor(ctx.clock.now() / 1000),
    ...(expected?.ok ? { expectedKey: expected.key } : {}),
  });
  if (!verdict.ok) {
    return problem(
      403,
      'Forbidden',
      `Authorization ${legacy ? 'WebPush, the legacy draft scheme,' : 'vapid'} (${verdict.reason}): ${verdict.error.message}`,
    );
  }
  return { key: verdict.publicKey, claims: verdict.claims, legacy: legacy !== null };
}

/** The `keyid` of an aes128gcm body header (RFC 8188 §2.1): the sender's ECDH public key. */
function bodyKeyId(contentEncoding: string | undefined, body: Buffer): Buffer | null {
  if (contentEncoding?.toLowerCase() !== 'aes128gcm' || body.length < 21) return null;
  const idlen = body[20]!;
  return body.length >= 21 + idlen ? body.subarray(21, 21 + idlen) : null;
}

function receiptFor(ctx: RequestContext): { id: string; token: string } | null | Problem {
  if (!preferences(ctx.headers).includes('respond-async')) return null;
  const echoed = parseLinks(ctx.headers).find((l) => l.rel === REL_RECEIPT);
  if (!echoed) {
    const limit = ctx.core.limits.receiptSubscriptionCountMax;
    return (
      ctx.core.createReceiptSubscription() ??
      problem(
        429,
        'Too Many Requests',
        `receipt subscriptions (receiptSubscriptionCountMax): this service holds its maximum of ${limit}; echo a receipt subscription you hold (Link rel="${REL_RECEIPT}") or retry later`,
        { 'retry-after': String(FULL_RETRY_AFTER_SECONDS) },
      )
    );
  }
  const at = echoed.uri.lastIndexOf(P.receipts);
  const existing =
    at >= 0
      ? ctx.core.receiptSubscriptionByToken(echoed.uri.slice(at + P.receipts.length))
      : undefined;
  return (
    existing ??
    badRequest(
      `Link rel="${REL_RECEIPT}": got <${echoed.uri}>; allowed a receipt subscription this service issued`,
    )
  );
}

/**
 * A push resource that is not there: RFC 8030's 404, or the provider overlay's answer (which
 * may tell a deleted resource from one never issued).
 */
function sendToNothing(
  ctx: RequestContext,
  subscriptionId: string | null,
  event: string,
  answer: (own: Problem) => Problem | null,
): void {
  ctx.stream.resume();
  const own = notFoundProblem(ctx, 'push resource', GONE_WORDS);
  const quirk = answer(own);
  ctx.core.reject(subscriptionId, quirk?.status ?? 404, quirk?.detail ?? event);
  sendProblem(ctx.stream, quirk ?? own);
}

/** Refuses a send the way the provider overlay answers this `refusal` (RFC 8030's own otherwise). */
function refuseAs(
  ctx: RequestContext,
  sub: Subscription,
  quirks: QuirkSession,
  refusal: Refusal,
  own: Problem,
): void {
  refuseSend(ctx, sub, quirks.refuse(refusal, own));
}

/** A send that passed every check made before its body, waiting for the body. */
interface AdmittedSend {
  readonly ctx: RequestContext;
  readonly sub: Subscription;
  readonly quirks: QuirkSession;
  readonly contentHeaders: Readonly<Record<string, string>>;
  readonly ttlSeconds: number;
  readonly urgency: Urgency;
  readonly topic: string | null;
  readonly vapidKey: Buffer | null;
  readonly legacyVapid: boolean;
  readonly receipt: { id: string; token: string } | null;
}

// A send is three steps: the checks (sync), the wait for the body (the one await, holding only
// the admitted send), and the acceptance (sync). As one async function every send kept all of
// the checks' locals in its suspended frame; the refusals are plain functions of (ctx, sub),
// not closures made per send (under tsx each had its own name dictionary).
function send(
  ctx: RequestContext,
  token: string,
  quirks: QuirkSession,
  caughtUp = false,
): void | Promise<void> {
  const sub = ctx.core.byPushToken(token);
  if (!sub) {
    // Several instances on one store: the subscription may be a moment old on another one.
    const later = caughtUp ? null : ctx.core.catchUp();
    if (later) return later.then(() => send(ctx, token, quirks, true));
    return sendToNothing(ctx, null, `push resource ${ctx.path} unknown`, (own) =>
      quirks.missing(token, own),
    );
  }
  const contentHeaders = parseContentHeaders(ctx.headers);
  if (!contentHeaders.ok) return refuseSend(ctx, sub, contentHeaders.problem);
  const ttl = parseTtl(ctx.headers);
  if (!ttl.ok) {
    const refusal = ctx.headers['ttl'] === undefined ? 'ttl-missing' : 'ttl-invalid';
    return refuseAs(ctx, sub, quirks, refusal, ttl.problem);
  }
  const urgency = parseUrgency(ctx.headers);
  if (!urgency.ok) return refuseSend(ctx, sub, urgency.problem);
  const topic = parseTopic(ctx.headers);
  if (!topic.ok) return refuseAs(ctx, sub, quirks, 'topic-invalid', topic.problem);
  const own = quirks.admit(ctx.headers);
  if (own) return refuseSend(ctx, sub, own);
  const vapid = checkVapid(ctx, sub);
  if ('status' in vapid) return refuseAs(ctx, sub, quirks, 'vapid', vapid);
  const insisted = quirks.vapid(vapid.claims);
  if (insisted) return refuseSend(ctx, sub, insisted);
  const receipt = quirks.receipts ? receiptFor(ctx) : null;
  if (receipt !== null && 'status' in receipt) {
    // The echoed receipt subscription may be a moment old on another instance, likewise.
    const later = caughtUp || receipt.status !== 400 ? null : ctx.core.catchUp();
    if (later) return later.then(() => send(ctx, token, quirks, true));
    return refuseSend(ctx, sub, receipt);
  }
  const senderKey = vapid.key
    ? `vapid:${vapid.key.toString('base64url')}`
    : `addr:${ctx.remoteAddress}`;
  const limited = rateLimited(ctx, sub, senderKey);
  if (limited) return refuseSend(ctx, sub, limited);
  return receive({
    ctx,
    sub,
    quirks,
    contentHeaders: contentHeaders.value,
    ttlSeconds: ttl.value,
    urgency: urgency.value,
    topic: topic.value,
    vapidKey: vapid.key,
    legacyVapid: vapid.legacy,
    receipt,
  });
}

/** readSendBody's reading, without its callback made per send. */
async function receive(admitted: AdmittedSend): Promise<void> {
  const body = await readBody(admitted.ctx.stream, admitted.ctx.core.limits.bodyBytesMax);
  if (body !== 'aborted') accept(admitted, body);
}

function accept(admitted: AdmittedSend, body: Buffer | 'too-large'): void {
  const { ctx, sub, quirks, receipt } = admitted;
  if (body === 'too-large') {
    const limit = ctx.core.limits.bodyBytesMax;
    return refuseAs(ctx, sub, quirks, 'body-too-large', bodyTooLarge(limit));
  }
  const keyId = bodyKeyId(admitted.contentHeaders['content-encoding'], body);
  if (admitted.vapidKey && keyId?.equals(admitted.vapidKey)) {
    // RFC 8292 §2: the signing key must not be the message encryption key.
    return refuseSend(
      ctx,
      sub,
      badRequest(
        'Authorization vapid k: the same key encrypts the body (aes128gcm keyid); allowed a separate signing key',
      ),
    );
  }
  const outcome = ctx.core.send(sub, {
    body,
    contentHeaders: admitted.contentHeaders,
    ttlSeconds: admitted.ttlSeconds,
    urgency: admitted.urgency,
    topic: admitted.topic,
    receiptSubscriptionId: receipt?.id ?? null,
    senderId: ctx.agentId,
    legacyVapid: admitted.legacyVapid,
  });
  switch (outcome.kind) {
    case 'not-found':
      return sendToNothing(ctx, sub.id, 'subscription deleted while the body arrived', (own) => {
        const quirk = quirks.refuse('gone-during-request', own);
        return quirk === own ? null : quirk;
      });
    case 'queue-full':
      // Not refused as an event: RFC 8030 has always answered a full queue without one.
      return sendProblem(ctx.stream, queueFull(outcome.limit));
    case 'store-full':
      return refuseSend(ctx, sub, storeFull(outcome.limit));
    case 'accepted': {
      const headers: Record<string, string> = {
        location: ctx.origin + messagePath(outcome.messageToken),
      };
      // Echo what was kept whenever it differs from what was asked (lowered, or clamped from overflow).
      if (String(outcome.ttlSeconds) !== String(ctx.headers['ttl']).trim())
        headers['ttl'] = String(outcome.ttlSeconds);
      if (receipt) headers['link'] = link(P.receipts + receipt.token, REL_RECEIPT);
      const provider = quirks.accepted(outcome, ctx.headers);
      if (provider) Object.assign(headers, provider);
      return respondWhenDurable(ctx, receipt ? 202 : 201, headers);
    }
  }
}

// ---- receipts (§5.1, §6.3) ----------------------------------------------------------------

function receipts(ctx: RequestContext, token: string): void {
  const receipt = ctx.core.receiptSubscriptionByToken(token);
  if (!receipt) return notFound(ctx, 'receipt subscription');
  if (ctx.method === 'DELETE') {
    ctx.core.deleteReceiptSubscription(receipt);
    return answerWhenDurable(ctx, () => respond(ctx.stream, 204));
  }
  if (!pushesAllowed(ctx, 'receipts are pushed: monitoring a receipt subscription')) return;
  const held = new StreamReceiptMonitor(ctx.stream, ctx.authority, ctx.scheme, messagePath);
  ctx.core.attachReceiptMonitor(receipt, held);
  ctx.stream.on('close', () => ctx.core.detachReceiptMonitor(receipt, held));
}

// ---- routes -------------------------------------------------------------------------------

/** One service's RFC 8030: all its state is the core's. */
export class Rfc8030Server implements ProfileServer {
  readonly name = 'rfc8030';
  readonly subscribePath = SUBSCRIBE_PATH;
  readonly pushPath = pushPath;
  private readonly routes: RouteTable;

  constructor(
    private readonly core: PushCore,
    private readonly quirks: QuirkSession = QuirkSession.none(core),
  ) {
    this.routes = new RouteTable(
      [
        { path: P.subscribe, methods: { POST: subscribe } },
        {
          path: `${P.subscription}*`,
          methods: {
            GET: (ctx, [token]) =>
              this.withSubscription(ctx, token!, (sub) =>
                monitor(ctx, this.subscriptionTarget(sub)),
              ),
            DELETE: (ctx, [token]) =>
              this.withSubscription(ctx, token!, (sub) => {
                this.core.deleteSubscription(sub, 'unsubscribed');
                answerWhenDurable(ctx, () => respond(ctx.stream, 204));
              }),
          },
        },
        {
          path: `${P.set}*`,
          methods: {
            GET: (ctx, [token]) =>
              this.withSet(ctx, token!, (set) => monitor(ctx, this.setTarget(set))),
            DELETE: (ctx, [token]) =>
              this.withSet(ctx, token!, (set) => {
                this.core.deleteSet(set, 'unsubscribed');
                answerWhenDurable(ctx, () => respond(ctx.stream, 204));
              }),
          },
        },
        {
          path: `${P.push}*`,
          // params[0], not [token]: destructuring walks an iterator, every send.
          methods: { POST: (ctx, params) => send(ctx, params[0]!, this.quirks) },
        },
        {
          path: `${P.message}*`,
          methods: {
            DELETE: (ctx, params) => {
              if (this.core.ack(params[0]!) !== 'acked') return notFound(ctx, 'push message');
              respondWhenDurable(ctx, 204);
            },
          },
        },
        {
          path: `${P.receipts}*`,
          methods: {
            GET: (ctx, [token]) => receipts(ctx, token!),
            DELETE: (ctx, [token]) => receipts(ctx, token!),
          },
        },
      ],
      (ctx) => notFound(ctx, 'resource'),
    );
  }

  handle(ctx: RequestContext): void | Promise<void> {
    return this.routes.dispatch(ctx);
  }

  private withSubscription(
    ctx: RequestContext,
    token: string,
    then: (sub: Subscription) => void,
  ): void {
    const sub = this.core.bySubscriptionToken(token);
    if (!sub) return notFound(ctx, 'subscription');
    then(sub);
  }

  private withSet(ctx: RequestContext, token: string, then: (set: SubscriptionSet) => void): void {
    const set = this.core.setByToken(token);
    if (!set) return notFound(ctx, 'subscription set');
    then(set);
  }

  private subscriptionTarget(sub: Subscription): Monitored {
    return new SubscriptionTarget(this.core, sub);
  }

  private setTarget(set: SubscriptionSet): Monitored {
    return new SetTarget(this.core, set);
  }
}

// What a monitoring GET holds, as objects with methods: under tsx each closure made per GET
// in an object literal also carried its own name dictionary.
class SubscriptionTarget implements Monitored {
  constructor(
    private readonly core: PushCore,
    private readonly sub: Subscription,
  ) {}

  attach(monitor: Monitor): number {
    return this.core.attachMonitor(this.sub, monitor);
  }

  detach(monitor: Monitor): void {
    this.core.detachMonitor(this.sub, monitor);
  }
}

class SetTarget implements Monitored {
  constructor(
    private readonly core: PushCore,
    private readonly set: SubscriptionSet,
  ) {}

  attach(monitor: Monitor): number {
    return this.core.attachSetMonitor(this.set, monitor);
  }

  detach(monitor: Monitor): void {
    this.core.detachSetMonitor(this.set, monitor);
  }
}

/** The request's origin (RFC 6454 serialization: scheme, host, and a port only if not default). */
function originOf(ctx: RequestContext): string {
  try {
    return new URL(`${ctx.scheme}://${ctx.authority}`).origin;
  } catch {
    return `${ctx.scheme}://${ctx.authority}`;
  }
}
