/**
 * `push-lab serve`: the push service on its own, with built-in user agents holding
 * subscriptions an outside application server can send to. Each subscription is printed as
 * a PushSubscription (what `web-push` takes as is); each message that arrives is decrypted
 * and printed with its headers.
 */
import type { LabEvent, Profile, Urgency } from '../../shared/events';
import type { ReceivedMessage } from '../engine/agents/user-agent';
import { StoreError } from '../engine/push/store/store';
import { loadOrCreateIdentity } from '../engine/push/tls';
import { DEFAULT_SERVICE_LIMITS, type ServiceLimits } from '../engine/push/types';
import { QUIRK_NAMES, type QuirkName, quirkOverlay, unknownQuirk } from '../engine/push/quirks';
import { contentEncoding, payload, plainHeaders } from '../engine/serve/records';
import {
  checkServeOptions,
  ServeError,
  ServeLab,
  type Held,
  type OptionName,
} from '../engine/serve/serve-lab';
import { startControlApi, type ControlApi } from '../hosts/control-api';
import { isLoopback } from '../hosts/web-access';
import { InvalidArgumentError } from 'commander';
import { CliError, listenError } from './options';
import { lineWriter } from './line-writer';
import { untilSignal } from './signals';
import { formatPercent } from '../../shared/format';

export interface ServeOptions {
  /** Worker threads decrypting the built-in user agents' messages (0: on the event loop). */
  decryptWorkers?: number;
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
  /**
   * Durable store: a directory or a redis://HOST:PORT[/DB] URL; none keeps everything in
   * memory (two serves never share one).
   */
  store?: string;
  /** This serve's name among several on one Redis store (its ids start with it). */
  instance?: string;
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
  /** Where serve's control API listens (hosts/control-api.ts), if it should. */
  control?: { host: string; port: number };
  /** The built-in user agents' power state: by default charging on Wi-Fi, so they want every urgency. */
  battery: number;
  charging: boolean;
  wifi: boolean;
  /** The lowest urgency they want, set by hand (`--urgency-min`); absent, it follows the power state. */
  urgencyMin?: Urgency;
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

/** serve's flag for each option the engine's checks name. */
const FLAG_NAMES: Record<Parameters<OptionName>[0], string> = {
  subscriptions: '--subscriptions',
  profile: '--profile',
  store: '--store',
  instance: '--instance',
  vapidKey: '--vapid-key',
  quirks: '--quirks',
};

export async function runServe(options: ServeOptions): Promise<void> {
  const engineOptions = {
    profile: options.profile,
    subscriptions: options.subscriptions,
    ...(options.store !== undefined ? { store: options.store } : {}),
    ...(options.instance !== undefined ? { instance: options.instance } : {}),
    ...(options.vapidKey !== undefined ? { vapidKey: options.vapidKey } : {}),
    ...(options.quirks !== undefined ? { quirks: options.quirks } : {}),
  };
  try {
    checkServeOptions(engineOptions, (field) => FLAG_NAMES[field]);
  } catch (error) {
    if (error instanceof ServeError) throw new CliError(error.message, 2);
    throw error;
  }
  const identity = options.h2c ? null : await loadOrCreateIdentity(options.data);
  const serveLab = new ServeLab({
    ...engineOptions,
    host: options.host,
    port: options.port,
    tls: identity ? { key: identity.key, cert: identity.cert } : null,
    limits: {
      ...(options.maxTtl ? { ttlSecondsMax: options.maxTtl } : {}),
      ...(options.rateSubscription
        ? { sendsPerSecondPerSubscription: options.rateSubscription }
        : {}),
      ...(options.rateSender ? { sendsPerSecondPerSender: options.rateSender } : {}),
      ...flagLimits(options),
    },
    power: { battery: options.battery, charging: options.charging, wifi: options.wifi },
    ...(options.urgencyMin !== undefined ? { urgencyMin: options.urgencyMin } : {}),
    ...(options.decryptWorkers ? { decryptWorkers: options.decryptWorkers } : {}),
  });
  const lab = serveLab.lab;
  const lines = lineWriter((chunk) => process.stdout.write(chunk));
  const out = (line: string): void => lines.line(line);
  const print = options.json ? (o: object) => out(JSON.stringify(o)) : null;
  // Listen before starting so nothing that happens at start is missed; events from the
  // start are held until the listening line and the subscriptions are out.
  const early: LabEvent[] = [];
  let held: LabEvent[] | null = early;
  function emit(event: LabEvent): void {
    if (print) print({ type: 'event', ...event });
    else out(describeEvent(event));
    const queued = serveLab.heldBack(event);
    if (queued && print) print({ type: 'held', ...queued });
    else if (queued) out(describeHeld(queued, options));
  }
  const unsubscribe = lab.onEvent((event) => (held ? held.push(event) : emit(event)));
  const unlisten = serveLab.onMessage((message, record) =>
    print ? print(serveRecord(record)) : out(describeMessage(message)),
  );
  try {
    await serveLab.start();
  } catch (error) {
    await serveLab.stop().catch(() => {});
    if (error instanceof StoreError) throw new CliError(error.message, 1);
    throw listenError(error, options.host, options.port);
  }
  let control: ControlApi | null = null;
  if (options.control) {
    try {
      control = await startControlApi(serveLab, options.control, {
        tls: identity !== null,
        ...(identity ? { ca: identity.certPath } : {}),
      });
    } catch (error) {
      await serveLab.stop().catch(() => {});
      throw listenError(error, options.control.host, options.control.port);
    }
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
    ...(options.instance !== undefined ? { instance: options.instance } : {}),
    ...(lab.service.quirks.name ? { quirks: lab.service.quirks.name } : {}),
  };
  const subscriptions = serveLab.subscriptions();
  if (print) {
    print(listening);
    if (control) print({ type: 'control', url: control.url });
    for (const sub of subscriptions)
      print({
        type: 'subscription',
        id: sub.id,
        ...sub.subscription,
        applicationServerKey: sub.applicationServerKey,
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
    if (control)
      process.stderr.write(
        `push-lab: control API at ${control.url} (docs: README "From a test suite")\n`,
      );
    if (options.vapidKey !== undefined)
      process.stderr.write(
        `push-lab: subscriptions restricted to application server key ${options.vapidKey} (RFC 8292)\n`,
      );
    for (const sub of subscriptions) out(JSON.stringify(sub.subscription));
  }
  held = null;
  for (const event of early) emit(event);
  await signalled;
  unsubscribe();
  unlisten();
  try {
    await control?.close();
    await serveLab.stop();
  } finally {
    lines.flush();
  }
}

/** `--control 127.0.0.1:PORT`: a loopback address and a port (0 = any free one). */
export function parseControlAddress(value: string): { host: string; port: number } {
  const found = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  const host = found?.[1] ?? found?.[2];
  const port = Number(found?.[3]);
  if (!found || host === undefined || !isLoopback(host) || port > 65535) {
    throw new InvalidArgumentError(
      `got "${value}"; allowed a loopback address and a port, e.g. 127.0.0.1:0 (any free port), [::1]:7300 or localhost:7300`,
    );
  }
  return { host, port };
}

/** serve's `--json` message line: the record as it always was, without the harness's fields. */
function serveRecord(record: ReturnType<ServeLab['messages']>['messages'][number]) {
  const { seq: _seq, receivedAt: _receivedAt, agent: _agent, ...line } = record;
  return line;
}

function describeHeld(held: Held, options: ServeOptions): string {
  const why =
    options.urgencyMin !== undefined
      ? `--urgency-min ${options.urgencyMin}; RFC 8030 §5.3`
      : `battery ${formatPercent(options.battery, 0)}, ${options.charging ? 'charging' : 'not charging'}, ${options.wifi ? 'on Wi-Fi' : 'no Wi-Fi'}; RFC 8030 §5.3`;
  return `held back: message ${held.message} (urgency ${held.urgency}) stays queued on ${held.subscription}: user agent ${held.agent} wants ${held.wants} and above (${why}); --urgency-min, or --battery, --no-charging and --no-wifi, set what it wants`;
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
