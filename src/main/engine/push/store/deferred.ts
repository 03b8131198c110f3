/**
 * A promise with its settle functions outside, for the stores' group commit (wal.ts,
 * redis.ts): the writers of one batch wait on one of these, settled when the batch is
 * durable or failed.
 */
export interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A batch nobody waits for (attempt counts, expiries) must not become an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** What `durable()` answers when nothing is pending or in flight. */
export const RESOLVED = Promise.resolve();
