/**
 * How many octets HPACK's Huffman code (RFC 7541 Appendix B) turns a header value into.
 * The lab needs only the length, never the code: a closed world keeps header blocks the
 * same length from run to run (see `signVapidStableLength`), because a link's bandwidth
 * and latency stages time every octet and a random-length header would shift a virtual
 * run by microseconds. Written here because no HPACK library exposes encoded lengths.
 */

/** Code length in bits of each printable ASCII symbol (32 ' ' … 126 '~'), RFC 7541 Appendix B. */
const PRINTABLE_BITS = [
  6,
  10,
  10,
  12,
  13,
  6,
  8,
  11,
  10,
  10,
  8,
  11,
  8,
  6,
  6,
  6, // ' ' … '/'
  5,
  5,
  5,
  6,
  6,
  6,
  6,
  6,
  6,
  6, // '0' … '9'
  7,
  8,
  15,
  6,
  12,
  10,
  13, // ':' … '@'
  6,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  7,
  8,
  7,
  8, // 'A' … 'Z'
  13,
  19,
  13,
  14,
  6,
  15, // '[' … '`'
  5,
  6,
  5,
  6,
  5,
  6,
  6,
  6,
  5,
  7,
  7,
  6,
  6,
  6,
  5,
  6,
  7,
  6,
  5,
  5,
  6,
  7,
  7,
  7,
  7,
  7, // 'a' … 'z'
  15,
  11,
  14,
  13, // '{' … '~'
];

/** Huffman-coded length in bits of a printable-ASCII string (other octets: a safe 30 bits). */
export function huffmanBits(text: string): number {
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    bits += PRINTABLE_BITS[text.charCodeAt(i) - 32] ?? 30;
  }
  return bits;
}

/** Octets of the Huffman-coded string (padded to a whole octet, as HPACK does). */
export function huffmanOctets(text: string): number {
  return Math.ceil(huffmanBits(text) / 8);
}

/** Mean Huffman bits of one base64url character (a random signature's expected cost). */
export const BASE64URL_MEAN_BITS =
  huffmanBits('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') / 64;
