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
