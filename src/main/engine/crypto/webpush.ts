import { Buffer } from 'node:buffer';
import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import { b64uEncode } from './base64url';
import {
  decrypt,
  ECE_SALT_OCTETS,
  encrypt,
  hkdfExpandBlock,
  hkdfExtract,
  parseHeader,
} from './ece';
import { CryptoError } from './errors';

/** RFC 8291 message encryption for Web Push, on top of RFC 8188 `aes128gcm`. */

export const P256_PUBLIC_KEY_OCTETS = 65;
export const P256_PRIVATE_KEY_OCTETS = 32;
export const AUTH_SECRET_OCTETS = 16;
/** RFC 8030 §7.2: a push service need not accept bodies larger than this. */
export const WEBPUSH_BODY_MAX_OCTETS = 4096;
/** 86-octet header (salt, rs, idlen, 65-octet keyid) + 1 delimiter + 16 tag = 103 octets of overhead. */
export const WEBPUSH_HEADER_OCTETS = 86;
export const WEBPUSH_PLAINTEXT_MAX_OCTETS =
  WEBPUSH_BODY_MAX_OCTETS - WEBPUSH_HEADER_OCTETS - 1 - 16;
export const WEBPUSH_RS_DEFAULT = 4096;
const KEY_INFO_PREFIX = Buffer.from('WebPush: info\0', 'latin1');

export interface EcKeyPair {
  /** 65 octets, uncompressed point (leading 0x04). */
  publicKey: Buffer;
  /** 32 octets, big-endian scalar. */
  privateKey: Buffer;
}

/** A user agent's secrets for one subscription, with the b64u forms the Push API hands out. */
export interface UaKeys extends EcKeyPair {
  authSecret: Buffer;
  /** b64u of publicKey. */
  p256dh: string;
  /** b64u of authSecret. */
  auth: string;
}

export interface EncryptForSubscriptionOptions {
  plaintext: Uint8Array;
  /** The subscription's p256dh key, 65 octets. */
  uaPublic: Uint8Array;
  /** The subscription's auth secret, 16 octets. */
  authSecret: Uint8Array;
  /** Injected only to reproduce vectors; default is a fresh pair, as RFC 8291 requires per message. */
  asKeyPair?: EcKeyPair;
  /** Injected only to reproduce vectors; default is 16 random octets. */
  salt?: Uint8Array;
  /** Record size in octets; default 4096. */
  rs?: number;
  /** Zero octets of padding to hide the plaintext length; default 0. */
  padding?: number;
}

export interface UaDecryptKeys {
  uaPrivate: Uint8Array;
  uaPublic: Uint8Array;
  authSecret: Uint8Array;
}

/**
 * Decrypts RFC 8291 bodies somewhere other than the caller's event loop (serve's worker pool,
 * engine/parallel/decrypt-pool.ts): the plaintext, or a rejection with the CryptoError
 * `decryptFromPush` would have thrown; null when it cannot take the body now (its bound is
 * reached, or it is closed), and the caller decrypts in-process.
 */
export interface PayloadDecryptor {
  decrypt(body: Buffer, keys: UaDecryptKeys): Promise<Buffer> | null;
}

/** A fresh P-256 pair from node's ECDH, with the private key left-padded to 32 octets. */
export function createEcKeyPair(): EcKeyPair {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return pairOf(ecdh);
}

/** The P-256 pair of a given private scalar (32 octets, 0 < d < n); throws when it is not one. */
export function ecKeyPairOf(privateScalar: Uint8Array): EcKeyPair {
  const ecdh = createECDH('prime256v1');
  try {
    ecdh.setPrivateKey(privateScalar);
  } catch (cause) {
    throw new CryptoError('ERR_WEBPUSH_BAD_KEY', 'not a P-256 private key', { cause });
  }
  return pairOf(ecdh);
}

function pairOf(ecdh: ECDH): EcKeyPair {
  // getPrivateKey() drops leading zero octets (about 1 key in 256), but the wire format is fixed-size.
  const privateKey = Buffer.alloc(P256_PRIVATE_KEY_OCTETS);
  const raw = ecdh.getPrivateKey();
  raw.copy(privateKey, P256_PRIVATE_KEY_OCTETS - raw.length);
  return { publicKey: ecdh.getPublicKey(), privateKey };
}

export function createUaKeys(): UaKeys {
  const pair = createEcKeyPair();
  const authSecret = randomBytes(AUTH_SECRET_OCTETS);
  return { ...pair, authSecret, p256dh: b64uEncode(pair.publicKey), auth: b64uEncode(authSecret) };
}

/**
 * An ECDH object per private key, made once: a user agent decrypts every message with the same
 * key, and making the object and setting its key each time cost ~15 % of the exchange
 * (measured: 250 → 215 µs a message). Held weakly: it goes with the key's buffer.
 */
const ecdhByKey = new WeakMap<Uint8Array, ECDH>();

/** ECDH(privateKey, peerPublic): the 32-octet x coordinate. Rejects malformed or off-curve keys. */
export function computeEcdhSecret(privateKey: Uint8Array, peerPublic: Uint8Array): Buffer {
  checkPublicKey(peerPublic, 'peer public key');
  let ecdh = ecdhByKey.get(privateKey);
  if (!ecdh) {
    ecdh = createECDH('prime256v1');
    try {
      ecdh.setPrivateKey(privateKey);
    } catch (cause) {
      throw new CryptoError('ERR_WEBPUSH_BAD_KEY', `ECDH failed: ${(cause as Error).message}`, {
        cause,
      });
    }
    ecdhByKey.set(privateKey, ecdh);
  }
  return computeSecretWith(ecdh, peerPublic);
}

/** The shared secret of an ECDH object holding our key and a (checked) peer's public point. */
function computeSecretWith(ecdh: ECDH, peerPublic: Uint8Array): Buffer {
  try {
    return ecdh.computeSecret(peerPublic);
  } catch (cause) {
    throw new CryptoError('ERR_WEBPUSH_BAD_KEY', `ECDH failed: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** RFC 8291 §3.3–3.4: key_info and the IKM that feeds RFC 8188. */
export function deriveWebPushKeys(input: {
  ecdhSecret: Uint8Array;
  authSecret: Uint8Array;
  uaPublic: Uint8Array;
  asPublic: Uint8Array;
}): { keyInfo: Buffer; ikm: Buffer } {
  checkAuthSecret(input.authSecret);
  const keyInfo = Buffer.concat([KEY_INFO_PREFIX, input.uaPublic, input.asPublic]);
  const ikm = hkdfExpandBlock(hkdfExtract(input.authSecret, input.ecdhSecret), keyInfo, 32);
  return { keyInfo, ikm };
}

export function encryptForSubscription(options: EncryptForSubscriptionOptions): Buffer {
  const { plaintext, uaPublic, authSecret, rs = WEBPUSH_RS_DEFAULT, padding = 0 } = options;
  checkPublicKey(uaPublic, 'ua_public');
  const contentOctets = plaintext.length + padding;
  if (contentOctets > WEBPUSH_PLAINTEXT_MAX_OCTETS) {
    throw new CryptoError(
      'ERR_WEBPUSH_TOO_LARGE',
      `plaintext + padding is ${contentOctets} octets, at most 3993 fit a 4096-octet body`,
    );
  }
  // RFC 8291 §4: one record, and rs strictly greater than what that record holds.
  if (rs <= contentOctets + 1 + 16) {
    throw new CryptoError(
      'ERR_WEBPUSH_TOO_LARGE',
      `rs ${rs} must exceed plaintext + padding + 17 = ${contentOctets + 17}`,
    );
  }
  let asPublic: Buffer;
  let ecdhSecret: Buffer;
  if (options.asKeyPair) {
    const as = options.asKeyPair;
    asPublic = as.publicKey;
    ecdhSecret = computeEcdhSecret(as.privateKey, uaPublic);
    // A mismatched injected pair would put a keyid in the header that the UA cannot use.
    if (!createPublicFrom(as.privateKey).equals(as.publicKey)) {
      throw new CryptoError(
        'ERR_WEBPUSH_BAD_KEY',
        'asKeyPair.publicKey does not belong to asKeyPair.privateKey',
      );
    }
  } else {
    // A fresh pair (RFC 8291 requires one per message): the secret comes from the same ECDH
    // object, so the curve is set up once and the private key never imported back.
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    asPublic = ecdh.getPublicKey();
    ecdhSecret = computeSecretWith(ecdh, uaPublic);
  }
  const { ikm } = deriveWebPushKeys({ ecdhSecret, authSecret, uaPublic, asPublic });
  const salt = options.salt ?? randomBytes(ECE_SALT_OCTETS);
  return encrypt(plaintext, { ikm, salt, rs, keyid: asPublic, padding });
}

export function decryptFromPush(body: Uint8Array, keys: UaDecryptKeys): Buffer {
  checkPublicKey(keys.uaPublic, 'ua_public');
  const header = parseHeader(body);
  if (body.length - header.headerOctets > header.rs) {
    throw new CryptoError(
      'ERR_WEBPUSH_MULTIPLE_RECORDS',
      `body holds more than one ${header.rs}-octet record`,
    );
  }
  return decrypt(body, {
    keyLookup: (asPublic) => {
      const ecdhSecret = computeEcdhSecret(keys.uaPrivate, asPublic);
      return deriveWebPushKeys({
        ecdhSecret,
        authSecret: keys.authSecret,
        uaPublic: keys.uaPublic,
        asPublic,
      }).ikm;
    },
  });
}

function createPublicFrom(privateKey: Uint8Array): Buffer {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(privateKey);
  return ecdh.getPublicKey();
}

function checkPublicKey(key: Uint8Array, what: string): void {
  if (key.length !== P256_PUBLIC_KEY_OCTETS || key[0] !== 0x04) {
    throw new CryptoError(
      'ERR_WEBPUSH_BAD_KEY',
      `${what} must be a 65-octet uncompressed P-256 point`,
    );
  }
}

function checkAuthSecret(authSecret: Uint8Array): void {
  if (authSecret.length !== AUTH_SECRET_OCTETS) {
    throw new CryptoError(
      'ERR_WEBPUSH_BAD_AUTH_SECRET',
      `auth secret is ${authSecret.length} octets, expected 16`,
    );
  }
}
