/**
 * `push-lab send`'s pure parts: the PushSubscription file (each refusal names the field,
 * the value and what is allowed) and the request it builds — headers per coding, VAPID per
 * scheme, the endpoint's query kept — decrypted and verified with the engine's own readers.
 */
import { describe, expect, it } from 'vitest';
import {
  buildPushRequest,
  parsePushSubscription,
  type PushRequestInput,
} from '../../../src/main/engine/agents/send-request';
import {
  aesgcmParams,
  createUaKeys,
  createVapidKeys,
  decryptAesgcm,
  decryptFromPush,
  legacyVapidCredentials,
  verifyVapid,
} from '../../../src/main/engine/crypto';

const ua = createUaKeys();
const uaKeys = { uaPrivate: ua.privateKey, uaPublic: ua.publicKey, authSecret: ua.authSecret };
const endpoint = 'https://push.example.net/push/abc?token=xyz';
const subscriptionText = JSON.stringify({
  endpoint,
  expirationTime: null,
  keys: { p256dh: ua.p256dh, auth: ua.auth },
});

function problemOf(value: unknown): string {
  const parsed = parsePushSubscription(typeof value === 'string' ? value : JSON.stringify(value));
  if (parsed.ok) throw new Error('accepted');
  return parsed.problem;
}

describe('parsePushSubscription', () => {
  it("reads the browser's toJSON(), padded keys, and serve's subscription lines (extra members ignored)", () => {
    const parsed = parsePushSubscription(subscriptionText);
    expect(parsed.ok && parsed.subscription.keys.p256dh.equals(ua.publicKey)).toBe(true);
    const padded = { endpoint, keys: { p256dh: `${ua.p256dh}=`, auth: `${ua.auth}==` } };
    expect(parsePushSubscription(JSON.stringify(padded)).ok).toBe(true);
    const serveLine = { type: 'subscription', id: 'ps1.s1', ...padded, applicationServerKey: null };
    expect(parsePushSubscription(JSON.stringify(serveLine)).ok).toBe(true);
  });

  it('names the field, the value received and what is allowed', () => {
    const keys = { p256dh: ua.p256dh, auth: ua.auth };
    expect(problemOf('{"endpoint": ')).toMatch(/^not JSON/);
    expect(problemOf([1])).toBe('got [1]; allowed a PushSubscription object');
    expect(problemOf({ keys })).toBe('endpoint: got nothing; allowed a URL string');
    expect(problemOf({ endpoint: 'ftp://x/y', keys })).toBe(
      'endpoint: got "ftp://x/y"; allowed an https:// or http:// URL',
    );
    expect(problemOf({ endpoint })).toBe('keys: got nothing; allowed an object {p256dh, auth}');
    expect(problemOf({ endpoint, keys: { ...keys, p256dh: 'AAAA' } })).toBe(
      'keys.p256dh: got "AAAA"; allowed base64url of a 65-octet uncompressed P-256 point',
    );
    expect(problemOf({ endpoint, keys: { ...keys, auth: 42 } })).toBe(
      'keys.auth: got 42; allowed base64url of a 16-octet auth secret',
    );
    expect(problemOf({ endpoint, keys, expirationTime: 'soon' })).toMatch(
      /^expirationTime: got "soon"; allowed null or a time/,
    );
    expect(problemOf({ endpoint: `https://x/${'a'.repeat(3000)}`, keys })).toMatch(
      /^endpoint: got "https:\/\/x\/a+…; allowed at most 2048 characters$/,
    );
  });
});

function build(overrides: Partial<PushRequestInput> = {}) {
  const parsed = parsePushSubscription(subscriptionText);
  if (!parsed.ok) throw new Error(parsed.problem);
  return buildPushRequest({
    subscription: parsed.subscription,
    profile: 'rfc8030',
    plaintext: Buffer.from('hello'),
    encoding: 'aes128gcm',
    ttlSeconds: 30,
    receipt: false,
    vapid: null,
    ...overrides,
  });
}

describe('buildPushRequest', () => {
  it('aes128gcm: POST to the endpoint with its query, TTL, Urgency, Topic, Prefer; the body decrypts', () => {
    const req = build({ urgency: 'high', topic: 'news', receipt: true });
    expect(req).toMatchObject({ method: 'POST', path: '/push/abc?token=xyz' });
    expect(req.headers).toEqual({
      ttl: '30',
      urgency: 'high',
      topic: 'news',
      prefer: 'respond-async',
      'content-encoding': 'aes128gcm',
    });
    expect(decryptFromPush(req.body!, uaKeys).toString()).toBe('hello');
  });

  it('aesgcm: Encryption and Crypto-Key carry the parameters; the body decrypts', () => {
    const req = build({ encoding: 'aesgcm' });
    expect(req.headers['content-encoding']).toBe('aesgcm');
    expect(decryptAesgcm(req.body!, aesgcmParams(req.headers), uaKeys).toString()).toBe('hello');
  });

  it('VAPID: vapid t=,k= with aes128gcm; WebPush + Crypto-Key p256ecdsa beside dh with aesgcm; both verify for the origin', () => {
    const keys = createVapidKeys();
    const nowSeconds = 1_800_000_000;
    const vapid = { keys, subject: 'mailto:qa@example.com', nowSeconds };
    const verify = (header: string | null | undefined) =>
      verifyVapid(header ?? undefined, {
        audience: 'https://push.example.net',
        nowSeconds,
        expectedKey: keys.publicKey,
      });
    const modern = build({ vapid });
    expect(modern.headers['authorization']).toMatch(/^vapid t=/);
    expect(verify(modern.headers['authorization'])).toMatchObject({
      ok: true,
      claims: { exp: nowSeconds + 12 * 3600, sub: 'mailto:qa@example.com' },
    });
    const legacy = build({ vapid, encoding: 'aesgcm' });
    expect(legacy.headers['authorization']).toMatch(/^WebPush /);
    expect(legacy.headers['crypto-key']).toMatch(/^dh=[\w-]+;p256ecdsa=[\w-]+$/);
    expect(
      verify(legacyVapidCredentials(legacy.headers['authorization'], legacy.headers['crypto-key'])),
    ).toMatchObject({ ok: true });
    // The dh parameter is still found beside the key.
    expect(decryptAesgcm(legacy.body!, aesgcmParams(legacy.headers), uaKeys).toString()).toBe(
      'hello',
    );
  });

  it('no payload: an empty push, nothing encrypted; too large a payload is refused by the crypto', () => {
    const empty = build({ plaintext: null });
    expect(empty.body!.length).toBe(0);
    expect(empty.headers['content-encoding']).toBeUndefined();
    expect(() => build({ plaintext: Buffer.alloc(3994) })).toThrow(/at most 3993/);
    expect(() => build({ plaintext: Buffer.alloc(4079), encoding: 'aesgcm' })).toThrow(
      /at most 4078/,
    );
  });

  it("other profiles shape the send their way: draft-damaggio's JSON envelope with request_receipt", () => {
    const req = build({ profile: 'draft-damaggio', receipt: true });
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body!.toString())).toMatchObject({
      time_to_live: 30,
      request_receipt: true,
    });
  });
});
