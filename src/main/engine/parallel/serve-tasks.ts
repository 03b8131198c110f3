/**
 * The worker's side of a pool: takes `run` messages from the pool, runs each with its handler
 * from the table, forwards its progress (throttled) and answers `done` or `failed`. A handler's
 * error is an answer (`failed`, with its code); only a crash of the whole worker is the pool's
 * WORKER_CRASHED.
 */
import { parentPort } from 'node:worker_threads';
import type { Clock } from '../clock/clock';
import { RealClock } from '../clock/real';
import { describeError } from '../errors';
import { POOL_ERROR_CODES } from './errors';
import {
  PROGRESS_INTERVAL_MS,
  type FromWorker,
  type TaskHandlers,
  type TaskTable,
  type ToWorker,
} from './protocol';

export function serveTasks<T extends TaskTable>(
  handlers: TaskHandlers<T>,
  wall: Clock = new RealClock(),
): void {
  const port = parentPort;
  if (port === null) throw new Error('serveTasks: not in a worker thread');
  const post = (message: FromWorker): void => port.postMessage(message);
  /** Tasks running now, true once cancelled (a late cancel for a finished task is ignored). */
  const running = new Map<number, boolean>();
  port.on('message', (message: ToWorker) => {
    if (message.type === 'cancel') {
      if (running.has(message.id)) running.set(message.id, true);
      return;
    }
    const { id, kind, input } = message;
    const handler = Object.hasOwn(handlers, kind) ? handlers[kind] : undefined;
    if (handler === undefined) {
      post({
        type: 'failed',
        id,
        error: {
          code: POOL_ERROR_CODES.UNKNOWN_TASK,
          message: `task kind "${kind}" is not one this worker runs (${Object.keys(handlers).join(', ')})`,
        },
      });
      return;
    }
    let lastProgressAt = -Infinity;
    const context = {
      progress: (value: unknown): void => {
        const now = wall.now();
        if (now - lastProgressAt < PROGRESS_INTERVAL_MS) return;
        lastProgressAt = now;
        post({ type: 'progress', id, value });
      },
      cancelled: (): boolean => running.get(id) === true,
    };
    running.set(id, false);
    Promise.resolve()
      .then(() => handler(input, context))
      .then(
        (value) => {
          running.delete(id);
          post({ type: 'done', id, value });
        },
        (error: unknown) => {
          running.delete(id);
          post({ type: 'failed', id, error: describeError(error) });
        },
      );
  });
}
