/**
 * Reading a file the user named, safely: `stat` first, only a regular file under a stated
 * size, then a read that stops at that size. A device (/dev/zero), a FIFO, a directory or a
 * file that grows while being read is refused with a sentence, never read into memory.
 */
import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { errorCode, FileError } from './atomic-write';

/** Why a path is not a regular file, in words. */
function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Refuses anything but a regular file of at most `bytesMax` bytes; returns its size. */
export async function checkRegularFile(
  file: string,
  bytesMax: number,
  what: string,
): Promise<number> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    throw new FileError('ERR_FILE_IO', `${file}: cannot read it (${errorCode(error)})`, {
      cause: error,
    });
  }
  if (!info.isFile()) {
    throw new FileError(
      'ERR_FILE_NOT_REGULAR',
      `${file}: is ${kindOf(info)}; a ${what} must be a regular file`,
    );
  }
  if (info.size > bytesMax) {
    throw new FileError(
      'ERR_FILE_TOO_LARGE',
      `${file}: ${info.size} bytes; a ${what} may have at most ${bytesMax}`,
    );
  }
  return info.size;
}

/** The bytes of `file`, a regular file of at most `bytesMax` bytes. */
export async function readBoundedFile(
  file: string,
  bytesMax: number,
  what: string,
): Promise<Buffer> {
  await checkRegularFile(file, bytesMax, what);
  let handle;
  try {
    // O_NONBLOCK: should a FIFO replace the file after the stat, opening it does not hang.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new FileError('ERR_FILE_IO', `${file}: cannot read it (${errorCode(error)})`, {
      cause: error,
    });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new FileError(
        'ERR_FILE_NOT_REGULAR',
        `${file}: is ${kindOf(info)}; a ${what} must be a regular file`,
      );
    }
    // One byte more than allowed tells a file that grew since the stat.
    const buffer = Buffer.alloc(Math.min(info.size, bytesMax) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > bytesMax) {
      throw new FileError(
        'ERR_FILE_TOO_LARGE',
        `${file}: more than ${bytesMax} bytes; a ${what} may have at most ${bytesMax}`,
      );
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}
