/**
 * draft-thomson-webpush-http2 as the push service spoke it in early 2015 (protocol.md §2.A):
 * registrations that aggregate subscriptions, PUT to send, the subscription URI as the
 * promised path, and no acknowledgement. A thin layer over the core: collapsing is the core's
 * topic replacement under one fixed topic per subscription, expiry is the core's TTL, and a
 * push that was written counts as delivered (the profile acknowledges it for the UA).
 *
 * Paths: POST /register → registration /monitor/<r> (GET = monitor all, DELETE), subscribe
 * resource /subscribe/<r> (POST), subscription /p/<s> (PUT = send, GET = last message, DELETE).
 */
import type { ServerHttp2Stream } from 'node:http2';
import type { PushCore, Subscription } from '../core';
import { link, parseContentHeaders, preferences, respond, REL_PUSH, sendProblem } from '../http';
import { MessageMonitor, type PushShape } from '../monitor';
import type { ProfileHandler, RequestContext } from '../service';
import type { StoredMessage } from '../types';
import {
  httpDate,
  methodNotAllowed,
  notFound,
  pushesAllowed,
  queueFull,
  rateLimited,
  readSendBody,
  refuser,
  REGISTRATION_MAX_AGE_SECONDS,
  serviceFull,
  storeFull,
  subscribeAdmitted,
  SUBSCRIPTION_MAX_AGE_SECONDS,
} from './common';

export const REL_REG = 'urn:ietf:params:push:reg';
export const REL_SUB = 'urn:ietf:params:push:sub';

/**
 * The core topic every message of a subscription is sent under, so a newer PUT replaces
 * the stored older one (the draft's implicit last-value slot). It shows in events.
 */
export const LAST_VALUE_TOPIC = 'last-value';

const P = {
  register: '/register',
  registration: '/monitor/',
  subscribe: '/subscribe/',
  subscription: '/p/',
} as const;

const subscriptionPath = (pushToken: string): string => P.subscription + pushToken;

/** One registration: a UA's handle on all its subscriptions. */
interface Registration {
  readonly token: string;
  readonly subscriptions: Map<string, Subscription>;
  /** Monitoring GETs held on it now. */
  readonly watches: Set<Watch>;
}

/** One held GET on a registration: one core monitor per subscription, one stream. */
interface Watch {
  readonly stream: ServerHttp2Stream;
  readonly slots: Map<string, { sub: Subscription; slot: SubscriptionSlot }>;
  /** Attaches a slot for a subscription (on the GET and for subscriptions made later). */
  add(sub: Subscription): void;
  /** Detaches every slot from the core; the stream itself is left to the caller. */
  close(): void;
}

/** Per push service (per core): registrations and pushes still to be settled. */
interface ThomsonState {
  readonly registrations: Map<string, Registration>;
  readonly registrationOf: Map<string, Registration>;
  /** Tokens of messages pushed since the last settle(); see settle. */
  readonly pushed: string[];
}

const states = new WeakMap<PushCore, ThomsonState>();

function stateOf(core: PushCore): ThomsonState {
  let state = states.get(core);
  if (!state) {
    const created: ThomsonState = {
      registrations: new Map(),
      registrationOf: new Map(),
      pushed: [],
    };
    // A subscription the core deletes on its own (expired) leaves its registration too.
    core.onGone({
      subscription: (sub) => {
        created.registrationOf.get(sub.id)?.subscriptions.delete(sub.id);
        created.registrationOf.delete(sub.id);
      },
    });
    states.set(core, (state = created));
  }
  return state;
}

/**
 * The draft has no acknowledgement: a message written as a push is delivered. The core
 * marks it in flight when a monitor takes it; after every core call that can push, the
 * profile acknowledges what was pushed, so the core finishes it (event `message.acked`,
 * expiry timer cancelled) and never redelivers it.
 */
function settle(core: PushCore): void {
  const state = stateOf(core);
  for (const token of state.pushed.splice(0)) core.ack(token);
}

/**
 * The core's monitor for one subscription of a registration GET. Pushes go out on the
 * registration's stream with the subscription URI as `:path`; when the subscription dies,
 * its status is pushed for that URI and the registration GET stays open (§A7).
 */
class SubscriptionSlot extends MessageMonitor {
  constructor(
    stream: ServerHttp2Stream,
    authority: string,
    scheme: string,
    shape: PushShape,
    private readonly path: string,
    private readonly onPushed: (message: StoredMessage) => void,
    private readonly onGone: () => void,
  ) {
    super(stream, authority, scheme, 'very-low', shape);
  }

  override deliver(message: StoredMessage): boolean {
    if (!super.deliver(message)) return false;
    this.onPushed(message);
    return true;
  }

  override end(status: number): void {
    this.promise(this.path, { ':status': status, 'cache-control': 'private' }, null);
    this.dead = true;
    this.onGone();
  }

  /** The registration GET is over; nothing more goes out through this slot. */
  retire(): void {
    this.dead = true;
  }
}

function messageHeaders(message: StoredMessage): Record<string, string> {
  return {
    'cache-control': 'private',
    'last-modified': httpDate(message.acceptedAtMs),
    ...message.contentHeaders,
    'content-length': String(message.body.length),
  };
}

function registrationHeaders(reg: Registration): Record<string, string | string[]> {
  return {
    link: [link(P.registration + reg.token, REL_REG), link(P.subscribe + reg.token, REL_SUB)],
    'cache-control': `max-age=${REGISTRATION_MAX_AGE_SECONDS}, private`,
  };
}

function register(ctx: RequestContext): void {
  if (!subscribeAdmitted(ctx)) return;
  ctx.stream.resume(); // no body is defined; whatever comes is ignored
  const state = stateOf(ctx.core);
  const limit = ctx.core.limits.subscriptionCountMax;
  if (state.registrations.size >= limit) return serviceFull(ctx, 'registrations', limit);
  const reg: Registration = {
    token: ctx.core.newToken(),
    subscriptions: new Map(),
    watches: new Set(),
  };
  state.registrations.set(reg.token, reg);
  respond(ctx.stream, 201, {
    location: ctx.origin + P.registration + reg.token,
    ...registrationHeaders(reg),
  });
}

function subscribe(ctx: RequestContext, reg: Registration): void {
  if (!subscribeAdmitted(ctx)) return;
  ctx.stream.resume();
  const sub = ctx.core.subscribe(ctx.agentId);
  if (!sub) return serviceFull(ctx, 'subscriptions', ctx.core.limits.subscriptionCountMax);
  const path = subscriptionPath(sub.pushToken);
  reg.subscriptions.set(sub.id, sub);
  stateOf(ctx.core).registrationOf.set(sub.id, reg);
  ctx.core.announceSubscription(sub, path);
  for (const watch of reg.watches) watch.add(sub);
  respond(ctx.stream, 201, {
    location: ctx.origin + path,
    link: link(path, REL_PUSH),
    // The draft's example writes `max-age:864000`; the header's syntax wants `=`.
    'cache-control': `max-age=${SUBSCRIPTION_MAX_AGE_SECONDS}, private`,
  });
}

/** GET on a registration: aggregated monitoring of all its subscriptions (§A4, §A5). */
function monitor(ctx: RequestContext, reg: Registration): void {
  if (!pushesAllowed(ctx, 'monitoring a registration')) return;
  const { core } = ctx;
  const state = stateOf(core);
  const slots: Watch['slots'] = new Map();
  const watch: Watch = {
    stream: ctx.stream,
    slots,
    add(sub) {
      const path = subscriptionPath(sub.pushToken);
      const slot = new SubscriptionSlot(
        ctx.stream,
        ctx.authority,
        ctx.scheme,
        { promisedPath: () => path, responseHeaders: messageHeaders },
        path,
        (message) => state.pushed.push(message.token),
        () => slots.delete(sub.id),
      );
      slots.set(sub.id, { sub, slot });
      core.attachMonitor(sub, slot);
    },
    close() {
      reg.watches.delete(watch);
      for (const { sub, slot } of [...slots.values()]) {
        slot.retire();
        core.detachMonitor(sub, slot);
      }
      slots.clear();
    },
  };
  for (const sub of reg.subscriptions.values()) watch.add(sub);
  settle(core);
  if (preferences(ctx.headers).includes('wait=0')) {
    // §A5: every stored undelivered message is pushed (above), then the answer comes at once.
    watch.close();
    respond(ctx.stream, 200, registrationHeaders(reg));
    return;
  }
  reg.watches.add(watch);
  ctx.stream.on('close', () => {
    watch.close();
    settle(core);
  });
}

function deleteRegistration(ctx: RequestContext, reg: Registration): void {
  const state = stateOf(ctx.core);
  state.registrations.delete(reg.token);
  for (const watch of [...reg.watches]) {
    // §A7: the outstanding GET on a killed registration ends with a 4xx.
    watch.close();
    sendProblem(watch.stream, {
      status: 404,
      title: 'Not Found',
      detail: `registration: ${ctx.path} was deleted; its subscriptions with it`,
    });
  }
  for (const sub of [...reg.subscriptions.values()]) {
    state.registrationOf.delete(sub.id);
    ctx.core.deleteSubscription(sub, 'unsubscribed');
  }
  reg.subscriptions.clear();
  respond(ctx.stream, 204);
}

function deleteSubscription(ctx: RequestContext, sub: Subscription): void {
  const state = stateOf(ctx.core);
  const reg = state.registrationOf.get(sub.id);
  state.registrationOf.delete(sub.id);
  reg?.subscriptions.delete(sub.id);
  ctx.core.deleteSubscription(sub, 'unsubscribed');
  respond(ctx.stream, 204);
}

/** GET on a subscription: the last message, not yet delivered and not expired (§A6). */
function lastMessage(ctx: RequestContext, sub: Subscription): void {
  const last = ctx.core.outstanding(sub).at(-1);
  if (!last) {
    respond(ctx.stream, 204, { 'cache-control': 'private' });
    return;
  }
  respond(ctx.stream, 200, messageHeaders(last), last.body);
}

/** PUT on a subscription: the application server sends (§A3). */
async function send(ctx: RequestContext, sub: Subscription): Promise<void> {
  const { core } = ctx;
  const refuse = refuser(ctx, sub);
  const limited = rateLimited(ctx, sub);
  if (limited) return refuse(limited);
  const contentHeaders = parseContentHeaders(ctx.headers);
  if (!contentHeaders.ok) return refuse(contentHeaders.problem);
  const body = await readSendBody(ctx, refuse);
  if (body === null) return;
  const outcome = core.send(sub, {
    body,
    contentHeaders: contentHeaders.value,
    // No TTL directive exists: the service keeps a message as long as it keeps any.
    ttlSeconds: core.limits.ttlSecondsMax,
    urgency: 'normal',
    topic: LAST_VALUE_TOPIC,
    receiptSubscriptionId: null,
    senderId: ctx.agentId,
  });
  settle(core);
  switch (outcome.kind) {
    case 'not-found':
      core.reject(sub.id, 404, 'subscription deleted while the body arrived');
      return notFound(ctx, 'subscription');
    case 'queue-full':
      return refuse(queueFull(outcome.limit));
    case 'store-full':
      return refuse(storeFull(outcome.limit));
    case 'accepted':
      // 200 = accepted, says nothing about delivery; max-age = how long it may be stored.
      return respond(ctx.stream, 200, { 'cache-control': `max-age=${outcome.ttlSeconds}` });
  }
}

function subscriptionRequest(ctx: RequestContext, token: string): void | Promise<void> {
  const sub = ctx.core.byPushToken(token);
  const allowed = ['GET', 'PUT', 'DELETE'];
  if (!allowed.includes(ctx.method)) return methodNotAllowed(ctx, allowed);
  if (!sub) {
    if (ctx.method === 'PUT') ctx.core.reject(null, 404, `subscription ${ctx.path} unknown`);
    return notFound(ctx, 'subscription');
  }
  if (ctx.method === 'PUT') return send(ctx, sub);
  if (ctx.method === 'GET') return lastMessage(ctx, sub);
  return deleteSubscription(ctx, sub);
}

export const draftThomsonProfile: ProfileHandler = {
  name: 'draft-thomson',
  /** The push service URL a UA is configured with: it registers there (§A1). */
  subscribePath: P.register,
  pushPath: subscriptionPath,
  handle(ctx) {
    const { method, path } = ctx;
    const state = stateOf(ctx.core);
    if (path === P.register) {
      return method === 'POST' ? register(ctx) : methodNotAllowed(ctx, ['POST']);
    }
    if (path.startsWith(P.registration)) {
      if (method !== 'GET' && method !== 'DELETE') return methodNotAllowed(ctx, ['GET', 'DELETE']);
      const reg = state.registrations.get(path.slice(P.registration.length));
      if (!reg) return notFound(ctx, 'registration');
      return method === 'GET' ? monitor(ctx, reg) : deleteRegistration(ctx, reg);
    }
    if (path.startsWith(P.subscribe)) {
      if (method !== 'POST') return methodNotAllowed(ctx, ['POST']);
      const reg = state.registrations.get(path.slice(P.subscribe.length));
      if (!reg) return notFound(ctx, 'subscribe resource');
      return subscribe(ctx, reg);
    }
    if (path.startsWith(P.subscription)) {
      return subscriptionRequest(ctx, path.slice(P.subscription.length));
    }
    return notFound(ctx, 'resource');
  },
};
