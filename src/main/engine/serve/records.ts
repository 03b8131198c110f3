/**
 * What a received message looks like outside the engine: serve's printed lines, the control
 * API's JSON and `startPushService`'s messages are all this record.
 */
import type { IncomingHttpHeaders } from 'node:http2';
import type { ReceivedMessage, UaSubscription } from '../agents/user-agent';

/** A subscription as a browser's `PushSubscription.toJSON()` gives it (what `web-push` takes). */
export interface PushSubscriptionJson {
  endpoint: string;
  expirationTime: null;
  keys: { p256dh: string; auth: string };
}

export function pushSubscription(sub: UaSubscription): PushSubscriptionJson {
  return {
    endpoint: sub.pushUrl,
    expirationTime: null,
    keys: { p256dh: sub.keys.p256dh, auth: sub.keys.auth },
  };
}

export function plainHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') && name !== ':status') continue;
    if (value !== undefined) result[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return result;
}

/** Text when the payload is valid UTF-8, else base64. */
export function payload(message: ReceivedMessage): {
  plaintext: string | null;
  encoding: 'utf8' | 'base64';
} {
  if (!message.plaintext) return { plaintext: null, encoding: 'utf8' };
  const text = message.plaintext.toString('utf8');
  return Buffer.from(text, 'utf8').equals(message.plaintext)
    ? { plaintext: text, encoding: 'utf8' }
    : { plaintext: message.plaintext.toString('base64'), encoding: 'base64' };
}

export function contentEncoding(message: ReceivedMessage): string | null {
  const value = message.headers['content-encoding'];
  return value === undefined ? null : String(value).toLowerCase();
}

export type MessageRecord = ReturnType<typeof messageRecord>;

export function messageRecord(message: ReceivedMessage) {
  return {
    type: 'message' as const,
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
