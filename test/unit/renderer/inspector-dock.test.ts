import { describe, expect, it } from 'vitest';
import {
  DOCK_SHARE_MAX,
  DOCK_WIDTH_MIN,
  HEX_OCTETS_MAX,
  HEX_OCTETS_MIN,
  clampDockWidth,
  hexOctetsPerLine,
} from '../../../src/renderer/src/features/inspector/dock';
import { hexLines } from '../../../src/renderer/src/features/inspector/hex';
import { ttlText } from '../../../src/renderer/src/features/inspector/story';

describe('inspector dock', () => {
  it('holds its width between the minimum and a share of the window', () => {
    expect(clampDockWidth(100, 1280)).toBe(DOCK_WIDTH_MIN);
    expect(clampDockWidth(400, 1280)).toBe(400);
    expect(clampDockWidth(5000, 1280)).toBe(Math.floor(1280 * DOCK_SHARE_MAX));
    // A window too narrow for the share still gets the minimum.
    expect(clampDockWidth(500, 300)).toBe(DOCK_WIDTH_MIN);
  });

  it('puts as many octets on a hex line as the width holds, in fours', () => {
    // "0000  " + 16 × "xx " less the last space = 6 + 47 = 53 characters.
    expect(hexOctetsPerLine(53)).toBe(16);
    expect(hexOctetsPerLine(52)).toBe(12);
    expect(hexOctetsPerLine(6 + 12 * 3 - 1)).toBe(12);
    expect(hexOctetsPerLine(200)).toBe(HEX_OCTETS_MAX);
    expect(hexOctetsPerLine(3)).toBe(HEX_OCTETS_MIN);
    // Every line it allows fits the width it was given.
    for (let chars = 17; chars < 80; chars++) {
      const octets = hexOctetsPerLine(chars);
      const line = hexLines('ab'.repeat(64), octets)[0]!;
      expect(line.length).toBeLessThanOrEqual(chars);
    }
  });
});

describe('inspector TTLs', () => {
  it('reads in the unit a person reads, with the exact seconds past a minute', () => {
    expect(ttlText(30)).toBe('30 s');
    expect(ttlText(0)).toBe('0 ms');
    expect(ttlText(3600)).toBe('1 h (3,600 s)');
    expect(ttlText(2_419_200)).toBe('28 d (2,419,200 s)');
  });
});
