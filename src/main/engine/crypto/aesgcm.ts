/**
 * The legacy `aesgcm` content coding of Web Push (draft-ietf-webpush-encryption-04 over
 * draft-ietf-httpbis-encryption-encoding-03): what most sender libraries still send and real
 * push services still forward. Unlike RFC 8291's `aes128gcm` the parameters travel in headers
 * (`Encryption: salt=…; rs=…`, `Crypto-Key: dh=…`), each record starts with a two-octet
 * padding length, and the key derivation names both public keys in a "P-256" context.
 * Written here because no library decrypts it from parts (web-push only encrypts), and
 * node:crypto has every primitive.
 */
import { createDecipheriv, hkdfSync } from 'node:crypto';
import { b64uDecode } from './base64url';
import { CRYPTO_ERROR_CODES, CryptoError } from './errors';
import { computeEcdhSecret, type UaDecryptKeys } from './webpush';

/** The draft's default record size, when `Encryption` names none. */
export const AESGCM_RS_DEFAULT = 4096;
const TAG_OCTETS = 16;
const SALT_OCTETS = 16;
const P256_PUBLIC_OCTETS = 65;

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
  const secret = computeEcdhSecret(keys.uaPrivate, p.dh);
  const prk = Buffer.from(
    hkdfSync('sha256', secret, keys.authSecret, Buffer.from('Content-Encoding: auth\0'), 32),
  );
  const context = Buffer.concat([
    Buffer.from('P-256\0'),
    u16(keys.uaPublic.length),
    keys.uaPublic,
    u16(p.dh.length),
    p.dh,
  ]);
  const info = (label: string) =>
    Buffer.concat([Buffer.from(`Content-Encoding: ${label}\0`), context]);
  const cek = Buffer.from(hkdfSync('sha256', prk, p.salt, info('aesgcm'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', prk, p.salt, info('nonce'), 12));
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
