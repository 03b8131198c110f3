import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { naturalCompare } from '../../../src/shared/natural-order';

describe('naturalCompare', () => {
  it('orders digit runs as numbers', () => {
    const ids = [
      'phone-10',
      'phone-2',
      'phone-1',
      'gw-3:sensor-12',
      'gw-3:sensor-2',
      'as',
      'phone-02',
    ];
    expect([...ids].sort(naturalCompare)).toEqual([
      'as',
      'gw-3:sensor-2',
      'gw-3:sensor-12',
      'phone-1',
      'phone-2',
      'phone-02',
      'phone-10',
    ]);
  });

  it('is a total order: antisymmetric, transitive, 0 only for equal strings', () => {
    const id = fc.stringMatching(/^[a-c0-9:-]{0,8}$/);
    fc.assert(
      fc.property(id, id, id, (a, b, c) => {
        expect(Math.sign(naturalCompare(a, b)) + Math.sign(naturalCompare(b, a))).toBe(0);
        expect(naturalCompare(a, b) === 0).toBe(a === b);
        if (naturalCompare(a, b) < 0 && naturalCompare(b, c) < 0) {
          expect(naturalCompare(a, c)).toBeLessThan(0);
        }
      }),
    );
  });
});
