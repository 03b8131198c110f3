/**
 * The legacy `aesgcm` content coding of Web Push (draft-ietf-webpush-encryption-04 over
 * draft-ietf-httpbis-encryption-encoding-03): what most sender libraries still send and real
 * push services still forward. Unlike RFC 8291's `aes128gcm` the parameters travel in headers
 * (`Encryption: salt=…; rs=…`, `Crypto-Key: dh=…`), each record starts with a two-octet
 * padding length, and the key derivation names both public keys in a "P-256" context.
 * Written here because no library decrypts it from parts (web-push only encrypts), and
 * node:crypto has every primitive.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { b64uDecode, b64uEncode } from './base64url';
import { CRYPTO_ERROR_CODES, CryptoError } from './errors';
import {
  AUTH_SECRET_OCTETS,
  computeEcdhSecret,
  createEcKeyPair,
  WEBPUSH_BODY_MAX_OCTETS,
  type EcKeyPair,
  type UaDecryptKeys,
} from './webpush';

/** The draft's default record size, when `Encryption` names none. */
export const AESGCM_RS_DEFAULT = 4096;
const TAG_OCTETS = 16;
const SALT_OCTETS = 16;
const P256_PUBLIC_OCTETS = 65;
/** Each record starts with a two-octet padding length. */
const PAD_LENGTH_OCTETS = 2;
/**
 * What one record holds so the body stays within RFC 8030's 4096 octets: 4096 − 2 − 16.
 * A single record below `rs` is also the final one, so no empty record has to follow.
 */
export const AESGCM_PLAINTEXT_MAX_OCTETS = WEBPUSH_BODY_MAX_OCTETS - PAD_LENGTH_OCTETS - TAG_OCTETS;

export interface AesgcmParams {
  salt: Buffer;
  /** The application server's ephemeral public key (`Crypto-Key: dh=`). */
  dh: Buffer;
  rs: number;
}

/** Reads `Encryption` and `Crypto-Key` (RFC 7230 parameter lists, several keys allowed). */
export function aesgcmParams(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): AesgcmParams {
  const encryption = params(headers['encryption']);
  const cryptoKey = params(headers['crypto-key']);
  const bad = (why: string) => new CryptoError(CRYPTO_ERROR_CODES.AESGCM_BAD_PARAMS, why);
  if (!encryption['salt']) throw bad('Encryption header: no salt parameter');
  if (!cryptoKey['dh']) throw bad('Crypto-Key header: no dh parameter');
  const salt = unpadded(encryption['salt']);
  const dh = unpadded(cryptoKey['dh']);
  const rs = encryption['rs'] === undefined ? AESGCM_RS_DEFAULT : Number(encryption['rs']);
  if (salt.length !== SALT_OCTETS) throw bad(`Encryption salt: ${salt.length} octets; allowed 16`);
  if (dh.length !== P256_PUBLIC_OCTETS || dh[0] !== 0x04)
    throw bad(`Crypto-Key dh: ${dh.length} octets; allowed an uncompressed P-256 point (65)`);
  if (!Number.isInteger(rs) || rs < 2 || rs > 2 ** 31)
    throw bad(`Encryption rs: got ${encryption['rs']}; allowed a whole number from 2`);
  return { salt, dh, rs };
}

/** Decrypts an `aesgcm` body for the user agent holding `keys`; throws a CryptoError when it cannot. */
export function decryptAesgcm(body: Uint8Array, p: AesgcmParams, keys: UaDecryptKeys): Buffer {
  const { cek, nonce } = contentKeys({
    secret: computeEcdhSecret(keys.uaPrivate, p.dh),
    authSecret: keys.authSecret,
    uaPublic: keys.uaPublic,
    asPublic: p.dh,
    salt: p.salt,
  });
  const recordOctets = p.rs + TAG_OCTETS;
  const out: Buffer[] = [];
  for (let at = 0, seq = 0; at < body.length; at += recordOctets, seq++) {
    const record = body.subarray(at, Math.min(at + recordOctets, body.length));
    if (record.length <= TAG_OCTETS) {
      throw new CryptoError(
        CRYPTO_ERROR_CODES.ECE_TRUNCATED,
        `record ${seq} is shorter than its tag`,
      );
    }
    const decipher = createDecipheriv('aes-128-gcm', cek, recordNonce(nonce, seq));
    decipher.setAuthTag(record.subarray(record.length - TAG_OCTETS));
    let plain: Buffer;
    try {
      plain = Buffer.concat([
        decipher.update(record.subarray(0, record.length - TAG_OCTETS)),
        decipher.final(),
      ]);
    } catch (error) {
      throw new CryptoError(
        CRYPTO_ERROR_CODES.ECE_BAD_TAG,
        `record ${seq}: authentication failed`,
        {
          cause: error,
        },
      );
    }
    const pad = plain.length >= 2 ? plain.readUInt16BE(0) : -1;
    if (pad < 0 || 2 + pad > plain.length || plain.subarray(2, 2 + pad).some((b) => b !== 0)) {
      throw new CryptoError(CRYPTO_ERROR_CODES.ECE_BAD_DELIMITER, `record ${seq}: bad padding`);
    }
    out.push(plain.subarray(2 + pad));
  }
  if (out.length === 0) throw new CryptoError(CRYPTO_ERROR_CODES.ECE_TRUNCATED, 'empty body');
  return Buffer.concat(out);
}

export interface EncryptAesgcmOptions {
  plaintext: Uint8Array;
  /** The subscription's p256dh key, 65 octets. */
  uaPublic: Uint8Array;
  /** The subscription's auth secret, 16 octets. */
  authSecret: Uint8Array;
  /** Injected only to reproduce another encoder's output; default a fresh pair per message. */
  asKeyPair?: EcKeyPair;
  /** Injected only to reproduce another encoder's output; default 16 random octets. */
  salt?: Uint8Array;
  /** Zero octets of padding to hide the plaintext length; default 0. */
  padding?: number;
}

export interface AesgcmMessage {
  /** One record: ciphertext and tag. */
  body: Buffer;
  salt: Buffer;
  /** The application server's ephemeral public key (65 octets). */
  dh: Buffer;
  /** The headers that carry the parameters: `encryption` and `crypto-key` (lower case, as HTTP/2 sends them). */
  headers: { encryption: string; 'crypto-key': string };
}

/**
 * Encrypts for a subscription with the legacy `aesgcm` coding, one record (what sender
 * libraries send). The inverse of `decryptAesgcm`; rs is the default 4096, so `Encryption`
 * names only the salt.
 */
export function encryptAesgcm(options: EncryptAesgcmOptions): AesgcmMessage {
  const { plaintext, uaPublic, authSecret, padding = 0 } = options;
  const bad = (why: string) => new CryptoError(CRYPTO_ERROR_CODES.WEBPUSH_TOO_LARGE, why);
  if (!Number.isInteger(padding) || padding < 0) throw bad(`padding ${padding}: allowed 0 or more`);
  if (plaintext.length + padding > AESGCM_PLAINTEXT_MAX_OCTETS) {
    throw bad(
      `plaintext + padding is ${plaintext.length + padding} octets; at most ${AESGCM_PLAINTEXT_MAX_OCTETS} fit a ${WEBPUSH_BODY_MAX_OCTETS}-octet body`,
    );
  }
  if (authSecret.length !== AUTH_SECRET_OCTETS) {
    throw new CryptoError(
      CRYPTO_ERROR_CODES.WEBPUSH_BAD_AUTH_SECRET,
      `auth secret is ${authSecret.length} octets, expected ${AUTH_SECRET_OCTETS}`,
    );
  }
  const as = options.asKeyPair ?? createEcKeyPair();
  const salt = Buffer.from(options.salt ?? randomBytes(SALT_OCTETS));
  if (salt.length !== SALT_OCTETS) {
    throw new CryptoError(
      CRYPTO_ERROR_CODES.AESGCM_BAD_PARAMS,
      `salt: ${salt.length} octets; allowed 16`,
    );
  }
  const { cek, nonce } = contentKeys({
    secret: computeEcdhSecret(as.privateKey, uaPublic),
    authSecret,
    uaPublic,
    asPublic: as.publicKey,
    salt,
  });
  const cipher = createCipheriv('aes-128-gcm', cek, recordNonce(nonce, 0));
  const record = Buffer.concat([u16(padding), Buffer.alloc(padding), plaintext]);
  const body = Buffer.concat([cipher.update(record), cipher.final(), cipher.getAuthTag()]);
  const dh = Buffer.from(as.publicKey);
  return {
    body,
    salt,
    dh,
    headers: { encryption: `salt=${b64uEncode(salt)}`, 'crypto-key': `dh=${b64uEncode(dh)}` },
  };
}

/** The draft's content-encryption key and base nonce, the same for both directions. */
function contentKeys(input: {
  secret: Uint8Array;
  authSecret: Uint8Array;
  uaPublic: Uint8Array;
  asPublic: Uint8Array;
  salt: Uint8Array;
}): { cek: Buffer; nonce: Buffer } {
  const prk = Buffer.from(
    hkdfSync('sha256', input.secret, input.authSecret, Buffer.from('Content-Encoding: auth\0'), 32),
  );
  const context = Buffer.concat([
    Buffer.from('P-256\0'),
    u16(input.uaPublic.length),
    input.uaPublic,
    u16(input.asPublic.length),
    input.asPublic,
  ]);
  const info = (label: string) =>
    Buffer.concat([Buffer.from(`Content-Encoding: ${label}\0`), context]);
  return {
    cek: Buffer.from(hkdfSync('sha256', prk, input.salt, info('aesgcm'), 16)),
    nonce: Buffer.from(hkdfSync('sha256', prk, input.salt, info('nonce'), 12)),
  };
}

/** `Encryption: salt=abc; rs=4096` → { salt: 'abc', rs: '4096' }; the first value of each name wins. */
function params(value: string | string[] | undefined): Record<string, string> {
  const found: Record<string, string> = {};
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  for (const part of text.split(/[;,]/)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    found[name] ??= part
      .slice(eq + 1)
      .trim()
      .replace(/^"|"$/g, '');
  }
  return found;
}

/** Base64url as senders write it: some pad it with `=`. */
function unpadded(text: string): Buffer {
  return b64uDecode(text.replace(/=+$/, ''));
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** The draft's per-record nonce: the base nonce XOR the record's sequence number (96 bits). */
function recordNonce(base: Buffer, seq: number): Buffer {
  const nonce = Buffer.from(base);
  // A body holds fewer than 2^32 records, so only the last 32 bits change (JS's ^ is 32-bit).
  nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seq) >>> 0, 8);
  return nonce;
}
