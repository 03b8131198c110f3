import { Buffer } from 'node:buffer';
import {
  createECDH,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { b64uDecode, b64uEncode } from './base64url';
import { CryptoError, type CryptoErrorCode } from './errors';
import { BASE64URL_MEAN_BITS, huffmanBits, huffmanOctets } from './hpack-length';
import { createEcKeyPair, ecKeyPairOf, type EcKeyPair } from './webpush';

/** RFC 8292 VAPID: `Authorization: vapid t=<ES256 JWT>, k=<b64u P-256 public key>`. */

/** RFC 8292 §2: exp MUST NOT be more than 24 hours after the request. */
export const VAPID_EXP_MAX_AHEAD_SECONDS = 24 * 60 * 60;
const JWT_HEADER = { typ: 'JWT', alg: 'ES256' } as const;
const ES256 = { digest: 'sha256', dsaEncoding: 'ieee-p1363' } as const; // raw r||s, not DER
const ES256_SIGNATURE_OCTETS = 64;

export interface VapidKeys extends EcKeyPair {
  publicKeyB64u: string;
  privateKeyB64u: string;
}

export interface VapidClaims {
  /** Origin of the push resource, e.g. `https://push.example.net`. */
  aud: string;
  /** Expiry as a NumericDate (seconds since the epoch). */
  exp: number;
  /** Contact for the application server, `mailto:` or `https:`. */
  sub?: string;
}

export interface SignVapidOptions {
  /** Origin of the push resource (scheme, host, port; no path). */
  audience: string;
  subject?: string;
  expiresAtSeconds: number;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

export interface VerifyVapidOptions {
  /** Origin the token must name, e.g. `https://push.example.net`; compared exactly. */
  audience: string;
  /** The verifier's clock, injected so tests and simulations are exact. */
  nowSeconds: number;
  /** Raw 65-octet key the subscription was restricted to, if any. */
  expectedKey?: Uint8Array;
}

export type VapidFailureReason =
  | 'missing'
  | 'malformed'
  | 'bad-signature'
  | 'expired'
  | 'exp-too-far'
  | 'aud-mismatch'
  | 'key-mismatch';

export type VapidVerifyResult =
  | { ok: true; claims: VapidClaims; publicKey: Buffer }
  | { ok: false; reason: VapidFailureReason; error: CryptoError };

const REASON_BY_CODE: Partial<Record<CryptoErrorCode, VapidFailureReason>> = {
  ERR_VAPID_MISSING: 'missing',
  ERR_VAPID_MALFORMED: 'malformed',
  ERR_VAPID_BAD_SIGNATURE: 'bad-signature',
  ERR_VAPID_EXPIRED: 'expired',
  ERR_VAPID_EXP_TOO_FAR: 'exp-too-far',
  ERR_VAPID_AUD_MISMATCH: 'aud-mismatch',
  ERR_VAPID_KEY_MISMATCH: 'key-mismatch',
};

/**
 * A new VAPID key pair; with `privateScalar`, the pair of that P-256 scalar (a closed world
 * derives it from its seed so a rerun signs with the same key).
 */
export function createVapidKeys(privateScalar?: Uint8Array): VapidKeys {
  const pair = privateScalar ? ecKeyPairOf(privateScalar) : createEcKeyPair();
  return {
    ...pair,
    publicKeyB64u: b64uEncode(pair.publicKey),
    privateKeyB64u: b64uEncode(pair.privateKey),
  };
}

/** The JWS signing input `b64u(header).b64u(claims)`; claim order aud, exp, sub as in RFC 8292 §2.4. */
export function vapidSigningInput(claims: VapidClaims): string {
  const ordered = {
    aud: claims.aud,
    exp: claims.exp,
    ...(claims.sub === undefined ? {} : { sub: claims.sub }),
  };
  return `${jsonB64u(JWT_HEADER)}.${jsonB64u(ordered)}`;
}

/**
 * Signs like `signVapid`, again and again if need be, until the header's HPACK-Huffman
 * length is the one its deterministic parts predict: ECDSA signatures are random, and in a
 * closed world a header whose length varied from run to run would shift the timing of
 * every later byte on a simulated link. About two signatures on average; at most 200.
 */
export function signVapidStableLength(options: SignVapidOptions): string {
  let header = signVapid(options);
  const signature = /t=[^.]+\.[^.]+\.([^,]+)/.exec(header)?.[1] ?? '';
  const expected = Math.round(signature.length * BASE64URL_MEAN_BITS);
  const target = Math.ceil((huffmanBits(header.replace(signature, '')) + expected) / 8);
  for (let i = 0; i < 200 && huffmanOctets(header) !== target; i++) header = signVapid(options);
  return header;
}

/** Returns the Authorization header value. */
export function signVapid(options: SignVapidOptions): string {
  const { audience, subject, expiresAtSeconds, privateKey, publicKey } = options;
  if (!isOrigin(audience)) {
    throw new CryptoError(
      'ERR_VAPID_BAD_CLAIMS',
      `audience ${JSON.stringify(audience)} is not an origin like https://push.example.net`,
    );
  }
  if (!Number.isSafeInteger(expiresAtSeconds) || expiresAtSeconds < 0) {
    throw new CryptoError(
      'ERR_VAPID_BAD_CLAIMS',
      `expiresAtSeconds ${expiresAtSeconds} is not a non-negative integer`,
    );
  }
  const key = importPrivateKey(privateKey, publicKey);
  const input = vapidSigningInput({
    aud: audience,
    exp: expiresAtSeconds,
    ...(subject === undefined ? {} : { sub: subject }),
  });
  const signature = sign(ES256.digest, Buffer.from(input), { key, dsaEncoding: ES256.dsaEncoding });
  return `vapid t=${input}.${b64uEncode(signature)}, k=${b64uEncode(publicKey)}`;
}

/**
 * The draft VAPID scheme's headers for the same token (draft-ietf-webpush-vapid-01, sent
 * with the legacy aesgcm coding): `Authorization: WebPush <JWT>` and the key as a
 * `p256ecdsa` parameter for the request's `Crypto-Key` (the inverse of
 * `legacyVapidCredentials`).
 */
export function signVapidLegacy(options: SignVapidOptions): {
  authorization: string;
  p256ecdsa: string;
} {
  const { t, k } = parseVapidHeader(signVapid(options));
  return { authorization: `WebPush ${t}`, p256ecdsa: k };
}

/**
 * An application server's VAPID key pair from the text of a key file, in the forms its
 * tools write: PEM (PKCS#8 `PRIVATE KEY` or SEC1 `EC PRIVATE KEY`, openssl's), a JWK
 * (`{"kty":"EC","crv":"P-256","d":…}`), web-push's JSON (`{"publicKey":…,"privateKey":…}`,
 * `web-push generate-vapid-keys --json`) or the bare base64url private key (32 octets).
 * Throws ERR_VAPID_BAD_KEY naming the form it read and what is wrong.
 */
export function vapidKeysFromText(text: string): VapidKeys {
  const trimmed = text.trim();
  const bad = (why: string, cause?: unknown): never => {
    throw new CryptoError('ERR_VAPID_BAD_KEY', why, { cause });
  };
  if (trimmed.startsWith('-----BEGIN')) {
    let jwk: { crv?: string; d?: string };
    try {
      jwk = createPrivateKey({ key: trimmed, format: 'pem' }).export({ format: 'jwk' });
    } catch (cause) {
      return bad(`PEM: not a private key (${(cause as Error).message})`, cause);
    }
    if (jwk.crv !== 'P-256' || !jwk.d)
      return bad(`PEM: a ${jwk.crv ?? 'non-EC'} key; allowed P-256`);
    return fromScalar(jwk.d, 'PEM');
  }
  if (trimmed.startsWith('{')) {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(trimmed) as Record<string, unknown>;
    } catch (cause) {
      return bad('JSON: not valid JSON', cause);
    }
    if (typeof json['d'] === 'string') {
      if (json['kty'] !== 'EC' || json['crv'] !== 'P-256')
        return bad(
          `JWK: kty ${String(json['kty'])}, crv ${String(json['crv'])}; allowed EC, P-256`,
        );
      return fromScalar(json['d'], 'JWK d');
    }
    if (typeof json['privateKey'] === 'string') {
      const keys = fromScalar(json['privateKey'], 'privateKey');
      if (typeof json['publicKey'] === 'string' && json['publicKey'] !== keys.publicKeyB64u)
        return bad('publicKey does not belong to privateKey');
      return keys;
    }
    return bad('JSON: neither a JWK (with d) nor {"publicKey","privateKey"}');
  }
  return fromScalar(trimmed, 'base64url private key');
}

function fromScalar(text: string, what: string): VapidKeys {
  let scalar: Buffer;
  try {
    scalar = b64uDecode(text.replace(/=+$/, ''));
  } catch (cause) {
    throw new CryptoError('ERR_VAPID_BAD_KEY', `${what}: not base64url`, { cause });
  }
  if (scalar.length !== 32) {
    throw new CryptoError('ERR_VAPID_BAD_KEY', `${what}: ${scalar.length} octets; allowed 32`);
  }
  try {
    return createVapidKeys(scalar);
  } catch (cause) {
    throw new CryptoError('ERR_VAPID_BAD_KEY', `${what}: not a P-256 private key`, { cause });
  }
}

/**
 * Splits `vapid t=…, k=…` (RFC 7235 auth-params: names case-insensitive, values token or
 * quoted-string, unknown parameters ignored). Throws ERR_VAPID_MISSING when there are no
 * vapid credentials at all, ERR_VAPID_MALFORMED when they cannot be read.
 */
export function parseVapidHeader(value: string | undefined): { t: string; k: string } {
  const scheme = /^\s*([^\s,]+)(?:\s+|$)/.exec(value ?? '');
  if (scheme?.[1]?.toLowerCase() !== 'vapid') {
    throw new CryptoError(
      'ERR_VAPID_MISSING',
      value?.trim() ? 'Authorization scheme is not vapid' : 'no Authorization header',
    );
  }
  const params = new Map<string, string>();
  const param = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,"]+)\s*(?:,|$)/y;
  param.lastIndex = scheme[0].length;
  const text = value ?? '';
  while (param.lastIndex < text.length) {
    const offset = param.lastIndex; // a failed sticky exec resets lastIndex to 0
    const match = param.exec(text);
    const [name, raw] = [match?.[1]?.toLowerCase(), match?.[2]];
    if (name === undefined || raw === undefined) {
      malformed(
        `unreadable auth-param at offset ${offset}: ${JSON.stringify(text.slice(offset, offset + 20))}`,
      );
    }
    if (params.has(name)) malformed(`parameter ${name} appears twice`);
    params.set(name, raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw);
  }
  const t = params.get('t');
  const k = params.get('k');
  if (!t) malformed('missing t parameter (the JWT)');
  if (!k) malformed('missing k parameter (the public key)');
  return { t, k };
}

/**
 * The draft VAPID scheme (draft-ietf-webpush-vapid-01, still sent by libraries with the
 * aesgcm coding and accepted by autopush): the JWT in `Authorization: WebPush <JWT>` and the
 * key in `Crypto-Key: p256ecdsa=<key>`, rewritten as RFC 8292's `vapid t=…, k=…` so one
 * verifier judges both. Null when the Authorization is not that scheme; without a p256ecdsa
 * key the result has no k, which the verifier reports as such.
 */
export function legacyVapidCredentials(
  authorization: string | undefined,
  cryptoKey: string | undefined,
): string | null {
  const jwt = /^\s*webpush\s+([A-Za-z0-9_=.-]+)\s*$/i.exec(authorization ?? '')?.[1];
  if (jwt === undefined) return null;
  const key = /(?:^|[;,])\s*p256ecdsa\s*=\s*"?([A-Za-z0-9_-]+)=*"?/i.exec(cryptoKey ?? '')?.[1];
  return key === undefined ? `vapid t=${jwt}` : `vapid t=${jwt}, k=${key}`;
}

/** Checks a VAPID Authorization value; failures are data, because they become 401/403 responses. */
export function verifyVapid(
  headerValue: string | undefined,
  options: VerifyVapidOptions,
): VapidVerifyResult {
  try {
    return { ok: true, ...checkVapid(headerValue, options) };
  } catch (error) {
    const reason = error instanceof CryptoError ? REASON_BY_CODE[error.code] : undefined;
    if (reason !== undefined) return { ok: false, reason, error: error as CryptoError };
    throw error; // not a verdict on the token: a bug, so let it surface
  }
}

function checkVapid(
  headerValue: string | undefined,
  options: VerifyVapidOptions,
): { claims: VapidClaims; publicKey: Buffer } {
  const { t, k } = parseVapidHeader(headerValue);
  const publicKey = decodeOr(k, 'k');
  const key = importPublicKey(publicKey);
  const [headerPart, claimsPart, signaturePart, ...extra] = t.split('.');
  if (
    headerPart === undefined ||
    claimsPart === undefined ||
    signaturePart === undefined ||
    extra.length > 0
  ) {
    malformed('t is not a three-part JWS compact JWT');
  }
  const jwtHeader = parseJsonObject(headerPart, 'JWT header');
  if (jwtHeader.alg !== 'ES256') {
    malformed(`JWT alg is ${JSON.stringify(jwtHeader.alg)}, expected "ES256"`);
  }
  const claims = parseClaims(parseJsonObject(claimsPart, 'JWT claims'));
  const signature = decodeOr(signaturePart, 'JWT signature');

  if (options.expectedKey !== undefined && !publicKey.equals(options.expectedKey)) {
    fail('ERR_VAPID_KEY_MISMATCH', 'k is not the key this subscription was restricted to');
  }
  if (signature.length !== ES256_SIGNATURE_OCTETS) {
    fail(
      'ERR_VAPID_BAD_SIGNATURE',
      `signature is ${signature.length} octets, ES256 needs 64 raw r||s (DER given?)`,
    );
  }
  const input = Buffer.from(`${headerPart}.${claimsPart}`);
  if (!verify(ES256.digest, input, { key, dsaEncoding: ES256.dsaEncoding }, signature)) {
    fail('ERR_VAPID_BAD_SIGNATURE', 'JWT signature does not verify against k');
  }
  // Claims are trusted only from here on (RFC 8292 §4.2: never use data from a bad token).
  if (options.nowSeconds > claims.exp) {
    fail(
      'ERR_VAPID_EXPIRED',
      `exp ${claims.exp} is ${options.nowSeconds - claims.exp} s before now`,
    );
  }
  if (claims.exp - options.nowSeconds > VAPID_EXP_MAX_AHEAD_SECONDS) {
    fail(
      'ERR_VAPID_EXP_TOO_FAR',
      `exp ${claims.exp} is ${claims.exp - options.nowSeconds} s ahead, at most 86400`,
    );
  }
  if (claims.aud !== options.audience) {
    fail(
      'ERR_VAPID_AUD_MISMATCH',
      `aud ${JSON.stringify(claims.aud)} is not ${JSON.stringify(options.audience)}`,
    );
  }
  return { claims, publicKey };
}

function parseClaims(raw: Record<string, unknown>): VapidClaims {
  const { aud, exp, sub } = raw;
  if (typeof aud !== 'string') malformed('JWT claims lack a string aud');
  if (typeof exp !== 'number' || !Number.isFinite(exp)) malformed('JWT claims lack a numeric exp');
  if (sub !== undefined && typeof sub !== 'string') malformed('JWT sub is not a string');
  return { aud, exp, ...(sub === undefined ? {} : { sub }) };
}

function parseJsonObject(part: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeOr(part, what).toString('utf8'));
  } catch (cause) {
    if (cause instanceof CryptoError) throw cause;
    malformed(`${what} is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    malformed(`${what} is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Checks a b64u application-server key as given at subscribe time (RFC 8292 §3.2):
 * a 65-octet uncompressed P-256 point. Returns the raw key or a sentence saying what is wrong.
 */
export function parseVapidPublicKey(
  text: string,
): { ok: true; key: Buffer } | { ok: false; reason: string } {
  try {
    const key = decodeOr(text, 'key');
    importPublicKey(key);
    return { ok: true, key };
  } catch (error) {
    return { ok: false, reason: (error as Error).message.replace(/^k /, 'key ') };
  }
}

/** Application server keys kept imported; past this the oldest import is dropped. */
export const VAPID_KEY_OBJECTS_MAX = 1024;
/**
 * KeyObjects by their raw point (base64url): importing one costs about as much as the
 * signature check itself, and a sender that signs a new JWT for every request (web-push
 * does) still sends the same k. Only keys that imported are kept; a bad k is judged anew.
 */
const keyObjects = new Map<string, KeyObject>();

/** Raw point → KeyObject via JWK, which also rejects points off the curve. */
function importPublicKey(publicKey: Buffer): KeyObject {
  if (publicKey.length !== 65 || publicKey[0] !== 0x04) {
    malformed('k is not a 65-octet uncompressed P-256 point');
  }
  const id = publicKey.toString('base64url');
  const known = keyObjects.get(id);
  if (known) return known;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pointJwk(publicKey), format: 'jwk' });
  } catch (cause) {
    return malformed(`k is not a point on P-256: ${(cause as Error).message}`);
  }
  keyObjects.set(id, key);
  if (keyObjects.size > VAPID_KEY_OBJECTS_MAX) keyObjects.delete(keyObjects.keys().next().value!);
  return key;
}

function importPrivateKey(privateKey: Uint8Array, publicKey: Uint8Array): KeyObject {
  if (privateKey.length !== 32 || publicKey.length !== 65 || publicKey[0] !== 0x04) {
    throw new CryptoError(
      'ERR_VAPID_BAD_KEY',
      'VAPID keys must be a 32-octet private and 65-octet uncompressed public key',
    );
  }
  // JWK import does not check that d and (x, y) belong together, so derive and compare.
  const ecdh = createECDH('prime256v1');
  try {
    ecdh.setPrivateKey(privateKey);
  } catch (cause) {
    throw new CryptoError('ERR_VAPID_BAD_KEY', 'VAPID private key is not valid on P-256', {
      cause,
    });
  }
  if (!ecdh.getPublicKey().equals(publicKey)) {
    throw new CryptoError(
      'ERR_VAPID_BAD_KEY',
      'VAPID public key does not belong to the private key',
    );
  }
  return createPrivateKey({
    key: { ...pointJwk(publicKey), d: b64uEncode(privateKey) },
    format: 'jwk',
  });
}

function pointJwk(publicKey: Uint8Array): { kty: 'EC'; crv: 'P-256'; x: string; y: string } {
  return {
    kty: 'EC',
    crv: 'P-256',
    x: b64uEncode(publicKey.subarray(1, 33)),
    y: b64uEncode(publicKey.subarray(33, 65)),
  };
}

function isOrigin(text: string): boolean {
  try {
    return new URL(text).origin === text;
  } catch {
    return false;
  }
}

function decodeOr(text: string, what: string): Buffer {
  try {
    return b64uDecode(text);
  } catch (cause) {
    return malformed(`${what} is not base64url`, cause);
  }
}

function jsonB64u(value: object): string {
  return b64uEncode(Buffer.from(JSON.stringify(value)));
}

function malformed(message: string, cause?: unknown): never {
  throw new CryptoError('ERR_VAPID_MALFORMED', message, { cause });
}

function fail(code: CryptoErrorCode, message: string): never {
  throw new CryptoError(code, message);
}

/**
 * A verifier that remembers tokens whose signature it has checked (bounded, least recently
 * used first out): an application server reuses one token for hours (RFC 8292 §2), and the
 * signature check and key import dominate a send's cost. The time, audience and key checks
 * still run on every request.
 */
export class VapidVerifier {
  private readonly verified = new Map<string, { claims: VapidClaims; publicKey: Buffer }>();
  /** Requests answered from the cache (whatever the verdict), and those checked in full. */
  hits = 0;
  misses = 0;

  constructor(private readonly tokensMax = 10_000) {}

  /** Tokens remembered now (at most `tokensMax`). */
  get size(): number {
    return this.verified.size;
  }

  /**
   * Only a token whose signature verified is remembered, keyed by the exact header value (a
   * changed octet anywhere is another key, checked in full), and only until its exp: the
   * first request past it is refused as expired and the token forgotten. Time is the
   * caller's `nowSeconds` (the engine's clock), never the wall's.
   */
  verify(headerValue: string | undefined, options: VerifyVapidOptions): VapidVerifyResult {
    const hit = headerValue === undefined ? undefined : this.verified.get(headerValue);
    if (!hit) {
      this.misses += 1;
      const result = verifyVapid(headerValue, options);
      if (result.ok && headerValue !== undefined) this.remember(headerValue, result);
      return result;
    }
    this.hits += 1;
    this.verified.delete(headerValue!);
    const failure = cachedFailure(hit, options);
    // An expired token never becomes valid again: forget it rather than keep it first in line.
    if (failure?.ok === false && failure.reason === 'expired') return failure;
    this.verified.set(headerValue!, hit); // most recently used
    return failure ?? { ok: true, ...hit };
  }

  private remember(headerValue: string, value: { claims: VapidClaims; publicKey: Buffer }): void {
    this.verified.set(headerValue, { claims: value.claims, publicKey: value.publicKey });
    if (this.verified.size > this.tokensMax) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
  }
}

/** The checks that depend on the request, not the token: same order and words as checkVapid. */
function cachedFailure(
  hit: { claims: VapidClaims; publicKey: Buffer },
  options: VerifyVapidOptions,
): VapidVerifyResult | null {
  const result = (code: CryptoErrorCode, message: string): VapidVerifyResult => ({
    ok: false,
    reason: REASON_BY_CODE[code]!,
    error: new CryptoError(code, message),
  });
  const { claims } = hit;
  if (options.expectedKey !== undefined && !hit.publicKey.equals(options.expectedKey)) {
    return result('ERR_VAPID_KEY_MISMATCH', 'k is not the key this subscription was restricted to');
  }
  if (options.nowSeconds > claims.exp) {
    return result(
      'ERR_VAPID_EXPIRED',
      `exp ${claims.exp} is ${options.nowSeconds - claims.exp} s before now`,
    );
  }
  if (claims.exp - options.nowSeconds > VAPID_EXP_MAX_AHEAD_SECONDS) {
    return result(
      'ERR_VAPID_EXP_TOO_FAR',
      `exp ${claims.exp} is ${claims.exp - options.nowSeconds} s ahead, at most 86400`,
    );
  }
  if (claims.aud !== options.audience) {
    return result(
      'ERR_VAPID_AUD_MISMATCH',
      `aud ${JSON.stringify(claims.aud)} is not ${JSON.stringify(options.audience)}`,
    );
  }
  return null;
}
