/**
 * Hex text as a dump: `octets` a line (16 by default), offset first, octets in pairs of two.
 * Pure.
 */
export function hexLines(hex: string, octets = 16): string[] {
  const lines: string[] = [];
  const step = Math.max(1, Math.floor(octets)) * 2;
  for (let at = 0; at < hex.length; at += step) {
    const pairs = hex.slice(at, at + step).match(/../g) ?? [];
    lines.push(`${(at / 2).toString(16).padStart(4, '0')}  ${pairs.join(' ')}`);
  }
  return lines;
}
