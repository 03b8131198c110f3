/**
 * One Web Push send to a real subscription, as `push-lab send` makes it: the browser's
 * PushSubscription JSON read and checked, then the request built — encrypted for the
 * subscription's keys (RFC 8291 `aes128gcm`, or the legacy `aesgcm` with its `Encryption` and
 * `Crypto-Key` headers), signed (RFC 8292 `vapid`, or the draft `WebPush` scheme with
 * `aesgcm`) and shaped by the profile's client side, the same `buildSend` the simulated
 * application servers use. Pure: the time for the VAPID token is given, no I/O.
 */
import { z } from 'zod';
import type { Profile, Urgency } from '../../../shared/events';
import {
  AESGCM_PLAINTEXT_MAX_OCTETS,
  AUTH_SECRET_OCTETS,
  b64uDecode,
  encryptAesgcm,
  encryptForSubscription,
  P256_PUBLIC_KEY_OCTETS,
  signVapid,
  signVapidLegacy,
  WEBPUSH_PLAINTEXT_MAX_OCTETS,
  type VapidKeys,
} from '../crypto';
import type { ClientRequest } from '../push/profiles/client-common';
import { clientProfile } from '../push/profiles/registry';
import { check, preview } from '../validate';

export const CONTENT_ENCODINGS = ['aes128gcm', 'aesgcm'] as const;
export type ContentEncoding = (typeof CONTENT_ENCODINGS)[number];

/** The most plaintext one message of each coding carries (a 4096-octet body). */
export const PLAINTEXT_MAX_OCTETS: Record<ContentEncoding, number> = {
  aes128gcm: WEBPUSH_PLAINTEXT_MAX_OCTETS,
  aesgcm: AESGCM_PLAINTEXT_MAX_OCTETS,
};

/** An endpoint longer than this is not one a browser hands out (FCM's are about 200). */
export const ENDPOINT_CHARS_MAX = 2048;
/** How long a token `send` signs is valid, as application-server libraries choose (≤ 24 h, RFC 8292 §2). */
export const VAPID_TOKEN_LIFETIME_SECONDS = 12 * 3600;

/** Base64url as browsers write it (unpadded); some tools add `=`, which is dropped. */
function b64uKey(octets: number, what: string) {
  return z.string({ error: `allowed base64url of ${what}` }).transform((text, ctx) => {
    try {
      const bytes = b64uDecode(text.replace(/=+$/, ''));
      if (bytes.length === octets && (octets !== P256_PUBLIC_KEY_OCTETS || bytes[0] === 0x04))
        return bytes;
    } catch {
      // reported below, with what is allowed
    }
    ctx.addIssue({ code: 'custom', message: `allowed base64url of ${what}` });
    return z.NEVER;
  });
}

/** The browser's `PushSubscription.toJSON()`; other members (serve's `type`, `id`) are ignored. */
export const pushSubscriptionSchema = z.object({
  endpoint: z
    .string({ error: 'allowed a URL string' })
    .max(ENDPOINT_CHARS_MAX, { error: `allowed at most ${ENDPOINT_CHARS_MAX} characters` })
    .refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), {
      error: 'allowed an https:// or http:// URL',
    }),
  expirationTime: z
    .number({ error: 'allowed null or a time in milliseconds since the epoch' })
    .nullable()
    .optional(),
  keys: z.object(
    {
      p256dh: b64uKey(P256_PUBLIC_KEY_OCTETS, 'a 65-octet uncompressed P-256 point'),
      auth: b64uKey(AUTH_SECRET_OCTETS, 'a 16-octet auth secret'),
    },
    { error: 'allowed an object {p256dh, auth}' },
  ),
});

export type PushSubscriptionJson = z.output<typeof pushSubscriptionSchema>;

/** Parses the file's text; a failure names the field, the value received and what is allowed. */
export function parsePushSubscription(
  text: string,
): { ok: true; subscription: PushSubscriptionJson } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not JSON (${(error as Error).message})` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, problem: `got ${preview(json)}; allowed a PushSubscription object` };
  }
  const checked = check(pushSubscriptionSchema, json, '');
  return checked.ok
    ? { ok: true, subscription: checked.value }
    : { ok: false, problem: checked.message };
}

export interface PushRequestInput {
  subscription: PushSubscriptionJson;
  /** The push service's protocol; real services speak rfc8030. */
  profile: Profile;
  /** Null sends an empty push (no body, nothing to encrypt). */
  plaintext: Buffer | null;
  encoding: ContentEncoding;
  ttlSeconds: number;
  urgency?: Urgency;
  topic?: string;
  receipt: boolean;
  vapid: { keys: VapidKeys; subject?: string; nowSeconds: number } | null;
}

/**
 * The request for one send. Throws a CryptoError for a payload too large for its coding,
 * a ClientProfileError for a send the profile cannot express.
 */
export function buildPushRequest(input: PushRequestInput): ClientRequest {
  const url = new URL(input.subscription.endpoint);
  const profile = clientProfile(input.profile);
  const encrypted = input.plaintext === null ? null : encrypt(input);
  const vapid = input.vapid && {
    audience: url.origin,
    ...(input.vapid.subject === undefined ? {} : { subject: input.vapid.subject }),
    expiresAtSeconds: input.vapid.nowSeconds + VAPID_TOKEN_LIFETIME_SECONDS,
    privateKey: input.vapid.keys.privateKey,
    publicKey: input.vapid.keys.publicKey,
  };
  const contentHeaders = encrypted?.headers ?? {};
  let authorization: Record<string, string> = {};
  if (vapid && input.encoding === 'aesgcm') {
    // The draft scheme: the key joins the encryption's own Crypto-Key parameters.
    const legacy = signVapidLegacy(vapid);
    authorization = { authorization: legacy.authorization };
    contentHeaders['crypto-key'] = [contentHeaders['crypto-key'], `p256ecdsa=${legacy.p256ecdsa}`]
      .filter(Boolean)
      .join(';');
  } else if (vapid) {
    authorization = { authorization: signVapid(vapid) };
  }
  return profile.buildSend({
    url,
    ttlSeconds: input.ttlSeconds,
    ...(input.urgency ? { urgency: input.urgency } : {}),
    ...(input.topic ? { topic: input.topic } : {}),
    ...(input.receipt ? { receipt: true } : {}),
    body: encrypted?.body ?? Buffer.alloc(0),
    contentHeaders,
    authorization,
    extraHeaders: {},
    receiptUrl: null,
  });
}

function encrypt(input: PushRequestInput): { body: Buffer; headers: Record<string, string> } {
  const plaintext = input.plaintext!;
  const { p256dh, auth } = input.subscription.keys;
  if (input.encoding === 'aesgcm') {
    const message = encryptAesgcm({ plaintext, uaPublic: p256dh, authSecret: auth });
    return { body: message.body, headers: { 'content-encoding': 'aesgcm', ...message.headers } };
  }
  return {
    body: encryptForSubscription({ plaintext, uaPublic: p256dh, authSecret: auth }),
    headers: { 'content-encoding': 'aes128gcm' },
  };
}
