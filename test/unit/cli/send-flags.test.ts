/**
 * `push-lab send`'s flag parsers (a refusal names the value and what is allowed), the
 * elision of the VAPID token's signature in what it prints, and its connection advice.
 */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  connectionProblem,
  elideSecrets,
  parseEncoding,
  parseSubject,
  parseTopicFlag,
  parseWait,
} from '../../../src/main/cli/send';
import { parseUrgencyFlag } from '../../../src/main/cli/options';
import { createVapidKeys, signVapid, signVapidLegacy } from '../../../src/main/engine/crypto';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('send flags', () => {
  it('accept what RFC 8030 allows and refuse the rest, naming value and allowed', () => {
    expect(parseUrgencyFlag('very-low')).toBe('very-low');
    expect(refusal(() => parseUrgencyFlag('urgent'))).toBe(
      'got "urgent"; allowed very-low, low, normal, high',
    );
    expect(refusal(() => parseUrgencyFlag('HIGH'))).toMatch(/^got "HIGH"/);
    expect(parseTopicFlag('news_1-a')).toBe('news_1-a');
    expect(refusal(() => parseTopicFlag('a'.repeat(33)))).toMatch(
      /\(33 characters\); allowed 1 to 32 characters of A-Z a-z 0-9 - _$/,
    );
    expect(refusal(() => parseTopicFlag('no spaces'))).toMatch(/^got "no spaces"/);
    expect(parseEncoding('aesgcm')).toBe('aesgcm');
    expect(refusal(() => parseEncoding('gzip'))).toBe('got "gzip"; allowed aes128gcm, aesgcm');
    expect(parseWait('600')).toBe(600);
    expect(refusal(() => parseWait('0'))).toBe('got "0"; allowed whole seconds from 1 to 600');
    expect(refusal(() => parseWait('601'))).toMatch(/^got "601"/);
    expect(parseSubject('mailto:qa@example.com')).toBe('mailto:qa@example.com');
    expect(parseSubject('https://example.com/contact')).toBe('https://example.com/contact');
    expect(refusal(() => parseSubject('qa@example.com'))).toMatch(
      /^got "qa@example.com"; allowed a mailto: or https: URI/,
    );
  });
});

describe('elideSecrets', () => {
  const keys = createVapidKeys();
  const options = {
    audience: 'https://push.example.net',
    subject: 'mailto:qa@example.com',
    expiresAtSeconds: 1_800_000_000,
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
  };

  it("shows a VAPID token's claims and key, never its signature, in either scheme", () => {
    for (const header of [signVapid(options), signVapidLegacy(options).authorization]) {
      const signature = /\.([\w-]+)(,|$)/.exec(header)![1]!;
      const shown = elideSecrets('Authorization', header);
      expect(shown).not.toContain(signature);
      expect(shown).toContain(
        '<JWT {"aud":"https://push.example.net","exp":1800000000,"sub":"mailto:qa@example.com"}, signature elided>',
      );
    }
    expect(elideSecrets('authorization', signVapid(options))).toContain(`k=${keys.publicKeyB64u}`);
    expect(elideSecrets('authorization', 'key=AAAA-server-key')).toBe('key=<credentials elided>');
    expect(elideSecrets('authorization', 'Bearer abc')).toBe('Bearer <credentials elided>');
    expect(elideSecrets('ttl', '60')).toBe('60');
  });
});

describe('connectionProblem', () => {
  it('points at --ca/--insecure for certificate failures and at --http1 for a failed h2c', () => {
    const cert = Object.assign(new Error('self-signed certificate'), {
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    expect(connectionProblem(new URL('https://127.0.0.1:8443/push/x'), cert, false)).toMatch(
      /^https:\/\/127\.0\.0\.1:8443: self-signed certificate; give the service's CA certificate with --ca FILE/,
    );
    const h2c = Object.assign(new Error('Protocol error'), { code: 'ERR_HTTP2_ERROR' });
    expect(connectionProblem(new URL('http://127.0.0.1:80/p'), h2c, false)).toMatch(/try --http1$/);
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(connectionProblem(new URL('https://x.example/p'), refused, false)).toBe(
      'https://x.example: connect ECONNREFUSED',
    );
  });
});
