import { describe, expect, it } from 'vitest';
import { huffmanOctets } from '../../../src/main/engine/crypto/hpack-length';
import {
  createVapidKeys,
  signVapidStableLength,
  verifyVapid,
} from '../../../src/main/engine/crypto/vapid';

describe('HPACK Huffman lengths', () => {
  it('match the encoded lengths of RFC 7541 Appendix C.4 and C.6', () => {
    expect(huffmanOctets('www.example.com')).toBe(12);
    expect(huffmanOctets('no-cache')).toBe(6);
    expect(huffmanOctets('custom-key')).toBe(8);
    expect(huffmanOctets('custom-value')).toBe(9);
    expect(huffmanOctets('302')).toBe(2);
    expect(huffmanOctets('private')).toBe(5);
    expect(huffmanOctets('Mon, 21 Oct 2013 20:13:21 GMT')).toBe(22);
    expect(huffmanOctets('https://www.example.com')).toBe(17);
  });
});

describe('VAPID headers of a stable length', () => {
  it('sign validly, with the same key from the same scalar, and always the same encoded length', () => {
    const scalar = new Uint8Array(32).fill(7);
    const keys = createVapidKeys(scalar);
    expect(createVapidKeys(scalar).publicKeyB64u).toBe(keys.publicKeyB64u);
    const options = {
      audience: 'https://push.example.net',
      subject: 'mailto:lab@push-lab.invalid',
      expiresAtSeconds: 1_767_225_600,
      privateKey: keys.privateKey,
      publicKey: keys.publicKey,
    };
    const headers = Array.from({ length: 30 }, () => signVapidStableLength(options));
    expect(new Set(headers).size).toBeGreaterThan(1); // ECDSA stays randomized
    expect(new Set(headers.map(huffmanOctets)).size).toBe(1);
    const result = verifyVapid(headers[0], {
      audience: 'https://push.example.net',
      nowSeconds: 1_767_225_000,
    });
    expect(result.ok).toBe(true);
  });
});
