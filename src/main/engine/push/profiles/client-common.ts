/**
 * What the client side of every protocol profile shares (docs/profiles.md): the strategy's
 * interface and the header helpers. Each profile's strategy is `<name>/client.ts`, found
 * through registry.ts: what a user agent and an application server send, and how they read
 * what comes back. `UserAgent` and `AppServer` keep their structure (connections, retries,
 * timers, events) and ask the strategy only for the parts where the profiles differ. Pure
 * functions over headers: no I/O, no clock.
 * Choices the drafts leave to the client are in each `<name>/client.ts` (docs/profiles.md,
 * "Client side").
 */
import type { IncomingHttpHeaders } from 'node:http2';
import type { Profile, Urgency } from '../../../../shared/events';
import { LabError } from '../../errors';
import { aesgcmParams, type AesgcmParams } from '../../crypto/aesgcm';
import { parseLinks } from '../http';

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
  /**
   * RFC 8292 §4: the application server key (base64url) to restrict the subscription to,
   * as a page's `applicationServerKey`; null for an unrestricted one.
   */
  vapidKey?: string | null;
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
  /**
   * 'aes128gcm' when `payload` is an RFC 8291 body to decrypt; 'aesgcm' for the legacy draft
   * coding (its parameters in `aesgcm`, from the pushed headers); null when it is the data.
   */
  encoding: 'aes128gcm' | 'aesgcm' | null;
  aesgcm?: AesgcmParams;
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

export function linkOf(headers: IncomingHttpHeaders, rel: string, base: string): string | null {
  const found = parseLinks(headers).find((l) => l.rel === rel);
  return found ? new URL(found.uri, base).toString() : null;
}

export function locationOf(headers: IncomingHttpHeaders, base: string): string | null {
  const location = headers['location'];
  if (typeof location !== 'string') return null;
  try {
    return new URL(location, base).toString();
  } catch {
    return null;
  }
}

export function pathOf(url: string): string {
  return new URL(url).pathname;
}

/** `what: push service answered <status> <first 200 characters of the body>`. */
export function refused(what: string, answer: ClientAnswer, expected: string): ClientProfileError {
  const body = answer.body.toString().slice(0, 200);
  return new ClientProfileError(
    `${what}: push service answered ${answer.status} ${body}` +
      (expected ? ` (expected ${expected})` : ''),
  );
}

export function isContentEncoded(headers: IncomingHttpHeaders | Record<string, string>): boolean {
  const value = headers['content-encoding'];
  return String(value ?? '').toLowerCase() === 'aes128gcm';
}

/** Pushed bodies: as received, an RFC 8291 body when so encoded (RFC 8030, draft-thomson). */
export function rawDecode(body: Buffer, headers: IncomingHttpHeaders): Decoded {
  if (String(headers['content-encoding'] ?? '').toLowerCase() === 'aesgcm') {
    return { payload: body, encoding: 'aesgcm', aesgcm: aesgcmParams(headers) };
  }
  return { payload: body, encoding: isContentEncoded(headers) ? 'aes128gcm' : null };
}

function pushedStatus(headers: IncomingHttpHeaders): number {
  return Number(headers[':status'] ?? 0);
}

export function isWholeSeconds(ttl: number): boolean {
  return Number.isInteger(ttl) && ttl >= 0;
}

/** Is a pushed answer a message (2xx)? draft-thomson pushes a 404 for a subscription that died. */
export function isMessagePush(responseHeaders: IncomingHttpHeaders): boolean {
  const status = pushedStatus(responseHeaders);
  return status >= 200 && status < 300;
}
