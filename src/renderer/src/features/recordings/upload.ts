/**
 * Uploading a dropped recording from a browser, pure: the size bound the contract allows
 * (base64 characters, so about three quarters of it in bytes), the sentence that refuses a
 * larger file, and the base64 encoding itself.
 */
import { BUNDLE_UPLOAD_MAX_CHARS } from '../../../../shared/workbench';

/** The largest file whose base64 fits BUNDLE_UPLOAD_MAX_CHARS. */
export const UPLOAD_BYTES_MAX = Math.floor(BUNDLE_UPLOAD_MAX_CHARS / 4) * 3;

/** Characters of the base64 (padded) of `bytes` bytes. */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

/** MiB to one decimal, rounded up (a file just over the bound never reads as equal to it). */
const mib = (bytes: number) => `${(Math.ceil(bytes / 104_857.6) / 10).toFixed(1)} MiB`;

/** Why a file cannot be uploaded, or null when it can. */
export function uploadProblem(name: string, bytes: number): string | null {
  if (bytes === 0) return `${name} is empty: it is not a recording.`;
  if (base64Length(bytes) <= BUNDLE_UPLOAD_MAX_CHARS) return null;
  return (
    `${name} is ${mib(bytes)}; a browser can upload at most ${mib(UPLOAD_BYTES_MAX)}. ` +
    'Open it by its path instead.'
  );
}

/** Bytes per chunk: a multiple of 3, so the chunks' base64 join without padding between. */
const CHUNK = 3 * 16_384;

/** Standard base64 (with padding) of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const chunk = bytes.subarray(start, start + CHUNK);
    parts.push(btoa(String.fromCharCode(...chunk)));
  }
  return parts.join('');
}
