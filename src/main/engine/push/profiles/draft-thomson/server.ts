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
import { createHash } from 'node:crypto';
import type { ServerHttp2Stream } from 'node:http2';
import type { PushCore, Subscription } from '../../core';
import { link, parseContentHeaders, preferences, respond, REL_PUSH, sendProblem } from '../../http';
import { MessageMonitor, type PushShape } from '../../monitor';
import type { RequestContext } from '../../service';
import type { StoredMessage } from '../../types';
import {
  messageHeaders,
  onSubscription,
  notFound,
  type ProfileServer,
  pushesAllowed,
  type PushNamed,
  queueFull,
  rateLimited,
  readSendBody,
  refuser,
  REGISTRATION_MAX_AGE_SECONDS,
  RouteTable,
  serviceFull,
  storeFull,
  subscribeAdmitted,
  SUBSCRIPTION_MAX_AGE_SECONDS,
} from '../common';

export const REL_REG = 'urn:ietf:params:push:reg';
export const REL_SUB = 'urn:ietf:params:push:sub';

/**
 * The core topic every message of a subscription is sent under, so a newer PUT replaces
 * the stored older one (the draft's implicit last-value slot). It shows in events.
 */
export const LAST_VALUE_TOPIC = 'last-value';

/** Pushes remembered per subscription for `identifyLatest`. */
export const PUSHES_REMEMBERED_MAX = 8;

const P = {
  register: '/register',
  registration: '/monitor/',
  subscribe: '/subscribe/',
  subscription: '/p/',
} as const;

/** Where user agents register first (an external service of this profile is assumed to agree). */
export const SUBSCRIBE_PATH = P.register;

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

function registrationHeaders(reg: Registration): Record<string, string | string[]> {
  return {
    link: [link(P.registration + reg.token, REL_REG), link(P.subscribe + reg.token, REL_SUB)],
    'cache-control': `max-age=${REGISTRATION_MAX_AGE_SECONDS}, private`,
  };
}

function digestOf(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('base64url');
}

/** One service's draft-thomson: its registrations and the pushes still to be settled. */
export class DraftThomsonServer implements ProfileServer {
  readonly name = 'draft-thomson';
  /** The push service URL a UA is configured with: it registers there (§A1). */
  readonly subscribePath = SUBSCRIBE_PATH;
  readonly pushPath = subscriptionPath;
  private readonly registrations = new Map<string, Registration>();
  private readonly registrationOf = new Map<string, Registration>();
  /** Tokens of messages pushed since the last settle(); see settle. */
  private readonly pushed: string[] = [];
  /** subscription id → its latest pushes (id, sha-256 of the body), oldest first; see identifyLatest. */
  private readonly latest = new Map<string, { messageId: string; digest: string }[]>();
  /**
   * subscription id → its most recent message, pushed or not: a GET on the subscription
   * returns it until a newer one replaces it or it expires (§A6). At most one message per
   * subscription, so bounded by the subscription and payload limits.
   */
  private readonly mostRecent = new Map<string, StoredMessage>();
  private readonly routes: RouteTable;

  constructor(private readonly core: PushCore) {
    // A subscription the core deletes on its own (expired) leaves its registration too.
    core.onGone({
      subscription: (sub) => {
        this.registrationOf.get(sub.id)?.subscriptions.delete(sub.id);
        this.registrationOf.delete(sub.id);
        this.latest.delete(sub.id);
        this.mostRecent.delete(sub.id);
      },
    });
    const registration =
      (then: (ctx: RequestContext, reg: Registration) => void, what: string) =>
      (ctx: RequestContext, [token]: readonly string[]): void => {
        const reg = this.registrations.get(token!);
        if (!reg) return notFound(ctx, what);
        then(ctx, reg);
      };
    this.routes = new RouteTable(
      [
        { path: P.register, methods: { POST: (ctx) => this.register(ctx) } },
        {
          path: `${P.registration}*`,
          methods: {
            GET: registration((ctx, reg) => this.monitor(ctx, reg), 'registration'),
            DELETE: registration((ctx, reg) => this.deleteRegistration(ctx, reg), 'registration'),
          },
        },
        {
          path: `${P.subscribe}*`,
          methods: {
            POST: registration((ctx, reg) => this.subscribe(ctx, reg), 'subscribe resource'),
          },
        },
        {
          path: `${P.subscription}*`,
          methods: {
            GET: onSubscription((ctx, sub) => this.lastMessage(ctx, sub)),
            PUT: onSubscription((ctx, sub) => this.send(ctx, sub), true),
            DELETE: onSubscription((ctx, sub) => this.deleteSubscription(ctx, sub)),
          },
        },
      ],
      (ctx) => notFound(ctx, 'resource'),
    );
  }

  handle(ctx: RequestContext): void | Promise<void> {
    return this.routes.dispatch(ctx);
  }

  /**
   * The promised path of a draft-thomson push is the subscription URI, and the profile
   * finishes a message as soon as it is pushed, so the message a push carried cannot be
   * looked up afterwards. The instance remembers, per subscription, the last few messages
   * it pushed (id and a digest of the body) and names the latest whose body is `body` —
   * exact even when two pushes for one subscription are in flight at once — or, without
   * `body`, the latest pushed. Null when forgotten or never pushed. Memory:
   * PUSHES_REMEMBERED_MAX per live subscription.
   */
  identifyLatest(sub: Subscription, body?: Uint8Array): PushNamed | null {
    const pushed = this.latest.get(sub.id);
    if (!pushed) return null;
    const digest = body === undefined ? null : digestOf(body);
    for (let i = pushed.length - 1; i >= 0; i--) {
      const p = pushed[i]!;
      if (digest === null || p.digest === digest)
        return { messageId: p.messageId, subscriptionId: sub.id };
    }
    return null;
  }

  close(): void {
    this.latest.clear();
    this.mostRecent.clear();
  }

  private remember(message: StoredMessage): void {
    this.pushed.push(message.token);
    let pushed = this.latest.get(message.subscriptionId);
    if (!pushed) this.latest.set(message.subscriptionId, (pushed = []));
    pushed.push({ messageId: message.id, digest: digestOf(message.body) });
    if (pushed.length > PUSHES_REMEMBERED_MAX) pushed.shift();
  }

  /**
   * The draft has no acknowledgement: a message written as a push is delivered. The core
   * marks it in flight when a monitor takes it; after every core call that can push, the
   * profile acknowledges what was pushed, so the core finishes it (event `message.acked`,
   * expiry timer cancelled) and never redelivers it.
   */
  private settle(): void {
    for (const token of this.pushed.splice(0)) this.core.ack(token);
  }

  private register(ctx: RequestContext): void {
    if (!subscribeAdmitted(ctx)) return;
    ctx.stream.resume(); // no body is defined; whatever comes is ignored
    const limit = this.core.limits.subscriptionCountMax;
    if (this.registrations.size >= limit) return serviceFull(ctx, 'registrations', limit);
    const reg: Registration = {
      token: this.core.newToken(),
      subscriptions: new Map(),
      watches: new Set(),
    };
    this.registrations.set(reg.token, reg);
    respond(ctx.stream, 201, {
      location: ctx.origin + P.registration + reg.token,
      ...registrationHeaders(reg),
    });
  }

  private subscribe(ctx: RequestContext, reg: Registration): void {
    if (!subscribeAdmitted(ctx)) return;
    ctx.stream.resume();
    const sub = this.core.subscribe(ctx.agentId);
    if (!sub) return serviceFull(ctx, 'subscriptions', this.core.limits.subscriptionCountMax);
    const path = subscriptionPath(sub.pushToken);
    reg.subscriptions.set(sub.id, sub);
    this.registrationOf.set(sub.id, reg);
    this.core.announceSubscription(sub, path);
    for (const watch of reg.watches) watch.add(sub);
    respond(ctx.stream, 201, {
      location: ctx.origin + path,
      link: link(path, REL_PUSH),
      // The draft's example writes `max-age:864000`; the header's syntax wants `=`.
      'cache-control': `max-age=${SUBSCRIPTION_MAX_AGE_SECONDS}, private`,
    });
  }

  /** GET on a subscription: its most recent message until replaced or expired, else 204 (§A6). */
  private lastMessage(ctx: RequestContext, sub: Subscription): void {
    const last = this.mostRecent.get(sub.id);
    if (!last || last.expiresAtMs <= ctx.clock.now()) {
      this.mostRecent.delete(sub.id);
      respond(ctx.stream, 204, { 'cache-control': 'private' });
      return;
    }
    respond(ctx.stream, 200, messageHeaders(last), last.body);
  }

  /** GET on a registration: aggregated monitoring of all its subscriptions (§A4, §A5). */
  private monitor(ctx: RequestContext, reg: Registration): void {
    if (!pushesAllowed(ctx, 'monitoring a registration')) return;
    const { core } = this;
    const slots: Watch['slots'] = new Map();
    const watch: Watch = {
      stream: ctx.stream,
      slots,
      add: (sub) => {
        const path = subscriptionPath(sub.pushToken);
        const slot = new SubscriptionSlot(
          ctx.stream,
          ctx.authority,
          ctx.scheme,
          { promisedPath: () => path, responseHeaders: messageHeaders },
          path,
          (message) => this.remember(message),
          () => slots.delete(sub.id),
        );
        slots.set(sub.id, { sub, slot });
        core.attachMonitor(sub, slot);
      },
      close: () => {
        reg.watches.delete(watch);
        for (const { sub, slot } of [...slots.values()]) {
          slot.retire();
          core.detachMonitor(sub, slot);
        }
        slots.clear();
      },
    };
    for (const sub of reg.subscriptions.values()) watch.add(sub);
    this.settle();
    if (preferences(ctx.headers).includes('wait=0')) {
      // §A5: every stored undelivered message is pushed (above), then the answer comes at once.
      watch.close();
      respond(ctx.stream, 200, registrationHeaders(reg));
      return;
    }
    reg.watches.add(watch);
    ctx.stream.on('close', () => {
      watch.close();
      this.settle();
    });
  }

  private deleteRegistration(ctx: RequestContext, reg: Registration): void {
    this.registrations.delete(reg.token);
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
      this.registrationOf.delete(sub.id);
      this.core.deleteSubscription(sub, 'unsubscribed');
    }
    reg.subscriptions.clear();
    respond(ctx.stream, 204);
  }

  private deleteSubscription(ctx: RequestContext, sub: Subscription): void {
    const reg = this.registrationOf.get(sub.id);
    this.registrationOf.delete(sub.id);
    reg?.subscriptions.delete(sub.id);
    this.core.deleteSubscription(sub, 'unsubscribed');
    respond(ctx.stream, 204);
  }

  /** PUT on a subscription: the application server sends (§A3). */
  private async send(ctx: RequestContext, sub: Subscription): Promise<void> {
    const { core } = this;
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
    if (outcome.kind === 'accepted') {
      // Taken before settling: a push settled now leaves the queue, not the subscription's GET.
      const sent = core.outstanding(sub).at(-1);
      if (sent?.id === outcome.messageId) this.mostRecent.set(sub.id, sent);
    }
    this.settle();
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
}
