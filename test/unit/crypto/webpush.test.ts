import fc from 'fast-check';
import { loadVectors } from '../../helpers/vectors';
import { describe, expect, it } from 'vitest';
import {
  b64uDecode,
  b64uEncode,
  computeEcdhSecret,
  createEcKeyPair,
  createUaKeys,
  CryptoError,
  decryptFromPush,
  deriveContentKeys,
  deriveWebPushKeys,
  ECE_CEK_INFO_TEXT,
  ECE_NONCE_INFO_TEXT,
  encodeHeader,
  encrypt,
  encryptForSubscription,
  hkdfExtract,
  padRecords,
  WEBPUSH_BODY_MAX_OCTETS,
  WEBPUSH_PLAINTEXT_MAX_OCTETS,
} from '../../../src/main/engine/crypto';

interface Rfc8291Vector {
  inputs: Record<
    'plaintext' | 'as_private' | 'as_public' | 'ua_private' | 'ua_public' | 'auth_secret' | 'salt',
    string
  > & {
    plaintext_ascii: string;
    record_size: number;
  };
  intermediate: Record<
    | 'ecdh_secret'
    | 'prk_key'
    | 'key_info'
    | 'ikm'
    | 'prk'
    | 'cek_info'
    | 'cek'
    | 'nonce_info'
    | 'nonce'
    | 'header'
    | 'padded_plaintext'
    | 'ciphertext',
    string
  >;
  output: { body: string; body_length_octets: number; header_length_octets: number };
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof CryptoError) return error.code;
    throw error;
  }
  return 'no error';
}

const vector = loadVectors('rfc8291.json') as Rfc8291Vector;
const input = Object.fromEntries(
  Object.entries(vector.inputs).flatMap(([k, v]) =>
    typeof v === 'string' && k !== 'plaintext_ascii' ? [[k, b64uDecode(v)]] : [],
  ),
) as Record<
  'plaintext' | 'as_private' | 'as_public' | 'ua_private' | 'ua_public' | 'auth_secret' | 'salt',
  Buffer
>;
const mid = vector.intermediate;
const uaKeys = {
  uaPrivate: input.ua_private,
  uaPublic: input.ua_public,
  authSecret: input.auth_secret,
};

describe('RFC 8291 Appendix A vector', () => {
  it('plaintext is the watermelon sentence', () => {
    expect(input.plaintext.toString('ascii')).toBe(vector.inputs.plaintext_ascii);
  });

  it('ECDH agrees in both directions', () => {
    expect(b64uEncode(computeEcdhSecret(input.as_private, input.ua_public))).toBe(mid.ecdh_secret);
    expect(b64uEncode(computeEcdhSecret(input.ua_private, input.as_public))).toBe(mid.ecdh_secret);
  });

  it('derives PRK_key, key_info (144 octets) and IKM', () => {
    const ecdhSecret = b64uDecode(mid.ecdh_secret);
    expect(b64uEncode(hkdfExtract(input.auth_secret, ecdhSecret))).toBe(mid.prk_key);
    const { keyInfo, ikm } = deriveWebPushKeys({
      ecdhSecret,
      authSecret: input.auth_secret,
      uaPublic: input.ua_public,
      asPublic: input.as_public,
    });
    expect(keyInfo.length).toBe(144);
    expect(b64uEncode(keyInfo)).toBe(mid.key_info);
    expect(b64uEncode(ikm)).toBe(mid.ikm);
  });

  it('derives PRK, CEK and NONCE with the RFC info strings', () => {
    const ikm = b64uDecode(mid.ikm);
    expect(b64uEncode(hkdfExtract(input.salt, ikm))).toBe(mid.prk);
    expect(b64uEncode(Buffer.from(ECE_CEK_INFO_TEXT, 'latin1'))).toBe(mid.cek_info);
    expect(b64uEncode(Buffer.from(ECE_NONCE_INFO_TEXT, 'latin1'))).toBe(mid.nonce_info);
    const { cek, nonce } = deriveContentKeys(ikm, input.salt);
    expect(b64uEncode(cek)).toBe(mid.cek);
    expect(b64uEncode(nonce)).toBe(mid.nonce);
  });

  it('builds the 86-octet header and the padded plaintext', () => {
    const header = encodeHeader(input.salt, vector.inputs.record_size, input.as_public);
    expect(header.length).toBe(vector.output.header_length_octets);
    expect(b64uEncode(header)).toBe(mid.header);
    expect(
      padRecords(input.plaintext, vector.inputs.record_size).map((r) => b64uEncode(r)),
    ).toEqual([mid.padded_plaintext]);
  });

  it('encrypts to the body byte for byte (144 octets, not the RFC Content-Length 145)', () => {
    const body = encryptForSubscription({
      plaintext: input.plaintext,
      uaPublic: input.ua_public,
      authSecret: input.auth_secret,
      asKeyPair: { privateKey: input.as_private, publicKey: input.as_public },
      salt: input.salt,
      rs: vector.inputs.record_size,
    });
    expect(b64uEncode(body.subarray(0, 86))).toBe(mid.header);
    expect(b64uEncode(body.subarray(86))).toBe(mid.ciphertext);
    expect(b64uEncode(body)).toBe(vector.output.body);
    expect(body.length).toBe(vector.output.body_length_octets);
  });

  it('the UA decrypts the body', () => {
    expect(decryptFromPush(b64uDecode(vector.output.body), uaKeys)).toEqual(input.plaintext);
  });
});

describe('Web Push keys and round trips', () => {
  it('createUaKeys gives 65/32/16 octets and matching b64u forms', () => {
    const keys = createUaKeys();
    expect(keys.publicKey.length).toBe(65);
    expect(keys.publicKey[0]).toBe(0x04);
    expect(keys.privateKey.length).toBe(32);
    expect(keys.authSecret.length).toBe(16);
    expect(b64uDecode(keys.p256dh)).toEqual(keys.publicKey);
    expect(b64uDecode(keys.auth)).toEqual(keys.authSecret);
    const other = createEcKeyPair();
    expect(computeEcdhSecret(keys.privateKey, other.publicKey)).toEqual(
      computeEcdhSecret(other.privateKey, keys.publicKey),
    );
  });

  it('private keys are always 32 octets, even with leading zeros (~1 in 256)', () => {
    for (let i = 0; i < 1000; i++) expect(createEcKeyPair().privateKey.length).toBe(32);
  });

  it('round-trips with fresh AS keys and salt; two sends differ', () => {
    const ua = createUaKeys();
    const plaintext = Buffer.from('hello from the application server');
    const send = () =>
      encryptForSubscription({ plaintext, uaPublic: ua.publicKey, authSecret: ua.authSecret });
    const [a, b] = [send(), send()];
    expect(a.equals(b)).toBe(false);
    for (const body of [a, b]) {
      expect(
        decryptFromPush(body, {
          uaPrivate: ua.privateKey,
          uaPublic: ua.publicKey,
          authSecret: ua.authSecret,
        }),
      ).toEqual(plaintext);
    }
  });

  it('round-trips with padding and a small rs', () => {
    const ua = createUaKeys();
    const keys = { uaPrivate: ua.privateKey, uaPublic: ua.publicKey, authSecret: ua.authSecret };
    const plaintext = Buffer.from('short');
    const body = encryptForSubscription({
      plaintext,
      uaPublic: ua.publicKey,
      authSecret: ua.authSecret,
      rs: 40,
      padding: 10,
    });
    expect(body.length).toBe(86 + 5 + 1 + 10 + 16);
    expect(decryptFromPush(body, keys)).toEqual(plaintext);
  });
});

describe('Web Push size bounds', () => {
  const ua = createUaKeys();
  const keys = { uaPrivate: ua.privateKey, uaPublic: ua.publicKey, authSecret: ua.authSecret };
  const send = (plaintextOctets: number, extra: { rs?: number; padding?: number } = {}) =>
    encryptForSubscription({
      plaintext: Buffer.alloc(plaintextOctets, 0x5a),
      uaPublic: ua.publicKey,
      authSecret: ua.authSecret,
      ...extra,
    });

  it('3993 octets of plaintext make exactly a 4096-octet body', () => {
    expect(WEBPUSH_PLAINTEXT_MAX_OCTETS).toBe(3993);
    const body = send(3993);
    expect(body.length).toBe(WEBPUSH_BODY_MAX_OCTETS);
    expect(decryptFromPush(body, keys)).toEqual(Buffer.alloc(3993, 0x5a));
  });

  it('3994 octets, or 3990 plus 4 of padding, are refused', () => {
    expect(codeOf(() => send(3994))).toBe('ERR_WEBPUSH_TOO_LARGE');
    expect(codeOf(() => send(3990, { padding: 4 }))).toBe('ERR_WEBPUSH_TOO_LARGE');
    expect(send(3990, { padding: 3 }).length).toBe(4096);
  });

  it('rs must exceed plaintext + padding + delimiter + tag', () => {
    expect(codeOf(() => send(10, { rs: 27 }))).toBe('ERR_WEBPUSH_TOO_LARGE');
    expect(decryptFromPush(send(10, { rs: 28 }), keys)).toEqual(Buffer.alloc(10, 0x5a));
  });
});

describe('Web Push rejects bad input with typed errors', () => {
  const ua = createUaKeys();
  const keys = { uaPrivate: ua.privateKey, uaPublic: ua.publicKey, authSecret: ua.authSecret };
  const body = encryptForSubscription({
    plaintext: Buffer.from('payload'),
    uaPublic: ua.publicKey,
    authSecret: ua.authSecret,
  });

  it('tampered ciphertext, tag or salt → bad tag', () => {
    for (const index of [0, 90, body.length - 1]) {
      const tampered = Buffer.from(body);
      tampered[index] = (tampered[index] ?? 0) ^ 0x80;
      expect(
        codeOf(() => decryptFromPush(tampered, keys)),
        `octet ${index}`,
      ).toBe('ERR_ECE_BAD_TAG');
    }
  });

  it('wrong auth secret → bad tag', () => {
    expect(codeOf(() => decryptFromPush(body, { ...keys, authSecret: Buffer.alloc(16) }))).toBe(
      'ERR_ECE_BAD_TAG',
    );
  });

  it('keyid not a 65-octet point, or off the curve → bad key', () => {
    const shortKeyid = Buffer.concat([body.subarray(0, 20), Buffer.from([64]), body.subarray(22)]);
    expect(codeOf(() => decryptFromPush(shortKeyid, keys))).toBe('ERR_WEBPUSH_BAD_KEY');
    const offCurve = Buffer.from(body);
    offCurve[85] = (offCurve[85] ?? 0) ^ 0x01; // last octet of as_public's y
    expect(codeOf(() => decryptFromPush(offCurve, keys))).toBe('ERR_WEBPUSH_BAD_KEY');
  });

  it('truncated body → truncated', () => {
    expect(codeOf(() => decryptFromPush(body.subarray(0, 50), keys))).toBe('ERR_ECE_TRUNCATED');
    expect(codeOf(() => decryptFromPush(body.subarray(0, 86), keys))).toBe('ERR_ECE_TRUNCATED');
  });

  it('a two-record body → multiple records', () => {
    const as = createEcKeyPair();
    const { ikm } = deriveWebPushKeys({
      ecdhSecret: computeEcdhSecret(as.privateKey, ua.publicKey),
      authSecret: ua.authSecret,
      uaPublic: ua.publicKey,
      asPublic: as.publicKey,
    });
    const twoRecords = encrypt(Buffer.alloc(30), {
      ikm,
      salt: Buffer.alloc(16),
      rs: 30,
      keyid: as.publicKey,
    });
    expect(codeOf(() => decryptFromPush(twoRecords, keys))).toBe('ERR_WEBPUSH_MULTIPLE_RECORDS');
  });

  it('bad keys or auth secret when encrypting', () => {
    const plaintext = Buffer.from('x');
    const compressed = Buffer.concat([Buffer.from([0x02]), ua.publicKey.subarray(1, 33)]);
    expect(
      codeOf(() =>
        encryptForSubscription({ plaintext, uaPublic: compressed, authSecret: ua.authSecret }),
      ),
    ).toBe('ERR_WEBPUSH_BAD_KEY');
    expect(
      codeOf(() =>
        encryptForSubscription({ plaintext, uaPublic: ua.publicKey, authSecret: Buffer.alloc(15) }),
      ),
    ).toBe('ERR_WEBPUSH_BAD_AUTH_SECRET');
    const mismatched = {
      privateKey: createEcKeyPair().privateKey,
      publicKey: createEcKeyPair().publicKey,
    };
    expect(
      codeOf(() =>
        encryptForSubscription({
          plaintext,
          uaPublic: ua.publicKey,
          authSecret: ua.authSecret,
          asKeyPair: mismatched,
        }),
      ),
    ).toBe('ERR_WEBPUSH_BAD_KEY');
  });
});

describe('Web Push property', () => {
  it('decryptFromPush(encryptForSubscription(p)) = p for any p ≤ 3993 octets', () => {
    const ua = createUaKeys();
    const keys = { uaPrivate: ua.privateKey, uaPublic: ua.publicKey, authSecret: ua.authSecret };
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: WEBPUSH_PLAINTEXT_MAX_OCTETS }),
        fc.nat({ max: WEBPUSH_PLAINTEXT_MAX_OCTETS }),
        (plaintext, paddingWanted) => {
          const padding = Math.min(paddingWanted, WEBPUSH_PLAINTEXT_MAX_OCTETS - plaintext.length);
          const body = encryptForSubscription({
            plaintext,
            uaPublic: ua.publicKey,
            authSecret: ua.authSecret,
            padding,
          });
          expect(body.length).toBe(86 + plaintext.length + padding + 17);
          expect(decryptFromPush(body, keys)).toEqual(Buffer.from(plaintext));
        },
      ),
      { numRuns: 50 },
    );
  });
});
