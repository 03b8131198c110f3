/**
 * Stable error codes for the crypto layer. Callers branch on `code`, never on `message`,
 * so messages may change freely while codes stay fixed.
 */
import { LabError } from '../errors';

export const CRYPTO_ERROR_CODES = {
  /** Text is not canonical unpadded base64url (RFC 4648 §5). */
  B64U_INVALID: 'ERR_B64U_INVALID',
  /** Encrypt options are out of range: salt not 16 octets, keyid over 255 octets, bad padding. */
  ECE_BAD_PARAMS: 'ERR_ECE_BAD_PARAMS',
  /** Record size below 18, the smallest that fits a delimiter and a 16-octet tag (RFC 8188 §2). */
  ECE_RS_TOO_SMALL: 'ERR_ECE_RS_TOO_SMALL',
  /** Body ends early: short header, no records, a stub record, or a final record marked 0x01. */
  ECE_TRUNCATED: 'ERR_ECE_TRUNCATED',
  /** A record's padding delimiter is absent or wrong for its position (RFC 8188 §2). */
  ECE_BAD_DELIMITER: 'ERR_ECE_BAD_DELIMITER',
  /** AES-GCM authentication failed: wrong key or tampered ciphertext. */
  ECE_BAD_TAG: 'ERR_ECE_BAD_TAG',
  /** Decryption found no key for the header's keyid. */
  ECE_NO_KEY: 'ERR_ECE_NO_KEY',
  /** A P-256 key is the wrong length, not uncompressed, not on the curve, or not a pair. */
  WEBPUSH_BAD_KEY: 'ERR_WEBPUSH_BAD_KEY',
  /** The auth secret is not exactly 16 octets (RFC 8291 §3.2). */
  WEBPUSH_BAD_AUTH_SECRET: 'ERR_WEBPUSH_BAD_AUTH_SECRET',
  /** Plaintext plus padding exceeds 3993 octets (a 4096-octet body) or the record size. */
  WEBPUSH_TOO_LARGE: 'ERR_WEBPUSH_TOO_LARGE',
  /** A Web Push body spans more than one record; RFC 8291 §4 requires exactly one. */
  WEBPUSH_MULTIPLE_RECORDS: 'ERR_WEBPUSH_MULTIPLE_RECORDS',
  /** An `aesgcm` push lacks its parameters or has bad ones (Encryption salt, Crypto-Key dh, rs). */
  AESGCM_BAD_PARAMS: 'ERR_AESGCM_BAD_PARAMS',
  /** VAPID signing key is malformed or its public half does not match the private half. */
  VAPID_BAD_KEY: 'ERR_VAPID_BAD_KEY',
  /** Claims given for signing are invalid: audience not an origin, exp not an integer. */
  VAPID_BAD_CLAIMS: 'ERR_VAPID_BAD_CLAIMS',
  /** No `vapid` credentials at all: header absent, empty, or another auth scheme. */
  VAPID_MISSING: 'ERR_VAPID_MISSING',
  /** `vapid` credentials unparseable: missing/duplicate t or k, bad JWT, bad key encoding. */
  VAPID_MALFORMED: 'ERR_VAPID_MALFORMED',
  /** The JWT signature does not verify against `k` with ES256 (raw r||s). */
  VAPID_BAD_SIGNATURE: 'ERR_VAPID_BAD_SIGNATURE',
  /** The JWT `exp` is in the past relative to the verifier's clock. */
  VAPID_EXPIRED: 'ERR_VAPID_EXPIRED',
  /** The JWT `exp` is more than 24 hours after the verifier's clock (RFC 8292 §2). */
  VAPID_EXP_TOO_FAR: 'ERR_VAPID_EXP_TOO_FAR',
  /** The JWT `aud` is not the push resource's origin. */
  VAPID_AUD_MISMATCH: 'ERR_VAPID_AUD_MISMATCH',
  /** `k` differs from the key the subscription was restricted to (RFC 8292 §4.2). */
  VAPID_KEY_MISMATCH: 'ERR_VAPID_KEY_MISMATCH',
} as const;

export type CryptoErrorCode = (typeof CRYPTO_ERROR_CODES)[keyof typeof CRYPTO_ERROR_CODES];

/** The one error type thrown by src/main/engine/crypto; `code` is stable, `message` is for humans. */
export class CryptoError extends LabError {
  override readonly name = 'CryptoError';
  declare readonly code: CryptoErrorCode;

  constructor(code: CryptoErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
