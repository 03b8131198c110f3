/**
 * The one way the engine replaces a file: scenario saves, bundles, the recent list, the TLS
 * identity. The new content goes to a temporary file in the same directory, is fsynced, and
 * is renamed over the target; then the directory is fsynced so the rename itself survives a
 * crash. A reader (or a crash) sees the old file or the new one, never half of one.
 *
 * Hand-written rather than `write-file-atomic`: that package is not a dependency, and we
 * also need a producer that writes the temporary file itself (a bundle writer) and the
 * exclusive-create check (`overwrite: false`).
 */
import { randomBytes } from 'node:crypto';
import { lstat, open, readlink, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { LabError } from '../errors';

export interface AtomicWriteOptions {
  /** false: refuse with FileExistsError when the target exists. Default true. */
  overwrite?: boolean;
  /** Mode of a new file (an existing file keeps its own unless `keepMode` is false). Default 0o644. */
  mode?: number;
  /** false: `mode` even over an existing file's (a private key is 0600 whatever it was). */
  keepMode?: boolean;
}

/** Symlinks followed before giving up (as the kernel's ELOOP limit). */
const SYMLINK_HOPS_MAX = 40;

/** A save that would replace a file the caller asked to keep. */
export class FileExistsError extends LabError {
  override readonly name = 'FileExistsError';
  declare readonly code: 'ERR_EXISTS';

  constructor(message: string, options?: ErrorOptions) {
    super('ERR_EXISTS', message, options);
  }
}

/** A file the engine could not read or write; the sentence names the file and why. */
export class FileError extends LabError {
  override readonly name = 'FileError';
  declare readonly code: FileErrorCode;

  constructor(code: FileErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

export type FileErrorCode =
  /** The system refused a read or write (the errno is in the message), or a symlink loop. */
  | 'ERR_FILE_IO'
  /** A directory, device or pipe where a regular file was expected. */
  | 'ERR_FILE_NOT_REGULAR'
  /** Larger than the bound for its kind (the message says both sizes). */
  | 'ERR_FILE_TOO_LARGE';

/**
 * Replaces `file` with `content` — a string, bytes, or a producer that writes the given
 * temporary path. A symlink is followed: its target is replaced, the link stays. Returns
 * the path actually written (the link's target, or `file`).
 */
export async function writeFileAtomic(
  file: string,
  content: string | Uint8Array | ((temporary: string) => Promise<void>),
  options: AtomicWriteOptions = {},
): Promise<string> {
  let target: string;
  try {
    target = await followLinks(path.resolve(file));
  } catch (error) {
    throw new FileError('ERR_FILE_IO', `${file}: cannot write it (${errorCode(error)})`, {
      cause: error,
    });
  }
  const existingMode = await modeOf(target);
  if (existingMode !== null && options.overwrite === false) {
    throw new FileExistsError(`${file}: exists already; save over it, or choose another name`);
  }
  const mode =
    options.keepMode === false ? (options.mode ?? 0o644) : (existingMode ?? options.mode ?? 0o644);
  const temporary = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    if (typeof content === 'function') {
      await content(temporary);
      const handle = await open(temporary, 'r+');
      try {
        await handle.chmod(mode);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } else {
      const handle = await open(temporary, 'wx', mode);
      try {
        await handle.writeFile(content);
        // The umask may have narrowed the mode given to open().
        await handle.chmod(mode);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    if (error instanceof FileExistsError) throw error;
    throw new FileError('ERR_FILE_IO', `${file}: cannot write it (${errorCode(error)})`, {
      cause: error,
    });
  }
  await syncDirectory(path.dirname(target));
  return target;
}

/** The file a chain of symlinks ends at (which may not exist yet); `file` when it is none. */
export async function followLinks(file: string): Promise<string> {
  let current = file;
  for (let hop = 0; hop < SYMLINK_HOPS_MAX; hop++) {
    let isLink: boolean;
    try {
      isLink = (await lstat(current)).isSymbolicLink();
    } catch {
      // Not there: a new file in its (real) directory.
      return path.join(await realpath(path.dirname(current)), path.basename(current));
    }
    if (!isLink) return realpath(current);
    current = path.resolve(path.dirname(current), await readlink(current));
  }
  throw new FileError(
    'ERR_FILE_IO',
    `${file}: more than ${SYMLINK_HOPS_MAX} symlinks to follow (ELOOP)`,
  );
}

async function modeOf(file: string): Promise<number | null> {
  try {
    return (await stat(file)).mode & 0o7777;
  } catch {
    return null;
  }
}

/** Makes a rename in `dir` durable. Some platforms cannot open a directory: best effort there. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows (EISDIR/EPERM): the rename is as durable as that platform makes it.
  } finally {
    await handle?.close();
  }
}

export function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
