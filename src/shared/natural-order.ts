/**
 * Ids in the order a person reads them: runs of digits compare as numbers, so phone-2 comes
 * before phone-10 (code-point order puts phone-10 first). Written here rather than with
 * Intl.Collator's numeric option so that the order — and every report listing ids — is the
 * same whatever locale data the runtime carries. Pure.
 */
export function naturalCompare(a: string, b: string): number {
  const pa = a.match(CHUNKS) ?? [];
  const pb = b.match(CHUNKS) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = DIGITS.test(x);
    const ny = DIGITS.test(y);
    if (nx && ny) {
      // Longer digit runs (without leading zeros) are larger numbers; equal lengths compare as text.
      const sx = x.replace(/^0+(?=\d)/, '');
      const sy = y.replace(/^0+(?=\d)/, '');
      if (sx.length !== sy.length) return sx.length - sy.length;
      if (sx !== sy) return sx < sy ? -1 : 1;
      // Same number, other zeros: fewer leading zeros first, so the order stays total.
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

const CHUNKS = /\d+|\D+/g;
const DIGITS = /^\d/;
