/** Why a pool's task did not give an answer: each a stable code with one sentence. */
import { LabError } from '../errors';

export const POOL_ERROR_CODES = {
  /** More tasks are waiting than the pool's queue bound allows; nothing was queued. */
  QUEUE_FULL: 'ERR_POOL_QUEUE_FULL',
  /** The pool was closed before the task finished (or it was given after). */
  CLOSED: 'ERR_POOL_CLOSED',
  /** The worker running the task died (an uncaught error, out of memory, an exit). */
  WORKER_CRASHED: 'ERR_WORKER_CRASHED',
  /** A task kind the worker's table does not have. */
  UNKNOWN_TASK: 'ERR_POOL_UNKNOWN_TASK',
} as const;

export class PoolError extends LabError {
  override name = 'PoolError';
}
