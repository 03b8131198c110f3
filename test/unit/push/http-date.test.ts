/**
 * `httpDate` (push/profiles/common.ts) formats once a second and reuses the text: it must give
 * exactly what `Date#toUTCString` gives for every instant, whatever order instants come in.
 */
import { describe, expect, it } from 'vitest';
import { httpDate } from '../../../src/main/engine/push/profiles/common';

describe('httpDate', () => {
  it('answers as toUTCString for instants within, across and back over seconds', () => {
    const instants = [0, 999, 1_000, 1_001, 500, 86_400_000 - 1, 86_400_000, 1_765_100_000_123];
    instants.push(1_765_100_000_999, 1_765_100_001_000, 1_765_099_999_999, -1, Number.NaN);
    for (const ms of instants) expect(httpDate(ms)).toBe(new Date(ms).toUTCString());
  });
});
