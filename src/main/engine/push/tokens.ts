import { randomFillSync } from 'node:crypto';

/** Bytes of CSPRNG output in every capability token: 144 bits (RFC 8030 §8.3 wants ≥ 120). */
export const TOKEN_BYTES = 18;

// One CSPRNG call per 256 tokens instead of one per token (a token per accepted message made
// randomBytes() ~15% of the send path's CPU). Every byte is used once, for one token only.
const pool = Buffer.alloc(TOKEN_BYTES * 256);
let used = pool.length;

/** A fresh unguessable path segment for a capability URL (24 base64url characters). */
export function newCapabilityToken(): string {
  if (used + TOKEN_BYTES > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const token = pool.toString('base64url', used, used + TOKEN_BYTES);
  used += TOKEN_BYTES;
  return token;
}

/**
 * Tokens from a seeded generator, for closed simulation runs only: a scenario's push service
 * takes no connection from outside (it does not listen; agents reach it over in-memory
 * links), so predictable tokens expose nothing, and byte-identical tokens make a virtual run
 * reproducible event for event (HPACK's Huffman code gives random tokens random lengths,
 * which would change link timings).
 */
export function seededTokens(nextUint32: () => number): () => string {
  return () => {
    const bytes = Buffer.alloc(Math.ceil(TOKEN_BYTES / 4) * 4);
    for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32BE(nextUint32() >>> 0, i);
    return bytes.subarray(0, TOKEN_BYTES).toString('base64url');
  };
}
