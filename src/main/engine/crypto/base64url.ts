import { Buffer } from 'node:buffer';
import { CryptoError } from './errors';

/** Unpadded base64url (RFC 4648 §5), the encoding of every binary value in Web Push. */
export function b64uEncode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Strict decode. Buffer's decoder silently skips invalid characters and padding, which
 * would let two different strings name the same key; re-encoding and comparing rejects
 * invalid characters, `=` padding, impossible lengths and non-zero trailing bits at once.
 */
export function b64uDecode(text: string): Buffer {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) {
    throw new CryptoError('ERR_B64U_INVALID', `not canonical unpadded base64url: ${preview(text)}`);
  }
  return bytes;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
