/**
 * Uploading a dropped recording (a browser, or the Electron window: neither hands the
 * engine a path): the size bound, the sentence that refuses a larger file, the base64
 * encoding, and the upload itself — begin, one bounded chunk at a time read from the file
 * (never the whole file in memory), end. A failure aborts it, so the engine deletes it.
 */
import { fail, type Result } from '../../../../shared/result';
import type { RunStatus } from '../../../../shared/workbench';
import { UPLOAD_BYTES_MAX, UPLOAD_CHUNK_BYTES_MAX } from '../../../../shared/workbench';
import type { CallCommand } from '../run/run-actions';

export { UPLOAD_BYTES_MAX };

/** Characters of the base64 (padded) of `bytes` bytes. */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

/** MiB to one decimal, rounded up (a file just over the bound never reads as equal to it). */
const mib = (bytes: number) => `${(Math.ceil(bytes / 104_857.6) / 10).toFixed(1)} MiB`;

/** Why a file cannot be uploaded, or null when it can. */
export function uploadProblem(name: string, bytes: number): string | null {
  if (bytes === 0) return `${name} is empty: it is not a recording.`;
  if (bytes <= UPLOAD_BYTES_MAX) return null;
  return (
    `${name} is ${mib(bytes)}; an upload may have at most ${mib(UPLOAD_BYTES_MAX)}. ` +
    'Put it in the recordings folder and open it by name instead.'
  );
}

/** Bytes per btoa call: a multiple of 3, so the parts' base64 join without padding between. */
const ENCODE_BYTES = 3 * 16_384;

/** Standard base64 (with padding) of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let start = 0; start < bytes.length; start += ENCODE_BYTES) {
    const chunk = bytes.subarray(start, start + ENCODE_BYTES);
    parts.push(btoa(String.fromCharCode(...chunk)));
  }
  return parts.join('');
}

/** The part of a File an upload reads (a Blob slice at a time). */
export interface UploadSource {
  name: string;
  size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** Uploads `file` chunk by chunk and opens it; aborts the upload on any failure. */
export async function uploadRecording(
  call: CallCommand,
  file: UploadSource,
): Promise<Result<RunStatus>> {
  const begun = await call({ type: 'bundle.upload.begin', name: file.name, bytes: file.size });
  if (!begun.ok) return begun;
  const { uploadId } = begun.value;
  for (let start = 0; start < file.size; start += UPLOAD_CHUNK_BYTES_MAX) {
    let data: string;
    try {
      const bytes = await file.slice(start, start + UPLOAD_CHUNK_BYTES_MAX).arrayBuffer();
      data = toBase64(new Uint8Array(bytes));
    } catch (error) {
      await call({ type: 'bundle.upload.abort', uploadId });
      return fail('ERR_UPLOAD', `could not read ${file.name}: ${(error as Error).message}`);
    }
    const sent = await call({ type: 'bundle.upload.chunk', uploadId, data });
    if (!sent.ok) {
      await call({ type: 'bundle.upload.abort', uploadId });
      return sent;
    }
  }
  return call({ type: 'bundle.upload.end', uploadId });
}
