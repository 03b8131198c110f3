/**
 * The legacy `aesgcm` coding against an independent implementation: the `web-push` library's
 * encryption (http_ece underneath), as sender libraries produce it.
 */
import webpush from 'web-push';
import { describe, expect, it } from 'vitest';
import { aesgcmParams, decryptAesgcm } from '../../../src/main/engine/crypto/aesgcm';
import { b64uEncode } from '../../../src/main/engine/crypto/base64url';
import { createUaKeys } from '../../../src/main/engine/crypto/webpush';

function sealed(text: string | Buffer) {
  const ua = createUaKeys();
  const out = webpush.encrypt(ua.p256dh, ua.auth, text, 'aesgcm');
  const headers = {
    encryption: `salt=${out.salt}`,
    // VAPID's legacy scheme puts its key in the same header: the dh parameter is found among them.
    'crypto-key': `dh=${b64uEncode(Buffer.from(out.localPublicKey as unknown as Uint8Array))};p256ecdsa=BOGUS`,
  };
  const keys = { uaPrivate: ua.privateKey, uaPublic: ua.publicKey, authSecret: ua.authSecret };
  return { body: out.cipherText, headers, keys };
}

describe('aesgcm (draft-ietf-webpush-encryption-04)', () => {
  it('decrypts what web-push encrypts, byte for byte', () => {
    for (const text of ['hi', 'Hello ✓ '.repeat(300), '']) {
      const { body, headers, keys } = sealed(text);
      expect(decryptAesgcm(body, aesgcmParams(headers), keys).toString('utf8')).toBe(text);
    }
  });

  it("refuses a tampered body, another subscription's keys, and missing parameters, by code", () => {
    const { body, headers, keys } = sealed('secret');
    const tampered = Buffer.from(body);
    tampered[3] = tampered[3]! ^ 1;
    expect(() => decryptAesgcm(tampered, aesgcmParams(headers), keys)).toThrow(
      expect.objectContaining({ code: 'ERR_ECE_BAD_TAG' }),
    );
    const other = sealed('other').keys;
    expect(() => decryptAesgcm(body, aesgcmParams(headers), other)).toThrow(
      expect.objectContaining({ code: 'ERR_ECE_BAD_TAG' }),
    );
    expect(() => aesgcmParams({ 'crypto-key': headers['crypto-key'] })).toThrow(
      expect.objectContaining({
        code: 'ERR_AESGCM_BAD_PARAMS',
        message: expect.stringMatching(/salt/),
      }),
    );
    expect(() => aesgcmParams({ encryption: headers.encryption })).toThrow(
      expect.objectContaining({
        code: 'ERR_AESGCM_BAD_PARAMS',
        message: expect.stringMatching(/dh/),
      }),
    );
  });
});
