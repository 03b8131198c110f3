/** Resolves on SIGINT or SIGTERM, so servers can close cleanly before the process exits. */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
