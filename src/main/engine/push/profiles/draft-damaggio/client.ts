/**
 * draft-damaggio-00's client side: the payload travels in the JSON envelope's `message`
 * object. Encrypted: `{"encoding": "aes128gcm", "data": "<base64url of the aes128gcm body>"}`;
 * plain text: `{"data": "<the text>"}` (the draft's own example, `{"data": "Hello World"}`).
 * TTL goes to `time_to_live`, a receipt to `request_receipt`; urgency, topic and VAPID are
 * dropped.
 */
import { b64uDecode, b64uEncode } from '../../../crypto';
import { REL_PUSH, REL_RECEIPT } from '../../http';
import {
  type ClientProfile,
  ClientProfileError,
  type Decoded,
  isContentEncoded,
  isWholeSeconds,
  linkOf,
  locationOf,
  pathOf,
  refused,
} from '../client-common';

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
  if (isContentEncoded(contentHeaders)) return { encoding: 'aes128gcm', data: b64uEncode(body) };
  const coding = contentHeaders['content-encoding'];
  // Any other coding's body is binary with parameters elsewhere (aesgcm's Encryption and
  // Crypto-Key): read as text it would arrive corrupted, so it is refused.
  if (coding !== undefined && coding !== '') {
    throw new ClientProfileError(
      `Content-Encoding: got "${coding}"; draft-damaggio's JSON envelope carries aes128gcm or text only`,
    );
  }
  return { data: body.toString('utf8') };
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
      // The query is part of a real endpoint's capability (WNS's `?token=`); ours have none.
      path: m.url.pathname + m.url.search,
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
