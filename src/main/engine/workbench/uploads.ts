/**
 * Recordings uploaded by a client that cannot name a path (a browser, or a file dropped on
 * the Electron window): streamed to disk chunk by chunk, never held whole in memory. Each
 * upload says its size up front; the bytes are written to a temporary file in the
 * recordings folder and renamed into place only when all of them arrived. An upload that
 * fails, is aborted, goes quiet, or whose client goes away is deleted.
 *
 * Bounds: UPLOAD_CHUNK_BYTES_MAX per chunk, UPLOAD_BYTES_MAX per upload, one upload at a
 * time per client session, UPLOADS_BYTES_MAX across all uploads in progress.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import {
  UPLOAD_BYTES_MAX,
  UPLOAD_CHUNK_BYTES_MAX,
  UPLOAD_IDLE_MS,
  UPLOADS_BYTES_MAX,
} from '../../../shared/workbench';
import type { Clock, Timer } from '../clock/clock';
import { LabError } from '../errors';

/** An upload refused or failed; the sentence says why. */
export class UploadError extends LabError {
  override readonly name = 'UploadError';
  declare readonly code: 'ERR_UPLOAD';

  constructor(message: string, options?: ErrorOptions) {
    super('ERR_UPLOAD', message, options);
  }
}

interface Upload {
  id: string;
  owner: object;
  name: string;
  bytes: number;
  received: number;
  temporary: string;
  file: FileHandle;
  idle: Timer;
  /** Chunks are written one after another. */
  writing: Promise<unknown>;
}

/** The session an upload belongs to when the caller names none (a test, the CLI). */
const NO_SESSION = {};

export class Uploads {
  private readonly uploads = new Map<string, Upload>();

  constructor(
    private readonly dir: () => Promise<string>,
    private readonly wall: Clock,
  ) {}

  /** Bytes reserved by the uploads in progress. */
  get bytesInProgress(): number {
    let total = 0;
    for (const upload of this.uploads.values()) total += upload.bytes;
    return total;
  }

  async begin(owner: object = NO_SESSION, name: string, bytes: number): Promise<string> {
    for (const upload of this.uploads.values()) {
      if (upload.owner === owner) {
        throw new UploadError(
          `bundle.upload.begin: ${upload.name} is still uploading; one upload at a time (finish or abort it first)`,
        );
      }
    }
    if (bytes > UPLOAD_BYTES_MAX) {
      throw new UploadError(
        `bundle.upload.begin: ${name} is ${bytes} bytes; an upload may have at most ${UPLOAD_BYTES_MAX}`,
      );
    }
    if (this.bytesInProgress + bytes > UPLOADS_BYTES_MAX) {
      throw new UploadError(
        `bundle.upload.begin: ${bytes} more bytes would exceed the ${UPLOADS_BYTES_MAX} bytes all uploads in progress may hold (${this.bytesInProgress} now); try again when they finish`,
      );
    }
    const id = randomBytes(16).toString('base64url');
    const temporary = path.join(await this.dir(), `.upload-${id}.tmp`);
    const file = await open(temporary, 'wx', 0o600);
    const upload: Upload = {
      id,
      owner,
      name,
      bytes,
      received: 0,
      temporary,
      file,
      idle: this.idleTimer(id),
      writing: Promise.resolve(),
    };
    this.uploads.set(id, upload);
    return id;
  }

  /** Appends one chunk (base64); returns the bytes received so far. */
  async chunk(owner: object = NO_SESSION, id: string, base64: string): Promise<number> {
    const upload = this.owned(owner, id, 'bundle.upload.chunk');
    const data = Buffer.from(base64, 'base64');
    if (data.length > UPLOAD_CHUNK_BYTES_MAX) {
      await this.abort(owner, id);
      throw new UploadError(
        `bundle.upload.chunk: ${data.length} bytes in one chunk; a chunk may have at most ${UPLOAD_CHUNK_BYTES_MAX} (the upload is cancelled)`,
      );
    }
    if (upload.received + data.length > upload.bytes) {
      await this.abort(owner, id);
      throw new UploadError(
        `bundle.upload.chunk: more than the ${upload.bytes} bytes announced for ${upload.name} (the upload is cancelled)`,
      );
    }
    upload.received += data.length;
    upload.idle.cancel();
    upload.idle = this.idleTimer(id);
    const write = upload.writing.then(() => upload.file.write(data));
    upload.writing = write.catch(() => undefined);
    try {
      await write;
    } catch (error) {
      await this.abort(owner, id);
      throw new UploadError(
        `bundle.upload.chunk: cannot write ${upload.name} (${(error as NodeJS.ErrnoException).code ?? String(error)}; the upload is cancelled)`,
      );
    }
    return upload.received;
  }

  /** All bytes arrived: the upload becomes a recording file; returns its path and name. */
  async end(owner: object = NO_SESSION, id: string): Promise<{ file: string; name: string }> {
    const upload = this.owned(owner, id, 'bundle.upload.end');
    await upload.writing;
    if (upload.received !== upload.bytes) {
      await this.abort(owner, id);
      throw new UploadError(
        `bundle.upload.end: ${upload.name} announced ${upload.bytes} bytes and sent ${upload.received} (the upload is cancelled)`,
      );
    }
    this.forget(upload);
    const file = path.join(
      path.dirname(upload.temporary),
      `upload-${upload.id.slice(0, 12)}-${safeUploadName(upload.name)}`,
    );
    try {
      await upload.file.sync();
      await upload.file.close();
      await rename(upload.temporary, file);
    } catch (error) {
      await rm(upload.temporary, { force: true });
      throw error;
    }
    return { file, name: upload.name };
  }

  /** Deletes an upload in progress; false when there was none by that id. */
  async abort(owner: object = NO_SESSION, id: string): Promise<boolean> {
    const upload = this.uploads.get(id);
    if (!upload || upload.owner !== owner) return false;
    await this.discard(upload);
    return true;
  }

  /** The client went away: its upload goes too. */
  async closeSession(owner: object): Promise<void> {
    await Promise.all(
      [...this.uploads.values()].filter((u) => u.owner === owner).map((u) => this.discard(u)),
    );
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.uploads.values()].map((u) => this.discard(u)));
  }

  private owned(owner: object, id: string, command: string): Upload {
    const upload = this.uploads.get(id);
    // Another session's upload id is as unknown as a made-up one.
    if (!upload || upload.owner !== owner) {
      throw new UploadError(
        `${command}: no upload ${JSON.stringify(id)} in progress (it finished, was cancelled, or was idle more than ${UPLOAD_IDLE_MS / 1000} s)`,
      );
    }
    return upload;
  }

  private idleTimer(id: string): Timer {
    return this.wall.schedule(UPLOAD_IDLE_MS, () => {
      const upload = this.uploads.get(id);
      if (upload) void this.discard(upload);
    });
  }

  private forget(upload: Upload): void {
    upload.idle.cancel();
    this.uploads.delete(upload.id);
  }

  private async discard(upload: Upload): Promise<void> {
    this.forget(upload);
    await upload.writing;
    await upload.file.close().catch(() => undefined);
    await rm(upload.temporary, { force: true });
  }
}

function safeUploadName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'upload';
}
