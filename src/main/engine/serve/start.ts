/**
 * `import { startPushService } from 'push-lab'`: `push-lab serve` inside an application
 * server's own test suite — a real push service over HTTP/2 (TLS by default, its certificate
 * handed back to trust), built-in user agents holding subscriptions, and what they received,
 * decrypted. The same ServeLab as serve and its control API.
 */
import { z } from 'zod';
import { PROFILES, URGENCIES, type Profile, type Urgency } from '../../../shared/events';
import { NetError } from '../net/errors';
import { QUIRK_NAMES, type QuirkName } from '../push/quirks';
import { generateIdentity } from '../push/tls';
import { DEFAULT_SERVICE_LIMITS, type ServiceLimits } from '../push/types';
import type { PushSubscriptionJson } from './records';
import {
  checkServeOptions,
  NEXT_MESSAGE_WAIT_MAX_MS,
  SERVE_ERROR_CODES,
  ServeError,
  ServeLab,
  type ReceivedRecord,
  type SubscriptionView,
} from './serve-lab';
import { check } from '../validate';

/** How long `nextMessage()` waits when not told. */
export const NEXT_MESSAGE_DEFAULT_WAIT_MS = 5000;
/** Subscriptions the built-in user agent may make at start. */
export const START_SUBSCRIPTIONS_MAX = 1000;
/** Faults the built-in user agents' link may hold at once. */
export const USER_AGENT_FAULTS_MAX = 32;
/** The largest value any service limit may be given. */
const LIMIT_VALUE_MAX = 2 ** 40;

export interface StartPushServiceOptions {
  /** Port of the push service; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** TLS with a new self-signed certificate (default; `ca` in the result), or false for h2c. */
  tls?: boolean;
  /** Protocol profile (default rfc8030); the built-in user agents speak it too. */
  profile?: Profile;
  /** Subscriptions the built-in user agent holds from the start (default 1). */
  subscriptions?: number;
  /** Push service limits (`DEFAULT_SERVICE_LIMITS` otherwise): TTL cap, queue size, rates. */
  limits?: Partial<ServiceLimits>;
  /** Restrict the built-in subscriptions to this application server key (base64url, RFC 8292). */
  vapidKey?: string;
  /** Answer as this provider does (docs/profiles.md, "Provider quirks"); rfc8030 only. */
  quirks?: QuirkName;
  /** The built-in user agents' battery (0 to 1; default 1), charging and Wi-Fi (default true). */
  battery?: number;
  charging?: boolean;
  wifi?: boolean;
  /** The lowest urgency they want, whatever their power state (RFC 8030 §5.3). */
  urgencyMin?: Urgency;
  /**
   * Faults on the link between the built-in user agents and the service (docs/faults.md specs,
   * e.g. `{ type: 'latency', attributes: { latency: 300 } }`); change them with `setFaults`.
   */
  faults?: unknown[];
}

/** A subscription by its id, or the subscription itself (anything with its `endpoint`). */
export type SubscriptionRef = string | { endpoint: string };

export type BuiltInSubscription = PushSubscriptionJson & { id: string };

/** A message a built-in user agent received, decrypted, with the headers it came with. */
export type ReceivedPushMessage = ReceivedRecord;

export interface RunningPushService {
  /** The push service's origin, e.g. https://127.0.0.1:40123 */
  readonly url: string;
  /** Where a user agent subscribes. */
  readonly subscribeUrl: string;
  readonly profile: Profile;
  /** The service's certificate (PEM) to trust, e.g. `new https.Agent({ ca })`; null with h2c. */
  readonly ca: string | null;
  /** The built-in subscriptions still active, as `PushSubscription.toJSON()` gives them. */
  readonly subscriptions: BuiltInSubscription[];
  /**
   * The oldest received message not yet returned by nextMessage (one subscription's, if
   * given), or the next to arrive; rejects when none comes within `timeoutMs` (default 5 s).
   */
  nextMessage(options?: {
    subscription?: SubscriptionRef;
    timeoutMs?: number;
  }): Promise<ReceivedPushMessage>;
  /** Every kept message (the newest 1000), oldest first. */
  messages(options?: { subscription?: SubscriptionRef }): ReceivedPushMessage[];
  /** A new built-in subscription; `applicationServerKey` restricts it (null: unrestricted). */
  subscribe(options?: { applicationServerKey?: string | null }): Promise<BuiltInSubscription>;
  /** The service expires the subscription: its senders get the profile's answer (404). */
  expire(subscription: SubscriptionRef): void;
  /** The built-in user agent unsubscribes (DELETE): its senders get 404 from then on. */
  unsubscribe(subscription: SubscriptionRef): Promise<void>;
  /** Forgets received messages and drops what the subscriptions hold queued. */
  reset(): void;
  /** Replaces the faults on the built-in user agents' link, live (docs/faults.md). */
  setFaults(faults: unknown[]): void;
  close(): Promise<void>;
}

const limitsSchema = z.strictObject(
  Object.fromEntries(
    Object.keys(DEFAULT_SERVICE_LIMITS).map((name) => [
      name,
      z.number().int().min(0).max(LIMIT_VALUE_MAX).optional(),
    ]),
  ) as Record<keyof ServiceLimits, z.ZodOptional<z.ZodNumber>>,
);

const optionsSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).optional(),
  host: z.string().min(1).max(255).optional(),
  tls: z.boolean().optional(),
  profile: z.enum(PROFILES).optional(),
  subscriptions: z.number().int().min(0).max(START_SUBSCRIPTIONS_MAX).optional(),
  limits: limitsSchema.optional(),
  vapidKey: z.string().max(200).optional(),
  quirks: z.enum(QUIRK_NAMES).optional(),
  battery: z.number().min(0).max(1).optional(),
  charging: z.boolean().optional(),
  wifi: z.boolean().optional(),
  urgencyMin: z.enum(URGENCIES).optional(),
  // Each spec is checked by the link itself (net/link.ts), which names every problem.
  faults: z.array(z.unknown()).max(USER_AGENT_FAULTS_MAX).optional(),
});

export async function startPushService(
  options: StartPushServiceOptions = {},
): Promise<RunningPushService> {
  const checked = check(optionsSchema, options, 'options');
  if (!checked.ok) throw new ServeError(SERVE_ERROR_CODES.BAD_OPTION, null, checked.message);
  const o = checked.value;
  const engineOptions = {
    profile: o.profile ?? 'rfc8030',
    subscriptions: o.subscriptions ?? 1,
    ...(o.vapidKey !== undefined ? { vapidKey: o.vapidKey } : {}),
    ...(o.quirks !== undefined ? { quirks: o.quirks } : {}),
  };
  checkServeOptions(engineOptions, (field) => `options.${field}`);
  const identity = o.tls === false ? null : await generateIdentity();
  // The link checks the fault specs when the lab makes it.
  const serve = faultsOrThrow(
    'options.faults',
    () =>
      new ServeLab({
        ...engineOptions,
        host: o.host ?? '127.0.0.1',
        port: o.port ?? 0,
        tls: identity,
        limits: o.limits ?? {},
        power: { battery: o.battery ?? 1, charging: o.charging ?? true, wifi: o.wifi ?? true },
        ...(o.urgencyMin !== undefined ? { urgencyMin: o.urgencyMin } : {}),
        userAgentFaults: o.faults ?? [],
      }),
  );
  try {
    await serve.start();
  } catch (error) {
    await serve.stop().catch(() => {});
    throw error;
  }
  let closing: Promise<void> | null = null;
  const ref = (sub: SubscriptionRef): string => (typeof sub === 'string' ? sub : sub.endpoint);
  const toBuiltIn = (view: SubscriptionView): BuiltInSubscription => ({
    id: view.id ?? '',
    ...view.subscription,
  });
  return {
    url: serve.url,
    subscribeUrl: serve.subscribeUrl,
    profile: serve.profile,
    ca: identity?.cert ?? null,
    get subscriptions() {
      return serve
        .subscriptions()
        .filter((view) => view.state === 'active')
        .map(toBuiltIn);
    },
    async nextMessage({ subscription, timeoutMs = NEXT_MESSAGE_DEFAULT_WAIT_MS } = {}) {
      const message = await serve.nextMessage({
        ...(subscription !== undefined ? { subscription: ref(subscription) } : {}),
        timeoutMs,
      });
      if (message) return message;
      throw new ServeError(
        SERVE_ERROR_CODES.TIMEOUT,
        'timeoutMs',
        `nextMessage: no new message${subscription !== undefined ? ` on ${ref(subscription)}` : ''} within ${timeoutMs} ms (timeoutMs; at most ${NEXT_MESSAGE_WAIT_MAX_MS}); ${serve.messages().messages.length} kept, all returned already`,
      );
    },
    messages: ({ subscription } = {}) =>
      serve.messages(subscription === undefined ? undefined : ref(subscription)).messages,
    subscribe: async (subscribeOptions = {}) => toBuiltIn(await serve.subscribe(subscribeOptions)),
    expire: (subscription) => void serve.expire(ref(subscription)),
    unsubscribe: async (subscription) => void (await serve.unsubscribe(ref(subscription))),
    reset: () => void serve.reset(),
    setFaults: (faults) => {
      const specs = faultsOrThrow('setFaults', () => faults);
      if (specs.length > USER_AGENT_FAULTS_MAX)
        throw new ServeError(
          SERVE_ERROR_CODES.BAD_OPTION,
          'faults',
          `setFaults: ${specs.length} faults; allowed at most ${USER_AGENT_FAULTS_MAX} (USER_AGENT_FAULTS_MAX)`,
        );
      faultsOrThrow('setFaults', () => serve.lab.userAgentLink!.setFaults(specs));
    },
    close: () => (closing ??= serve.stop()),
  };
}

/** Runs `fn`, turning the link's verdict on fault specs into one sentence under `where`. */
function faultsOrThrow<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof NetError)
      throw new ServeError(SERVE_ERROR_CODES.BAD_OPTION, 'faults', `${where}: ${error.message}`);
    throw error;
  }
}
