/**
 * The sender's side of the legacy `aesgcm` coding and of the draft VAPID scheme, against
 * independent code: http_ece (what web-push encrypts with) must produce the same bytes from
 * the same keys and salt, decrypt what we encrypt, and our own decryptor must read it back.
 * Also the key-file forms `push-lab send --vapid-key` reads.
 */
import { createECDH, generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import webpush from 'web-push';
import { describe, expect, it } from 'vitest';
import {
  AESGCM_PLAINTEXT_MAX_OCTETS,
  aesgcmParams,
  decryptAesgcm,
  encryptAesgcm,
} from '../../../src/main/engine/crypto/aesgcm';
import { b64uEncode } from '../../../src/main/engine/crypto/base64url';
import {
  createVapidKeys,
  legacyVapidCredentials,
  signVapidLegacy,
  vapidKeysFromText,
  verifyVapid,
} from '../../../src/main/engine/crypto/vapid';
import { createUaKeys, ecKeyPairOf } from '../../../src/main/engine/crypto/webpush';

interface Ece {
  encrypt(buffer: Buffer, params: Record<string, unknown>): Buffer;
  decrypt(buffer: Buffer, params: Record<string, unknown>): Buffer;
}
const ece = createRequire(import.meta.url)('http_ece') as Ece;

describe('encryptAesgcm', () => {
  it('produces the bytes http_ece produces from the same keys and salt, with and without padding', () => {
    for (const [text, pad] of [
      ['hi', 0],
      ['Hello ✓ '.repeat(300), 0],
      ['', 0],
      ['padded', 17],
    ] as const) {
      const ua = createUaKeys();
      const as = createECDH('prime256v1');
      as.generateKeys();
      const salt = Buffer.alloc(16, 7);
      const theirs = ece.encrypt(Buffer.from(text), {
        version: 'aesgcm',
        dh: ua.p256dh,
        privateKey: as,
        salt: b64uEncode(salt),
        authSecret: ua.auth,
        pad,
      });
      const ours = encryptAesgcm({
        plaintext: Buffer.from(text),
        uaPublic: ua.publicKey,
        authSecret: ua.authSecret,
        asKeyPair: ecKeyPairOf(as.getPrivateKey()),
        salt,
        padding: pad,
      });
      expect(ours.body.equals(theirs)).toBe(true);
      expect(ours.headers).toEqual({
        encryption: `salt=${b64uEncode(salt)}`,
        'crypto-key': `dh=${b64uEncode(as.getPublicKey())}`,
      });
    }
  });

  it('http_ece and our decryptor read what it encrypts; a fresh key and salt each time', () => {
    const ua = createUaKeys();
    const plaintext = Buffer.from('to the user agent');
    const a = encryptAesgcm({ plaintext, uaPublic: ua.publicKey, authSecret: ua.authSecret });
    const b = encryptAesgcm({ plaintext, uaPublic: ua.publicKey, authSecret: ua.authSecret });
    expect(a.dh.equals(b.dh) || a.salt.equals(b.salt)).toBe(false);
    const receiver = createECDH('prime256v1');
    receiver.setPrivateKey(ua.privateKey);
    const theirs = ece.decrypt(a.body, {
      version: 'aesgcm',
      dh: b64uEncode(a.dh),
      privateKey: receiver,
      salt: b64uEncode(a.salt),
      authSecret: ua.auth,
    });
    expect(theirs.equals(plaintext)).toBe(true);
    const keys = { uaPrivate: ua.privateKey, uaPublic: ua.publicKey, authSecret: ua.authSecret };
    expect(decryptAesgcm(a.body, aesgcmParams(a.headers), keys).equals(plaintext)).toBe(true);
  });

  it('one record within a 4096-octet body: the largest plaintext fits, one more octet is refused', () => {
    const ua = createUaKeys();
    const at = (n: number) =>
      encryptAesgcm({
        plaintext: Buffer.alloc(n, 0x61),
        uaPublic: ua.publicKey,
        authSecret: ua.authSecret,
      });
    expect(at(AESGCM_PLAINTEXT_MAX_OCTETS).body.length).toBe(4096);
    expect(() => at(AESGCM_PLAINTEXT_MAX_OCTETS + 1)).toThrow(
      expect.objectContaining({ code: 'ERR_WEBPUSH_TOO_LARGE' }),
    );
    expect(() =>
      encryptAesgcm({
        plaintext: Buffer.from('x'),
        uaPublic: ua.publicKey,
        authSecret: Buffer.alloc(8),
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_WEBPUSH_BAD_AUTH_SECRET' }));
    expect(() =>
      encryptAesgcm({
        plaintext: Buffer.from('x'),
        uaPublic: Buffer.alloc(65),
        authSecret: ua.authSecret,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_WEBPUSH_BAD_KEY' }));
  });
});

describe('signVapidLegacy (Authorization: WebPush, Crypto-Key: p256ecdsa)', () => {
  it("is read back by the service's legacy reader and verifies as the same token", () => {
    const keys = createVapidKeys();
    const nowSeconds = 1_800_000_000;
    const legacy = signVapidLegacy({
      audience: 'https://push.example.net',
      subject: 'mailto:qa@example.com',
      expiresAtSeconds: nowSeconds + 3600,
      privateKey: keys.privateKey,
      publicKey: keys.publicKey,
    });
    expect(legacy.authorization).toMatch(/^WebPush [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(legacy.p256ecdsa).toBe(keys.publicKeyB64u);
    const credentials = legacyVapidCredentials(
      legacy.authorization,
      `dh=BOGUS;p256ecdsa=${legacy.p256ecdsa}`,
    );
    const verdict = verifyVapid(credentials ?? undefined, {
      audience: 'https://push.example.net',
      nowSeconds,
      expectedKey: keys.publicKey,
    });
    expect(verdict).toMatchObject({ ok: true, claims: { sub: 'mailto:qa@example.com' } });
  });
});

describe('vapidKeysFromText: the key files push-lab send reads', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  const expected = vapidKeysFromText(jwk.d!);

  it('reads PKCS#8 and SEC1 PEM, a JWK, web-push JSON and a bare base64url key as the same pair', () => {
    const web = webpush.generateVAPIDKeys();
    const forms = [
      privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      privateKey.export({ format: 'pem', type: 'sec1' }).toString(),
      JSON.stringify(jwk),
      `  ${jwk.d}\n`,
    ];
    for (const text of forms)
      expect(vapidKeysFromText(text).publicKeyB64u).toBe(expected.publicKeyB64u);
    expect(vapidKeysFromText(JSON.stringify(web)).publicKeyB64u).toBe(web.publicKey);
  });

  it('refuses an RSA key, a wrong length, a mismatched public key and junk, saying which', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const cases: [string, RegExp][] = [
      [rsa.export({ format: 'pem', type: 'pkcs8' }).toString(), /PEM: a non-EC key|PEM: a .* key/],
      [b64uEncode(Buffer.alloc(16, 1)), /16 octets; allowed 32/],
      [
        JSON.stringify({ publicKey: createVapidKeys().publicKeyB64u, privateKey: jwk.d }),
        /does not belong/,
      ],
      [JSON.stringify({ kty: 'EC', crv: 'P-384', d: jwk.d }), /crv P-384/],
      ['{nope', /not valid JSON/],
      ['not*base64', /not base64url/],
      [b64uEncode(Buffer.alloc(32, 0)), /not a P-256 private key/],
    ];
    for (const [text, message] of cases)
      expect(() => vapidKeysFromText(text)).toThrow(
        expect.objectContaining({
          code: 'ERR_VAPID_BAD_KEY',
          message: expect.stringMatching(message),
        }),
      );
  });
});
