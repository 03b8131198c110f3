import { describe, expect, it } from 'vitest';
import { hexLines } from '../../../src/renderer/src/features/inspector/hex';

describe('hex dump', () => {
  it('prints 16 octets a line with their offset', () => {
    const hex = Buffer.from(Array.from({ length: 20 }, (_, i) => i)).toString('hex');
    expect(hexLines(hex)).toEqual([
      '0000  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f',
      '0010  10 11 12 13',
    ]);
    expect(hexLines('')).toEqual([]);
  });

  it('prints fewer octets a line when asked, offsets following', () => {
    const hex = Buffer.from(Array.from({ length: 10 }, (_, i) => i)).toString('hex');
    expect(hexLines(hex, 4)).toEqual(['0000  00 01 02 03', '0004  04 05 06 07', '0008  08 09']);
  });
});
