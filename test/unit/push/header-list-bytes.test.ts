/**
 * The 431 check's count (push/service.ts): RFC 7540 §6.5.2 octets (name + value + 32 a field),
 * exact whenever a list might be over the bound, UTF-8 included; 0 when it cannot be.
 */
import { describe, expect, it } from 'vitest';
import { headerListBytes, headerListBytesOver } from '../../../src/main/engine/push/service';

describe('headerListBytesOver', () => {
  it('is 0 for a list far below the bound, without counting it exactly', () => {
    expect(headerListBytesOver([':path', '/push/abc', 'ttl', '60'], 16_384)).toBe(0);
  });

  it('gives the exact octets of a list over the bound', () => {
    const raw = ['x-big', 'a'.repeat(200)];
    expect(headerListBytesOver(raw, 200)).toBe(5 + 200 + 32);
    expect(headerListBytesOver(raw, 237)).toBe(0);
    expect(headerListBytesOver(raw, 236)).toBe(237);
  });

  it('counts multi-octet characters as UTF-8 at the bound', () => {
    const raw = ['x-name', 'é'.repeat(50)]; // 100 octets, 50 characters
    const exact = headerListBytes(raw);
    expect(exact).toBe(6 + 100 + 32);
    expect(headerListBytesOver(raw, exact)).toBe(0);
    expect(headerListBytesOver(raw, exact - 1)).toBe(exact);
  });
});
