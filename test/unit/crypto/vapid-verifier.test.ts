import { describe, expect, it } from 'vitest';
import { createVapidKeys, signVapid, VapidVerifier } from '../../../src/main/engine/crypto';

describe('VapidVerifier (cached signature checks)', () => {
  const keys = createVapidKeys();
  const now = 1_800_000_000;
  const token = signVapid({
    audience: 'https://push.test',
    expiresAtSeconds: now + 3600,
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
  });

  it('accepts a token again from its cache and still applies time, audience and key checks', () => {
    const verifier = new VapidVerifier();
    expect(verifier.verify(token, { audience: 'https://push.test', nowSeconds: now }).ok).toBe(
      true,
    );
    expect(verifier.verify(token, { audience: 'https://push.test', nowSeconds: now + 10 }).ok).toBe(
      true,
    );
    expect(
      verifier.verify(token, { audience: 'https://push.test', nowSeconds: now + 3601 }),
    ).toMatchObject({ ok: false, reason: 'expired' });
    expect(
      verifier.verify(token, { audience: 'https://other.test', nowSeconds: now }),
    ).toMatchObject({ ok: false, reason: 'aud-mismatch' });
    const other = createVapidKeys();
    expect(
      verifier.verify(token, {
        audience: 'https://push.test',
        nowSeconds: now,
        expectedKey: other.publicKey,
      }),
    ).toMatchObject({
      ok: false,
      reason: 'key-mismatch',
    });
  });

  it('never caches a token whose signature failed', () => {
    const verifier = new VapidVerifier();
    const forged = token.replace(
      /t=([^.]+)\.([^.]+)\.(\S+?),/,
      (_m, h: string, c: string) => `t=${h}.${c}.${'A'.repeat(86)},`,
    );
    expect(
      verifier.verify(forged, { audience: 'https://push.test', nowSeconds: now }),
    ).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(
      verifier.verify(forged, { audience: 'https://push.test', nowSeconds: now }),
    ).toMatchObject({ ok: false, reason: 'bad-signature' });
  });
});

describe('VapidVerifier: what the cache must still refuse', () => {
  const keys = createVapidKeys();
  const now = 1_800_000_000;
  const audience = 'https://push.test';
  const sign = (exp: number, signer = keys): string =>
    signVapid({
      audience,
      expiresAtSeconds: exp,
      privateKey: signer.privateKey,
      publicKey: signer.publicKey,
    });

  it('counts hits and misses: the same header value is checked in full once', () => {
    const verifier = new VapidVerifier();
    const token = sign(now + 600);
    for (let i = 0; i < 5; i++)
      expect(verifier.verify(token, { audience, nowSeconds: now }).ok).toBe(true);
    expect({ hits: verifier.hits, misses: verifier.misses, size: verifier.size }).toEqual({
      hits: 4,
      misses: 1,
      size: 1,
    });
  });

  it('refuses a cached token once past its exp, and forgets it', () => {
    const verifier = new VapidVerifier();
    const token = sign(now + 60);
    expect(verifier.verify(token, { audience, nowSeconds: now }).ok).toBe(true);
    expect(verifier.verify(token, { audience, nowSeconds: now + 61 })).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    expect(verifier.size).toBe(0);
    // Checked in full again (a miss), and still expired: no verdict outlives its cause.
    expect(verifier.verify(token, { audience, nowSeconds: now + 61 })).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    expect(verifier.misses).toBe(2);
  });

  it('refuses a token tampered after the genuine one was cached (claims or key swapped)', () => {
    const verifier = new VapidVerifier();
    const token = sign(now + 600);
    expect(verifier.verify(token, { audience, nowSeconds: now }).ok).toBe(true);
    const [, header, claims] = /t=([^.]+)\.([^.]+)\./.exec(token)!;
    const laterClaims = Buffer.from(
      JSON.stringify({ aud: audience, exp: now + 7200, sub: 'mailto:a@b.c' }),
    ).toString('base64url');
    const tampered = token.replace(`${header}.${claims}.`, `${header}.${laterClaims}.`);
    expect(verifier.verify(tampered, { audience, nowSeconds: now })).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    // The same JWT presented under another application server's key.
    const other = createVapidKeys();
    const otherKey = token.replace(/k=\S+$/, `k=${other.publicKeyB64u}`);
    expect(verifier.verify(otherKey, { audience, nowSeconds: now })).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    expect({ hits: verifier.hits, size: verifier.size }).toEqual({ hits: 0, size: 1 });
  });

  it('refuses a cached token for a subscription restricted to another key', () => {
    const verifier = new VapidVerifier();
    const token = sign(now + 600);
    verifier.verify(token, { audience, nowSeconds: now });
    const other = createVapidKeys();
    expect(
      verifier.verify(token, { audience, nowSeconds: now, expectedKey: other.publicKey }),
    ).toMatchObject({ ok: false, reason: 'key-mismatch' });
    expect(verifier.hits).toBe(1);
  });

  it('stays within its bound, dropping the least recently used token', () => {
    const verifier = new VapidVerifier(2);
    const [a, b, c] = [sign(now + 601), sign(now + 602), sign(now + 603)];
    verifier.verify(a, { audience, nowSeconds: now });
    verifier.verify(b, { audience, nowSeconds: now });
    verifier.verify(a, { audience, nowSeconds: now }); // a is now the most recent
    verifier.verify(c, { audience, nowSeconds: now }); // b goes
    expect(verifier.size).toBe(2);
    const hits = verifier.hits;
    verifier.verify(a, { audience, nowSeconds: now });
    expect(verifier.hits).toBe(hits + 1);
    verifier.verify(b, { audience, nowSeconds: now });
    expect(verifier.hits).toBe(hits + 1); // checked in full: it had been dropped
  });
});
