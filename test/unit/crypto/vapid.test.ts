import { loadVectors } from '../../helpers/vectors';
import { describe, expect, it } from 'vitest';
import {
  b64uDecode,
  b64uEncode,
  createVapidKeys,
  CryptoError,
  parseVapidHeader,
  signVapid,
  vapidSigningInput,
  verifyVapid,
  type VapidFailureReason,
  type VerifyVapidOptions,
} from '../../../src/main/engine/crypto';

interface Rfc8292Vector {
  authorization_header: string;
  t: string;
  k: string;
  jwt_header: Record<string, string>;
  jwt_claims: { aud: string; exp: number; sub: string };
  jwk: { x: string; y: string };
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

function reasonOf(
  header: string | undefined,
  options: VerifyVapidOptions,
): VapidFailureReason | 'ok' {
  const result = verifyVapid(header, options);
  return result.ok ? 'ok' : result.reason;
}

const vector = loadVectors('rfc8292.json') as Rfc8292Vector;
const exp = vector.jwt_claims.exp;
const AUDIENCE = 'https://push.example.net';
const NOW_SECONDS = 1_700_000_000;
const json = (part: string) => JSON.parse(b64uDecode(part).toString('utf8')) as unknown;
const withSignature = (t: string, signature: Buffer) =>
  `${t.split('.').slice(0, 2).join('.')}.${b64uEncode(signature)}`;

describe('RFC 8292 §2.4 vector', () => {
  it('parses t and k out of the Authorization value', () => {
    expect(parseVapidHeader(vector.authorization_header)).toEqual({ t: vector.t, k: vector.k });
  });

  it('JWT header and claims decode to the vector, and re-encode byte for byte', () => {
    const [header = '', claims = '', signature = ''] = vector.t.split('.');
    expect(json(header)).toEqual(vector.jwt_header);
    expect(json(claims)).toEqual(vector.jwt_claims);
    expect(vapidSigningInput(vector.jwt_claims)).toBe(`${header}.${claims}`);
    expect(b64uDecode(signature).length).toBe(64);
  });

  it('k is the JWK point (x, y)', () => {
    const k = b64uDecode(vector.k);
    expect(k.length).toBe(65);
    expect(b64uEncode(k.subarray(1, 33))).toBe(vector.jwk.x);
    expect(b64uEncode(k.subarray(33))).toBe(vector.jwk.y);
  });

  it('verifies with a clock one hour before exp', () => {
    const result = verifyVapid(vector.authorization_header, {
      audience: AUDIENCE,
      nowSeconds: exp - 3600,
      expectedKey: b64uDecode(vector.k),
    });
    expect(result).toEqual({
      ok: true,
      claims: vector.jwt_claims,
      publicKey: b64uDecode(vector.k),
    });
  });

  it('exp bounds: now = exp and now = exp − 24 h pass; one second beyond fails', () => {
    const at = (nowSeconds: number) =>
      reasonOf(vector.authorization_header, { audience: AUDIENCE, nowSeconds });
    expect(at(exp)).toBe('ok');
    expect(at(exp + 1)).toBe('expired');
    expect(at(exp - 86_400)).toBe('ok');
    expect(at(exp - 86_401)).toBe('exp-too-far');
  });

  it('wrong audience or restricted key', () => {
    const nowSeconds = exp - 60;
    expect(
      reasonOf(vector.authorization_header, { audience: 'https://push.example.org', nowSeconds }),
    ).toBe('aud-mismatch');
    expect(reasonOf(vector.authorization_header, { audience: `${AUDIENCE}/`, nowSeconds })).toBe(
      'aud-mismatch',
    );
    const otherKey = createVapidKeys().publicKey;
    expect(
      reasonOf(vector.authorization_header, {
        audience: AUDIENCE,
        nowSeconds,
        expectedKey: otherKey,
      }),
    ).toBe('key-mismatch');
  });
});

describe('VAPID sign → verify', () => {
  const keys = createVapidKeys();
  const header = signVapid({
    audience: AUDIENCE,
    subject: 'mailto:ops@example.com',
    expiresAtSeconds: NOW_SECONDS + 12 * 3600,
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
  });
  const options = { audience: AUDIENCE, nowSeconds: NOW_SECONDS, expectedKey: keys.publicKey };

  it('createVapidKeys gives 65/32 octets and matching b64u', () => {
    expect(keys.publicKey.length).toBe(65);
    expect(keys.privateKey.length).toBe(32);
    expect(b64uDecode(keys.publicKeyB64u)).toEqual(keys.publicKey);
    expect(b64uDecode(keys.privateKeyB64u)).toEqual(keys.privateKey);
  });

  it('emits `vapid t=<jwt>, k=<key>` with a 64-octet raw signature', () => {
    expect(header).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
    const { t, k } = parseVapidHeader(header);
    expect(k).toBe(keys.publicKeyB64u);
    expect(b64uDecode(t.split('.')[2] ?? '').length).toBe(64);
    expect(json(t.split('.')[1] ?? '')).toEqual({
      aud: AUDIENCE,
      exp: NOW_SECONDS + 12 * 3600,
      sub: 'mailto:ops@example.com',
    });
  });

  it('verifies, and omits sub when not given', () => {
    expect(verifyVapid(header, options).ok).toBe(true);
    const bare = signVapid({ audience: AUDIENCE, expiresAtSeconds: NOW_SECONDS + 60, ...keys });
    const result = verifyVapid(bare, options);
    expect(result.ok && result.claims).toEqual({ aud: AUDIENCE, exp: NOW_SECONDS + 60 });
  });

  it('accepts scheme and parameter names in any case, quoted values, unknown parameters', () => {
    const { t, k } = parseVapidHeader(header);
    expect(reasonOf(`VAPID  realm="x, y" , T="${t}",K=${k}, foo=bar`, options)).toBe('ok');
  });

  it('refuses to sign with a path in the audience, a fractional exp, or mismatched keys', () => {
    const base = { audience: AUDIENCE, expiresAtSeconds: NOW_SECONDS, ...keys };
    expect(codeOf(() => signVapid({ ...base, audience: `${AUDIENCE}/push/abc` }))).toBe(
      'ERR_VAPID_BAD_CLAIMS',
    );
    expect(codeOf(() => signVapid({ ...base, expiresAtSeconds: NOW_SECONDS + 0.5 }))).toBe(
      'ERR_VAPID_BAD_CLAIMS',
    );
    expect(codeOf(() => signVapid({ ...base, publicKey: createVapidKeys().publicKey }))).toBe(
      'ERR_VAPID_BAD_KEY',
    );
    expect(codeOf(() => signVapid({ ...base, privateKey: Buffer.alloc(32) }))).toBe(
      'ERR_VAPID_BAD_KEY',
    );
  });
});

describe('VAPID verification failures, one per reason', () => {
  const keys = createVapidKeys();
  const sign = (expiresAtSeconds: number, audience = AUDIENCE) =>
    signVapid({
      audience,
      expiresAtSeconds,
      privateKey: keys.privateKey,
      publicKey: keys.publicKey,
    });
  const good = sign(NOW_SECONDS + 3600);
  const { t, k } = parseVapidHeader(good);
  const options = { audience: AUDIENCE, nowSeconds: NOW_SECONDS };
  const jwt = (header: object, claims: object) =>
    `${b64uEncode(Buffer.from(JSON.stringify(header)))}.${b64uEncode(Buffer.from(JSON.stringify(claims)))}.${t.split('.')[2]}`;

  it('missing: no header, empty, another scheme', () => {
    for (const value of [undefined, '', '   ', `Bearer ${t}`, `WebPush ${t}`]) {
      expect(reasonOf(value, options), String(value)).toBe('missing');
    }
    expect(codeOf(() => parseVapidHeader(undefined))).toBe('ERR_VAPID_MISSING');
  });

  it('malformed: parameters', () => {
    for (const value of [
      'vapid',
      `vapid t=${t}`,
      `vapid k=${k}`,
      `vapid t=${t}, t=${t}, k=${k}`,
      `vapid t=${t} k=${k}`,
      `vapid t=${t}, k="${k}`,
    ]) {
      expect(reasonOf(value, options), value).toBe('malformed');
    }
    expect(codeOf(() => parseVapidHeader(`vapid t=${t}`))).toBe('ERR_VAPID_MALFORMED');
  });

  it('malformed: key', () => {
    const offCurve = b64uDecode(k);
    offCurve[64] = (offCurve[64] ?? 0) ^ 0x01;
    for (const key of [
      `${k}=`,
      k.slice(0, -2),
      b64uEncode(Buffer.concat([Buffer.from([2]), b64uDecode(k).subarray(1, 33)])),
      b64uEncode(offCurve),
    ]) {
      expect(reasonOf(`vapid t=${t}, k=${key}`, options), key).toBe('malformed');
    }
  });

  it('malformed: JWT', () => {
    const claims = { aud: AUDIENCE, exp: NOW_SECONDS + 60 };
    for (const token of [
      t.split('.').slice(0, 2).join('.'),
      `${t}.extra`,
      `!!.${t}`,
      jwt({ typ: 'JWT', alg: 'HS256' }, claims),
      jwt({ typ: 'JWT', alg: 'ES256' }, { aud: AUDIENCE }),
      jwt({ typ: 'JWT', alg: 'ES256' }, { aud: 7, exp: NOW_SECONDS }),
      jwt({ typ: 'JWT', alg: 'ES256' }, [1, 2]),
      `${b64uEncode(Buffer.from('not json'))}.${t.split('.')[1]}.${t.split('.')[2]}`,
    ]) {
      expect(reasonOf(`vapid t=${token}, k=${k}`, options), token).toBe('malformed');
    }
  });

  it('bad-signature: flipped bit, another signer, DER-length signature, claims edited', () => {
    const signature = b64uDecode(t.split('.')[2] ?? '');
    const flipped = Buffer.from(signature);
    flipped[10] = (flipped[10] ?? 0) ^ 0x01;
    expect(reasonOf(`vapid t=${withSignature(t, flipped)}, k=${k}`, options)).toBe('bad-signature');
    expect(
      reasonOf(`vapid t=${vector.t}, k=${k}`, { audience: AUDIENCE, nowSeconds: exp - 60 }),
    ).toBe('bad-signature');
    expect(reasonOf(`vapid t=${withSignature(t, Buffer.alloc(71, 1))}, k=${k}`, options)).toBe(
      'bad-signature',
    );
    const later = jwt({ typ: 'JWT', alg: 'ES256' }, { aud: AUDIENCE, exp: NOW_SECONDS + 7200 });
    expect(reasonOf(`vapid t=${later}, k=${k}`, options)).toBe('bad-signature');
  });

  it('expired, exp-too-far, aud-mismatch, key-mismatch', () => {
    expect(reasonOf(sign(NOW_SECONDS - 1), options)).toBe('expired');
    expect(reasonOf(sign(NOW_SECONDS + 86_401), options)).toBe('exp-too-far');
    expect(reasonOf(sign(NOW_SECONDS + 86_400), options)).toBe('ok');
    expect(reasonOf(sign(NOW_SECONDS + 60, 'https://evil.example'), options)).toBe('aud-mismatch');
    expect(reasonOf(good, { ...options, expectedKey: createVapidKeys().publicKey })).toBe(
      'key-mismatch',
    );
  });

  it('each failure carries a CryptoError whose code matches the reason', () => {
    const result = verifyVapid(sign(NOW_SECONDS - 1), options);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toBeInstanceOf(CryptoError);
      expect(result.error.code).toBe('ERR_VAPID_EXPIRED');
    }
  });
});
