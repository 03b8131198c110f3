/**
 * `push-lab serve`: the push service on its own, with built-in user agents holding
 * subscriptions an outside application server can send to. Each subscription is printed as
 * a PushSubscription (what `web-push` takes as is); each message that arrives is decrypted
 * and printed with its headers.
 */
import type { IncomingHttpHeaders } from 'node:http2';
import { PROFILES, type LabEvent, type Profile, type Urgency } from '../../shared/events';
import type { ReceivedMessage } from '../engine/agents/user-agent';
import { Lab } from '../engine/lab';
import { wants } from '../engine/push/core';
import { StoreError } from '../engine/push/store/store';
import { parseVapidPublicKey } from '../engine/crypto/vapid';
import { PROFILE_REGISTRY } from '../engine/push/profiles/registry';
import { loadOrCreateIdentity } from '../engine/push/tls';
import { DEFAULT_SERVICE_LIMITS, type ServiceLimits } from '../engine/push/types';
import { QUIRK_NAMES, type QuirkName, quirkOverlay, unknownQuirk } from '../engine/push/quirks';
import { InvalidArgumentError } from 'commander';
import { CliError, listenError } from './options';
import { untilSignal } from './signals';

export interface ServeOptions {
  host: string;
  port: number;
  h2c: boolean;
  profile: Profile;
  maxTtl?: number;
  subscriptions: number;
  rateSubscription?: number;
  rateSender?: number;
  json: boolean;
  data: string;
  /** Durable store directory; none keeps everything in memory (two serves never share one). */
  store?: string;
  subscribeRate?: number;
  subscriptionIdle?: number;
  maxReceiptSubscriptions?: number;
  receiptSubscriptionIdle?: number;
  maxStoredBytes?: number;
  sessionIdle?: number;
  connectionsPerAddress?: number;
  queueMax?: number;
  /** An application server key (base64url P-256): the built-in subscriptions are restricted to it. */
  vapidKey?: string;
  /** The built-in user agents' power state: by default charging on Wi-Fi, so they want every urgency. */
  battery: number;
  charging: boolean;
  wifi: boolean;
  /** A provider quirk overlay over rfc8030 (push/quirks/). */
  quirks?: QuirkName;
}

/** `--quirks <provider>`: one of the overlays in push/quirks/. */
export function parseQuirks(value: string): QuirkName {
  if (!quirkOverlay(value)) throw new InvalidArgumentError(unknownQuirk(value));
  return value as QuirkName;
}

export const QUIRKS_HELP = `answer as this provider documents it, over rfc8030: ${QUIRK_NAMES.join(', ')} (docs/profiles.md, "Provider quirks")`;

const L = DEFAULT_SERVICE_LIMITS;

/**
 * serve's flags for the push service's limits, each with the limit it sets: main.ts makes the
 * options from this table and flagLimits reads them back (docs/security.md has the defaults).
 */
export const LIMIT_FLAGS = {
  subscribeRate: {
    flag: '--subscribe-rate <n>',
    limit: 'subscribesPerSecondPerAddress',
    max: 1_000_000,
    help: `subscribes a second one client address may make after a burst of ${L.subscribesPerAddressBurstCount} (0 = no limit; default ${L.subscribesPerSecondPerAddress})`,
  },
  subscriptionIdle: {
    flag: '--subscription-idle <seconds>',
    limit: 'subscriptionIdleSecondsMax',
    max: 2 ** 31,
    help: `delete a subscription nobody monitored or acknowledged on for this long (0 = never; default ${L.subscriptionIdleSecondsMax})`,
  },
  maxReceiptSubscriptions: {
    flag: '--max-receipt-subscriptions <n>',
    limit: 'receiptSubscriptionCountMax',
    max: 10_000_000,
    help: `receipt subscriptions held at once (429 beyond; default ${L.receiptSubscriptionCountMax})`,
  },
  receiptSubscriptionIdle: {
    flag: '--receipt-subscription-idle <seconds>',
    limit: 'receiptSubscriptionIdleSecondsMax',
    max: 2 ** 31,
    help: `delete a receipt subscription unmonitored and unused for this long (0 = never; default ${L.receiptSubscriptionIdleSecondsMax})`,
  },
  maxStoredBytes: {
    flag: '--max-stored-bytes <bytes>',
    limit: 'storedBytesMax',
    max: 2 ** 40,
    help: `bytes of stored messages held at once (429 beyond; default ${L.storedBytesMax})`,
  },
  sessionIdle: {
    flag: '--session-idle <seconds>',
    limit: 'sessionIdleSecondsMax',
    max: 2 ** 31,
    help: `close a connection with no open request after this long (0 = never; default ${L.sessionIdleSecondsMax})`,
  },
  queueMax: {
    flag: '--queue-max <n>',
    limit: 'queueCountMax',
    max: 1_000_000,
    help: `messages one subscription holds undelivered (429 with Retry-After beyond; default ${L.queueCountMax})`,
  },
  connectionsPerAddress: {
    flag: '--connections-per-address <n>',
    limit: 'connectionsPerAddressMax',
    max: 20_000,
    help: `connections one client address may hold open (0 = no limit; default ${L.connectionsPerAddressMax})`,
  },
} as const satisfies Partial<
  Record<
    keyof ServeOptions,
    { flag: string; limit: keyof ServiceLimits; max: number; help: string }
  >
>;

function flagLimits(options: ServeOptions): Partial<ServiceLimits> {
  const limits: Partial<ServiceLimits> = {};
  for (const [option, { limit }] of Object.entries(LIMIT_FLAGS)) {
    const value = options[option as keyof typeof LIMIT_FLAGS];
    if (value !== undefined) limits[limit] = value;
  }
  return limits;
}

export async function runServe(options: ServeOptions): Promise<void> {
  if (options.profile !== 'rfc8030' && options.subscriptions > 0) {
    throw new CliError(
      `--subscriptions ${options.subscriptions}: built-in user agents speak rfc8030 only; use --subscriptions 0 with --profile ${options.profile}`,
      2,
    );
  }
  if (options.store !== undefined && !PROFILE_REGISTRY[options.profile].durable) {
    const durable = PROFILES.filter((name) => PROFILE_REGISTRY[name].durable);
    throw new CliError(
      `--store ${options.store}: a durable store works with --profile ${durable.join(', ')} only (got ${options.profile})`,
      2,
    );
  }
  if (options.quirks !== undefined && !PROFILE_REGISTRY[options.profile].quirks) {
    const takers = PROFILES.filter((name) => PROFILE_REGISTRY[name].quirks);
    throw new CliError(
      `--quirks ${options.quirks}: provider quirks apply over --profile ${takers.join(', ')} only (got ${options.profile})`,
      2,
    );
  }
  if (options.vapidKey !== undefined) {
    const key = parseVapidPublicKey(options.vapidKey);
    if (!key.ok) {
      throw new CliError(
        `--vapid-key: ${key.reason}; allowed the application server's public key, a base64url 65-octet uncompressed P-256 point`,
        2,
      );
    }
  }
  const identity = options.h2c ? null : await loadOrCreateIdentity(options.data);
  const lab = new Lab({
    host: options.host,
    port: options.port,
    profile: options.profile,
    tls: identity ? { key: identity.key, cert: identity.cert } : null,
    caCert: identity?.cert,
    limits: {
      ...(options.maxTtl ? { ttlSecondsMax: options.maxTtl } : {}),
      ...(options.rateSubscription
        ? { sendsPerSecondPerSubscription: options.rateSubscription }
        : {}),
      ...(options.rateSender ? { sendsPerSecondPerSender: options.rateSender } : {}),
      ...flagLimits(options),
    },
    userAgentCount: options.subscriptions > 0 ? 1 : 0,
    subscriptionsPerAgent: options.subscriptions,
    power: { battery: options.battery, charging: options.charging, wifi: options.wifi },
    ...(options.vapidKey !== undefined ? { vapidKey: options.vapidKey } : {}),
    ...(options.store !== undefined ? { storeDir: options.store } : {}),
    ...(options.quirks !== undefined ? { quirks: options.quirks } : {}),
  });
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  const print = options.json ? (o: object) => out(JSON.stringify(o)) : null;
  // Listen before starting so nothing that happens at start is missed; events from the
  // start are held until the listening line and the subscriptions are out.
  const early: LabEvent[] = [];
  let held: LabEvent[] | null = early;
  const emit = (event: LabEvent): void => {
    if (print) print({ type: 'event', ...event });
    else out(describeEvent(event));
    const queued = heldBack(lab, event);
    if (queued && print) print({ type: 'held', ...queued });
    else if (queued) out(describeHeld(queued, options));
  };
  const unsubscribe = lab.onEvent((event) => (held ? held.push(event) : emit(event)));
  const unlisten = lab.onMessage((_agent, message) =>
    print ? print(messageRecord(message)) : out(describeMessage(message)),
  );
  try {
    await lab.start();
  } catch (error) {
    await lab.stop().catch(() => {});
    if (error instanceof StoreError) throw new CliError(error.message, 1);
    throw listenError(error, options.host, options.port);
  }
  // Handlers first: a SIGTERM right after the listening line must stop the service cleanly
  // (closing its store), not end the process with the default action.
  const signalled = untilSignal();
  const listening = {
    type: 'listening',
    url: lab.service.url,
    subscribe: lab.service.subscribeUrl,
    profile: lab.service.profileName,
    tls: identity !== null,
    ...(identity ? { ca: identity.certPath } : {}),
    ...(options.store !== undefined ? { store: options.store } : {}),
    ...(lab.service.quirks.name ? { quirks: lab.service.quirks.name } : {}),
  };
  const subscriptions = lab.userAgents.flatMap((ua) => ua.subscriptions);
  if (print) {
    print(listening);
    for (const sub of subscriptions)
      print({
        type: 'subscription',
        id: sub.id,
        ...pushSubscription(sub),
        applicationServerKey: options.vapidKey ?? null,
      });
  } else {
    out(lab.service.url);
    process.stderr.write(
      `push-lab: ${lab.service.profileName} push service at ${lab.service.url}, subscribe at ${lab.service.subscribeUrl}` +
        (identity ? ` (TLS; CA certificate ${identity.certPath})` : ' (h2c)') +
        '\n',
    );
    const overlay = lab.service.quirks.overlay;
    if (overlay) process.stderr.write(`push-lab: provider quirks ${overlay.summary}\n`);
    if (options.vapidKey !== undefined)
      process.stderr.write(
        `push-lab: subscriptions restricted to application server key ${options.vapidKey} (RFC 8292)\n`,
      );
    for (const sub of subscriptions) out(JSON.stringify(pushSubscription(sub)));
  }
  held = null;
  for (const event of early) emit(event);
  await signalled;
  unsubscribe();
  unlisten();
  await lab.stop();
}

interface Held {
  message: string;
  subscription: string;
  agent: string;
  urgency: Urgency;
  /** The lowest urgency the user agent wants now. */
  wants: Urgency;
}

/**
 * A message a built-in user agent's urgency filter keeps in the queue (it is accepted, and
 * pushed only if the filter changes before its TTL runs out). The decision is the core's
 * (`wants`); this only names it, so a sender does not see a 201 and then nothing.
 */
function heldBack(lab: Lab, event: LabEvent): Held | null {
  if (event.kind !== 'message.accepted') return null;
  for (const ua of lab.userAgents) {
    if (!ua.subscriptions.some((sub) => sub.id === event.subscriptionId)) continue;
    if (wants(ua.urgencyMin, event.urgency)) return null;
    return {
      message: event.messageId,
      subscription: event.subscriptionId,
      agent: ua.id,
      urgency: event.urgency,
      wants: ua.urgencyMin,
    };
  }
  return null;
}

function describeHeld(held: Held, options: ServeOptions): string {
  const power = `battery ${Math.round(options.battery * 100)} %, ${options.charging ? 'charging' : 'not charging'}, ${options.wifi ? 'on Wi-Fi' : 'no Wi-Fi'}`;
  return `held back: message ${held.message} (urgency ${held.urgency}) stays queued on ${held.subscription}: user agent ${held.agent} wants ${held.wants} and above (${power}; RFC 8030 §5.3); --battery, --charging and --wifi set its power state`;
}

function pushSubscription(sub: ReceivedMessage['subscription']) {
  return {
    endpoint: sub.pushUrl,
    expirationTime: null,
    keys: { p256dh: sub.keys.p256dh, auth: sub.keys.auth },
  };
}

function plainHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') && name !== ':status') continue;
    if (value !== undefined) result[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return result;
}

/** Text when the payload is valid UTF-8, else base64. */
function payload(message: ReceivedMessage): {
  plaintext: string | null;
  encoding: 'utf8' | 'base64';
} {
  if (!message.plaintext) return { plaintext: null, encoding: 'utf8' };
  const text = message.plaintext.toString('utf8');
  return Buffer.from(text, 'utf8').equals(message.plaintext)
    ? { plaintext: text, encoding: 'utf8' }
    : { plaintext: message.plaintext.toString('base64'), encoding: 'base64' };
}

function messageRecord(message: ReceivedMessage) {
  return {
    type: 'message',
    subscription: message.subscription.id,
    endpoint: message.subscription.pushUrl,
    message: message.messagePath,
    duplicate: message.duplicate,
    headers: plainHeaders(message.headers),
    bytes: message.body.length,
    decrypted: message.plaintext !== null && message.plaintext !== message.body,
    contentEncoding: contentEncoding(message),
    /** The draft's aesgcm: still sent by many libraries, replaced by RFC 8291's aes128gcm. */
    legacy: contentEncoding(message) === 'aesgcm',
    ...payload(message),
  };
}

function contentEncoding(message: ReceivedMessage): string | null {
  const value = message.headers['content-encoding'];
  return value === undefined ? null : String(value).toLowerCase();
}

function describeMessage(message: ReceivedMessage): string {
  const { plaintext, encoding } = payload(message);
  const headers = Object.entries(plainHeaders(message.headers))
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ');
  const body =
    plaintext === null
      ? '(could not decrypt)'
      : encoding === 'utf8'
        ? JSON.stringify(plaintext)
        : `base64 ${plaintext}`;
  const legacy = contentEncoding(message) === 'aesgcm' ? ' (legacy aesgcm encoding)' : '';
  return `message ${message.messagePath} on ${message.subscription.id ?? '?'}${message.duplicate ? ' (again)' : ''}${legacy}: ${body}\n  ${headers}`;
}

function describeEvent(event: LabEvent): string {
  const { seq, t, kind, ...rest } = event;
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `#${seq} ${new Date(t).toISOString().slice(11, 23)} ${kind} ${fields}`;
}
