import { randomBytes } from 'node:crypto';

/** Bytes of CSPRNG output in every capability token: 144 bits (RFC 8030 §8.3 wants ≥ 120). */
export const TOKEN_BYTES = 18;

/** A fresh unguessable path segment for a capability URL (24 base64url characters). */
export function newCapabilityToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}
