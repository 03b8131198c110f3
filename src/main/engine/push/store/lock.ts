/**
 * One process at a time in a store directory: a `LOCK` file holding the holder's pid.
 * A lock whose pid is no longer alive (its process was killed with -9) is stale and taken
 * over; a live holder — another process, or this one through another open — is refused.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { StoreError } from './store';

export const LOCK_FILE = 'LOCK';

/** Directories this process holds (its own pid in a lock file does not mean "stale"). */
const heldHere = new Set<string>();

export interface StoreLock {
  release(): Promise<void>;
}

/** Is a process with this pid running on this machine? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function holderOf(file: string): Promise<number | null> {
  try {
    const pid = Number.parseInt(await readFile(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export async function acquireLock(dir: string): Promise<StoreLock> {
  const file = path.join(dir, LOCK_FILE);
  if (heldHere.has(file)) {
    throw new StoreError(
      `store ${dir} is already open in this process (pid ${process.pid}); close it first`,
      'ERR_STORE_LOCKED',
    );
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      try {
        await handle.writeFile(`${process.pid}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      heldHere.add(file);
      return {
        async release() {
          heldHere.delete(file);
          if ((await holderOf(file)) === process.pid) await unlink(file).catch(() => {});
        },
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new StoreError(
          `store ${dir}: cannot create its lock file ${file} (${code ?? String(error)})`,
          'ERR_STORE_IO',
        );
      }
    }
    const pid = await holderOf(file);
    if (pid !== null && pid !== process.pid && alive(pid)) {
      throw new StoreError(
        `store ${dir} is in use by process ${pid} (lock file ${file}); stop that process or choose another store directory`,
        'ERR_STORE_LOCKED',
      );
    }
    // Stale (dead pid, our own recycled pid, or an unreadable half-written lock): take it over.
    await unlink(file).catch(() => {});
  }
  throw new StoreError(
    `store ${dir}: another process took its lock ${file} while this one was taking it over`,
    'ERR_STORE_LOCKED',
  );
}
