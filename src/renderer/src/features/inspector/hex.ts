/** Hex text as a dump: 16 octets a line, offset first, octets in pairs of two. Pure. */
export function hexLines(hex: string): string[] {
  const lines: string[] = [];
  for (let at = 0; at < hex.length; at += 32) {
    const octets = hex.slice(at, at + 32).match(/../g) ?? [];
    lines.push(`${(at / 2).toString(16).padStart(4, '0')}  ${octets.join(' ')}`);
  }
  return lines;
}
