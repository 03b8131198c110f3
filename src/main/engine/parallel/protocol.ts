/**
 * What a pool and its workers say to each other, and how a table of task kinds is typed. One
 * task runs in a worker at a time; every message names the task it belongs to.
 *
 *   pool ──run {id, kind, input}──▶ worker ──progress {id, value}…──▶ pool
 *        ──cancel {id}───────────▶        ──done {id, value} | failed {id, error}──▶
 */
import type { ErrorInfo } from '../../../shared/result';

/** One kind of task: what it takes, what it reports while it runs, what it answers. */
export interface TaskSpec<I = unknown, P = unknown, O = unknown> {
  input: I;
  progress: P;
  output: O;
}

/** Task kinds by name (e.g. `EngineTasks` in tasks.ts). */
export type TaskTable = { [kind: string]: TaskSpec };

/** What a task's handler may use while it runs in its worker. */
export interface TaskContext<P> {
  /** Reports progress; the worker forwards at most one a PROGRESS_INTERVAL_MS, drops the rest. */
  progress(value: P): void;
  /** True once the pool asked the task to stop: a handler polls it and ends early. */
  cancelled(): boolean;
}

export type TaskHandler<S extends TaskSpec> = (
  input: S['input'],
  context: TaskContext<S['progress']>,
) => Promise<S['output']>;

export type TaskHandlers<T extends TaskTable> = { [K in keyof T]: TaskHandler<T[K]> };

export type ToWorker =
  { type: 'run'; id: number; kind: string; input: unknown } | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'progress'; id: number; value: unknown }
  | { type: 'done'; id: number; value: unknown }
  | { type: 'failed'; id: number; error: ErrorInfo };

/** Progress messages a worker sends per task at most this often (real time). */
export const PROGRESS_INTERVAL_MS = 100;
