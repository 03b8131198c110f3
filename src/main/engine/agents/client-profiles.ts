/**
 * The client side of the three protocol profiles (docs/profiles.md): what a user agent and an
 * application server send, and how they read what comes back, for RFC 8030, draft-thomson
 * (early 2015) and draft-damaggio-00. One object per profile; `UserAgent` and `AppServer`
 * keep their structure (connections, retries, timers, events) and ask the strategy only for
 * the parts where the profiles differ. Pure functions over headers: no I/O, no clock.
 *
 * Choices the drafts leave to the client (docs/profiles.md, "Client side"):
 * - draft-thomson has no TTL, urgency, topic, receipt or VAPID: a send carries only the body
 *   (encrypted as in RFC 8291, `Content-Encoding: aes128gcm`, as the Push API later did);
 *   the directives are dropped without error, because the profile cannot express them.
 * - draft-damaggio carries the payload in the JSON envelope's `message` object. Encrypted:
 *   `{"encoding": "aes128gcm", "data": "<base64url of the aes128gcm body>"}`; plain text:
 *   `{"data": "<the text>"}` (the draft's own example, `{"data": "Hello World"}`). TTL goes
 *   to `time_to_live`, a receipt to `request_receipt`; urgency, topic and VAPID are dropped.
 */
import type { IncomingHttpHeaders } from 'node:http2';
import type { Profile, Urgency } from '../../../shared/events';
import { b64uDecode, b64uEncode } from '../crypto';
import { parseLinks, REL_PUSH, REL_RECEIPT, REL_SET } from '../push/http';
import { REL_REG, REL_SUB } from '../push/profiles/draft-thomson';
import { LabError } from '../errors';

/** A request an agent makes, without the lab's `user-agent` (the agent adds it). */
export interface ClientRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path on the push service's origin. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** What came back (the agents' `H2Response`). */
export interface ClientAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A request and how to read its answer; `read` throws `ClientProfileError` on a bad answer. */
export interface Step<T> {
  request: ClientRequest;
  read(answer: ClientAnswer): T;
}

/** draft-thomson's registration: the URL to monitor and the one to subscribe at. */
export interface Registration {
  url: string;
  subscribeUrl: string;
}

export interface SubscribeContext {
  /** Origin of the push service, e.g. `http://127.0.0.1:8080`. */
  serviceUrl: string;
  /** Where the user agent was told to subscribe (draft-thomson: where it registers). */
  subscribePath: string;
  /** RFC 8030: the subscription set to join (that of the agent's first subscription). */
  setUrl: string | null;
  /** draft-thomson: the agent's registration, once made. */
  registration: Registration | null;
}

export interface SubscribeAnswer {
  /** What the user agent monitors and unsubscribes. */
  url: string;
  /** What an application server sends to. */
  pushUrl: string;
  setUrl: string | null;
  /** draft-thomson: the registration the subscription belongs to (what is monitored). */
  registrationUrl: string | null;
}

/** What a user agent holds of one subscription, as far as the strategy needs it. */
export interface SubscriptionRef {
  url: string;
  pushUrl: string;
  setUrl: string | null;
  registrationUrl: string | null;
}

export interface UaState<S extends SubscriptionRef> {
  subscriptions: readonly S[];
  /** RFC 8030: monitor the subscription set with one GET (UaBehaviour.monitorSet). */
  monitorSet: boolean;
}

export interface PushIdentity<S> {
  /** The promised `:path`: what an acknowledgement DELETEs, where there is one. */
  promisedPath: string;
  /** Path of the message URI, or null when the promise names no message (draft-thomson). */
  messagePath: string | null;
  /** The agent's subscription it belongs to; null if it is none of the agent's. */
  subscription: S | null;
}

/** The application payload of a pushed body, before RFC 8291 decryption. */
export interface Decoded {
  payload: Buffer;
  /** 'aes128gcm' when `payload` is an RFC 8291 body to decrypt; null when it is the data. */
  encoding: 'aes128gcm' | null;
}

/** One send, as the application server means it, whatever the profile can express. */
export interface ClientSend {
  /** The push resource (draft-thomson, draft-damaggio: the subscription URI). */
  url: URL;
  ttlSeconds: number;
  urgency?: Urgency;
  topic?: string;
  receipt?: boolean;
  body: Buffer;
  /** `content-encoding: aes128gcm` for an RFC 8291 body, else e.g. a content type. */
  contentHeaders: Record<string, string>;
  /** VAPID `authorization` (empty unless the profile has VAPID and the server signs). */
  authorization: Record<string, string>;
  /** Headers the caller insists on (the UI's Send). */
  extraHeaders: Record<string, string>;
  /** RFC 8030: the receipt subscription learnt from an earlier 202, echoed in a Link. */
  receiptUrl: string | null;
}

export interface SendAnswer {
  accepted: boolean;
  /** Path of the message URI (Location), when the profile names one. */
  messagePath: string | null;
  /** Where receipts for this message will be pushed (to hold a GET on), if anywhere. */
  receiptUrl: string | null;
}

export interface ClientProfile {
  readonly name: Profile;
  /** Once per user agent, before its first subscription (draft-thomson); null = none. */
  register(ctx: SubscribeContext): Step<Registration> | null;
  subscribe(ctx: SubscribeContext): Step<SubscribeAnswer>;
  /** URLs to hold monitoring GETs on, each once. */
  monitorTargets<S extends SubscriptionRef>(state: UaState<S>): string[];
  /** Headers of a monitoring GET: RFC 8030's urgency filter; the drafts have none. */
  monitorHeaders(urgencyMin: Urgency): Record<string, string>;
  /** Does the profile filter by urgency (a power change then re-issues the GETs)? */
  readonly urgencyFilter: boolean;
  /** Which message a server push is, and for which of the agent's subscriptions. */
  identifyPush<S extends SubscriptionRef>(
    requestHeaders: IncomingHttpHeaders,
    responseHeaders: IncomingHttpHeaders,
    ua: { serviceUrl: string; subscriptions: readonly S[] },
  ): PushIdentity<S>;
  /** Does the user agent acknowledge (DELETE of the promised path)? */
  readonly acks: boolean;
  /** The payload of a pushed body; throws `ClientProfileError` on a body it cannot read. */
  decode(body: Buffer, headers: IncomingHttpHeaders): Decoded;
  /** Does a send carry VAPID (RFC 8292, later than both drafts)? */
  readonly vapid: boolean;
  /** The request for one send; throws `ClientProfileError` on a send it cannot express. */
  buildSend(message: ClientSend): ClientRequest;
  /** Reads the answer to a send (never throws). */
  readSendAnswer(status: number, headers: IncomingHttpHeaders, base: string): SendAnswer;
  /**
   * How receipts reach the application server: RFC 8030's receipt subscription (one per
   * service, echoed on later sends; pushed 204 / 410), draft-damaggio's receipt resource per
   * subscription, linked on every send that asks (pushed 204 / 504), or none (draft-thomson).
   * Either way a receipt is a server push on a held GET whose `:path` is the message URI.
   */
  readonly receipts: 'receipt-subscription' | 'per-subscription' | 'none';
}

/** A request or answer the profile cannot express or read; the message says why. */
export class ClientProfileError extends LabError {
  override readonly name = 'ClientProfileError';
  declare readonly code: 'ERR_CLIENT_PROFILE';

  constructor(message: string, options?: ErrorOptions) {
    super('ERR_CLIENT_PROFILE', message, options);
  }
}

// ---- helpers ----------------------------------------------------------------------------

function linkOf(headers: IncomingHttpHeaders, rel: string, base: string): string | null {
  const found = parseLinks(headers).find((l) => l.rel === rel);
  return found ? new URL(found.uri, base).toString() : null;
}

function locationOf(headers: IncomingHttpHeaders, base: string): string | null {
  const location = headers['location'];
  if (typeof location !== 'string') return null;
  try {
    return new URL(location, base).toString();
  } catch {
    return null;
  }
}

function pathOf(url: string): string {
  return new URL(url).pathname;
}

/** `what: push service answered <status> <first 200 characters of the body>`. */
function refused(what: string, answer: ClientAnswer, expected: string): ClientProfileError {
  const body = answer.body.toString().slice(0, 200);
  return new ClientProfileError(
    `${what}: push service answered ${answer.status} ${body}` +
      (expected ? ` (expected ${expected})` : ''),
  );
}

function isContentEncoded(headers: IncomingHttpHeaders | Record<string, string>): boolean {
  const value = headers['content-encoding'];
  return String(value ?? '').toLowerCase() === 'aes128gcm';
}

/** Pushed bodies: as received, an RFC 8291 body when so encoded (RFC 8030, draft-thomson). */
function rawDecode(body: Buffer, headers: IncomingHttpHeaders): Decoded {
  return { payload: body, encoding: isContentEncoded(headers) ? 'aes128gcm' : null };
}

function pushedStatus(headers: IncomingHttpHeaders): number {
  return Number(headers[':status'] ?? 0);
}

function isWholeSeconds(ttl: number): boolean {
  return Number.isInteger(ttl) && ttl >= 0;
}

// ---- RFC 8030 ---------------------------------------------------------------------------

export const rfc8030Client: ClientProfile = {
  name: 'rfc8030',
  register: () => null,
  subscribe(ctx) {
    const headers: Record<string, string> = {};
    if (ctx.setUrl) headers['link'] = `<${pathOf(ctx.setUrl)}>; rel="${REL_SET}"`;
    return {
      request: { method: 'POST', path: ctx.subscribePath, headers },
      read(answer) {
        const location = answer.headers['location'];
        const pushUrl = linkOf(answer.headers, REL_PUSH, ctx.serviceUrl);
        if (answer.status !== 201 || typeof location !== 'string' || !pushUrl) {
          throw refused('subscribe', answer, '');
        }
        return {
          url: new URL(location, ctx.serviceUrl).toString(),
          pushUrl,
          setUrl: linkOf(answer.headers, REL_SET, ctx.serviceUrl),
          registrationUrl: null,
        };
      },
    };
  },
  monitorTargets(state) {
    const set = state.subscriptions.find((s) => s.setUrl)?.setUrl;
    if (state.monitorSet && set) return [set];
    return state.subscriptions.map((s) => s.url);
  },
  monitorHeaders: (urgency): Record<string, string> => (urgency !== 'very-low' ? { urgency } : {}),
  urgencyFilter: true,
  identifyPush(requestHeaders, responseHeaders, ua) {
    const promisedPath = String(requestHeaders[':path'] ?? '');
    const pushUrl = linkOf(responseHeaders, REL_PUSH, ua.serviceUrl);
    // Without a push Link (or for an unknown one) the agent's first subscription takes it.
    const subscription =
      ua.subscriptions.find((s) => s.pushUrl === pushUrl) ?? ua.subscriptions[0] ?? null;
    return { promisedPath, messagePath: promisedPath, subscription };
  },
  acks: true,
  decode: rawDecode,
  vapid: true,
  buildSend(m) {
    const headers: Record<string, string> = {
      ttl: String(m.ttlSeconds),
      ...m.contentHeaders,
      ...m.authorization,
      ...m.extraHeaders,
    };
    if (m.urgency) headers['urgency'] = m.urgency;
    if (m.topic) headers['topic'] = m.topic;
    if (m.receipt) {
      headers['prefer'] = 'respond-async';
      if (m.receiptUrl) headers['link'] = `<${pathOf(m.receiptUrl)}>; rel="${REL_RECEIPT}"`;
    }
    return { method: 'POST', path: m.url.pathname, headers, body: m.body };
  },
  readSendAnswer(status, headers, base) {
    const location = locationOf(headers, base);
    return {
      accepted: status === 201 || status === 202,
      messagePath: location ? pathOf(location) : null,
      // §5.1: a 202 answers `Prefer: respond-async`, with the receipt subscription's Link.
      receiptUrl: status === 202 ? linkOf(headers, REL_RECEIPT, base) : null,
    };
  },
  receipts: 'receipt-subscription',
};

// ---- draft-thomson (early 2015) ---------------------------------------------------------

export const draftThomsonClient: ClientProfile = {
  name: 'draft-thomson',
  register(ctx) {
    return {
      // §A1: POST to the push service's URL; no body is defined.
      request: { method: 'POST', path: ctx.subscribePath, headers: {} },
      read(answer) {
        const url = locationOf(answer.headers, ctx.serviceUrl);
        const subscribeUrl = linkOf(answer.headers, REL_SUB, ctx.serviceUrl);
        if (answer.status !== 201 || !url || !subscribeUrl) {
          throw refused('register', answer, `201 with a Location and Link rel="${REL_SUB}"`);
        }
        return { url: linkOf(answer.headers, REL_REG, ctx.serviceUrl) ?? url, subscribeUrl };
      },
    };
  },
  subscribe(ctx) {
    const registration = ctx.registration;
    if (!registration) {
      throw new ClientProfileError(
        'subscribe: draft-thomson subscribes through a registration; register first',
      );
    }
    return {
      // §A2: POST to the registration's subscribe resource.
      request: { method: 'POST', path: pathOf(registration.subscribeUrl), headers: {} },
      read(answer) {
        const location = locationOf(answer.headers, ctx.serviceUrl);
        if (answer.status !== 201 || !location) {
          throw refused('subscribe', answer, '201 with a Location');
        }
        // One URI for both sides: the UA monitors through its registration, the AS PUTs here.
        const pushUrl = linkOf(answer.headers, REL_PUSH, ctx.serviceUrl) ?? location;
        return { url: location, pushUrl, setUrl: null, registrationUrl: registration.url };
      },
    };
  },
  monitorTargets(state) {
    // §A4: one GET on the registration aggregates every subscription made through it.
    const targets = new Set<string>();
    for (const s of state.subscriptions) targets.add(s.registrationUrl ?? s.url);
    return [...targets];
  },
  monitorHeaders: () => ({}),
  urgencyFilter: false,
  identifyPush(requestHeaders, _responseHeaders, ua) {
    // §A4: the promised :path is the subscription URI; it names no message.
    const promisedPath = String(requestHeaders[':path'] ?? '');
    const subscription = ua.subscriptions.find((s) => pathOf(s.url) === promisedPath) ?? null;
    return { promisedPath, messagePath: null, subscription };
  },
  acks: false,
  decode: rawDecode,
  vapid: false,
  buildSend(m) {
    // §A3: PUT the body; TTL, urgency, topic and receipts are not expressible and dropped.
    return {
      method: 'PUT',
      path: m.url.pathname,
      headers: { ...m.contentHeaders, ...m.extraHeaders },
      body: m.body,
    };
  },
  readSendAnswer: (status) => ({ accepted: status === 200, messagePath: null, receiptUrl: null }),
  receipts: 'none',
};

// ---- draft-damaggio-00 ------------------------------------------------------------------

/** The `message` object as this lab's application servers write it (see the file comment). */
export interface DamaggioMessage {
  data: string;
  encoding?: 'aes128gcm';
}

/** The envelope's `message` for a payload: base64url of an RFC 8291 body, or the text. */
export function damaggioMessage(
  body: Buffer,
  contentHeaders: Record<string, string>,
): DamaggioMessage {
  return isContentEncoded(contentHeaders)
    ? { encoding: 'aes128gcm', data: b64uEncode(body) }
    : { data: body.toString('utf8') };
}

function readDamaggioMessage(body: Buffer): Decoded {
  // Sent without a `message`, the push has an empty body: nothing to decode.
  if (body.length === 0) return { payload: body, encoding: null };
  const fail = (what: string): ClientProfileError =>
    new ClientProfileError(
      `pushed message: ${what}; allowed a JSON object {"data": string, "encoding"?: "aes128gcm"}`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw fail(`got ${body.length} bytes that are not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw fail(`got ${Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`}`);
  }
  const { data, encoding } = parsed as Record<string, unknown>;
  if (typeof data !== 'string')
    throw fail(`"data" is ${data === undefined ? 'missing' : typeof data}`);
  if (encoding === undefined) return { payload: Buffer.from(data, 'utf8'), encoding: null };
  if (encoding !== 'aes128gcm') throw fail(`"encoding" is ${JSON.stringify(encoding)}`);
  try {
    return { payload: b64uDecode(data), encoding: 'aes128gcm' };
  } catch {
    throw fail('"data" is not canonical unpadded base64url');
  }
}

export const draftDamaggioClient: ClientProfile = {
  name: 'draft-damaggio',
  register: () => null,
  subscribe(ctx) {
    return {
      // §B1: POST /subscribe/ (the trailing slash is the draft's).
      request: { method: 'POST', path: ctx.subscribePath, headers: {} },
      read(answer) {
        const location = locationOf(answer.headers, ctx.serviceUrl);
        if (answer.status !== 201 || !location) {
          throw refused('subscribe', answer, '201 with a Location');
        }
        // One URI for both sides: the UA GETs it (monitor), the AS POSTs to it (send).
        const pushUrl = linkOf(answer.headers, REL_PUSH, ctx.serviceUrl) ?? location;
        return { url: location, pushUrl, setUrl: null, registrationUrl: null };
      },
    };
  },
  monitorTargets: (state) => [...new Set(state.subscriptions.map((s) => s.url))],
  monitorHeaders: () => ({}),
  urgencyFilter: false,
  identifyPush(requestHeaders, _responseHeaders, ua) {
    // §B4: the promised :path is the message URI /p/<s>/<m>, under its subscription's URI.
    const promisedPath = String(requestHeaders[':path'] ?? '');
    const slash = promisedPath.lastIndexOf('/');
    const prefix = slash > 0 ? promisedPath.slice(0, slash) : null;
    const subscription = prefix
      ? (ua.subscriptions.find((s) => pathOf(s.url) === prefix) ?? null)
      : null;
    return { promisedPath, messagePath: promisedPath, subscription };
  },
  acks: true,
  decode: (body) => readDamaggioMessage(body),
  vapid: false,
  buildSend(m) {
    if (!isWholeSeconds(m.ttlSeconds)) {
      throw new ClientProfileError(
        `time_to_live: got ${m.ttlSeconds}; allowed a whole number of seconds, 0 or more`,
      );
    }
    // §B2: urgency and topic are not expressible in this profile and are dropped.
    const envelope = {
      message: damaggioMessage(m.body, m.contentHeaders),
      time_to_live: m.ttlSeconds,
      ...(m.receipt ? { request_receipt: true } : {}),
    };
    return {
      method: 'POST',
      path: m.url.pathname,
      headers: { 'content-type': 'application/json', ...m.extraHeaders },
      body: Buffer.from(JSON.stringify(envelope), 'utf8'),
    };
  },
  readSendAnswer(status, headers, base) {
    const location = locationOf(headers, base);
    return {
      accepted: status === 201,
      messagePath: location ? pathOf(location) : null,
      // One receipt resource per subscription, linked on every send that asked for one.
      receiptUrl: status === 201 ? linkOf(headers, REL_RECEIPT, base) : null,
    };
  },
  receipts: 'per-subscription',
};

const CLIENTS: Record<Profile, ClientProfile> = {
  rfc8030: rfc8030Client,
  'draft-thomson': draftThomsonClient,
  'draft-damaggio': draftDamaggioClient,
};

/** The strategy for a profile; an unknown name is a clear error. */
export function clientProfile(name: Profile = 'rfc8030'): ClientProfile {
  const found = (CLIENTS as Partial<Record<string, ClientProfile>>)[name];
  if (!found) {
    throw new ClientProfileError(
      `profile: got ${JSON.stringify(name)}; allowed ${Object.keys(CLIENTS).join(', ')}`,
    );
  }
  return found;
}

/** Is a pushed answer a message (2xx)? draft-thomson pushes a 404 for a subscription that died. */
export function isMessagePush(responseHeaders: IncomingHttpHeaders): boolean {
  const status = pushedStatus(responseHeaders);
  return status >= 200 && status < 300;
}
