/** The signals that ask a command to stop cleanly (Ctrl-C, and `kill`'s default). */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Resolves on SIGINT or SIGTERM, so servers can close cleanly before the process exits. */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    onStopSignal(resolve);
  });
}

/**
 * Calls `handler` on the first SIGINT or SIGTERM instead of dying (a second one kills as
 * usual, for a stop that hangs), until the returned function is called: a run stopped this
 * way still closes its recordings with a closing record.
 */
export function onStopSignal(handler: () => void): () => void {
  const stop = (): void => {
    for (const signal of STOP_SIGNALS) process.off(signal, once);
  };
  const once = (): void => {
    stop();
    handler();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, once);
  return stop;
}
