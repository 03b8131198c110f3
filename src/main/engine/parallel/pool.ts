/**
 * A bounded pool of worker threads for independent work (a seed of a sweep, a profile of a
 * comparison): at most `size` workers, each running one task at a time, and at most
 * `queueMax` tasks waiting for one. Every task ends in exactly one answer — its value, or a
 * PoolError/LabError saying why not: refused (queue full, pool closed), cancelled, failed in
 * its handler (the handler's own code), or its worker crashed (that task fails; the pool goes
 * on with a new worker). `close` ends every task and terminates every worker.
 *
 *   run() ─▶ queue (≤ queueMax) ─▶ idle worker (≤ size, started on demand) ─▶ answer
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Clock, Timer } from '../clock/clock';
import { RealClock } from '../clock/real';
import { ENGINE_ERROR_CODES, LabError } from '../errors';
import { POOL_ERROR_CODES, PoolError } from './errors';
import type { FromWorker, TaskTable, ToWorker } from './protocol';

/** Workers in one pool, whatever is asked. */
export const POOL_WORKERS_MAX = 64;
/** Tasks waiting for a worker when the options say nothing. */
export const POOL_QUEUE_DEFAULT = 10_000;
/** How long a cancelled task may take to stop before its worker is terminated. */
export const CANCEL_GRACE_MS_DEFAULT = 2_000;

export interface PoolOptions {
  /** The worker script: `engineWorkerUrl()` for the engine's tasks (tasks.ts). */
  workerUrl: URL;
  /** Workers wanted; at most the machine's cores and POOL_WORKERS_MAX. Default: the cores. */
  workers?: number;
  /** Tasks waiting for a worker before `run` refuses (ERR_POOL_QUEUE_FULL). Default 10,000. */
  queueMax?: number;
  /** A cancelled task's worker is terminated when it has not stopped after this (ms). */
  cancelGraceMs?: number;
  /** Each worker's heap bound (MB), so one runaway task cannot take the machine's memory. */
  heapMbMax?: number;
  /** Times the cancel grace (real time by default). */
  wall?: Clock;
}

export interface RunOptions<P> {
  /** Progress the task reports, at most one a PROGRESS_INTERVAL_MS. */
  onProgress?: (value: P) => void;
  /** Aborting cancels the task: dropped if it waits, asked to stop (then terminated) if it runs. */
  signal?: AbortSignal;
}

interface Task {
  id: number;
  kind: string;
  input: unknown;
  onProgress: ((value: unknown) => void) | undefined;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
  state: 'queued' | 'running' | 'settled';
}

interface Slot {
  worker: Worker;
  task: Task | null;
  /** Set when the running task was cancelled: its answer is CANCELLED whatever it says. */
  cancelTimer: Timer | null;
  /** Terminated on purpose: its exit is no crash. */
  retiring: boolean;
}

/** Workers a pool gets for `requested` (undefined: one per core) on this machine. */
export function poolSize(requested?: number): number {
  const cores = Math.max(1, availableParallelism());
  const wanted = requested === undefined ? cores : Math.max(1, Math.floor(requested));
  return Math.min(wanted, cores, POOL_WORKERS_MAX);
}

export class WorkerPool<T extends TaskTable> {
  /** Workers this pool runs at most. */
  readonly size: number;
  private readonly queueMax: number;
  private readonly cancelGraceMs: number;
  private readonly wall: Clock;
  /** Waiting tasks in order; a cancelled one stays until dispatch passes it (O(1) cancel). */
  private readonly queue: Task[] = [];
  /** Tasks in `queue` still waiting (not cancelled). */
  private waiting = 0;
  private readonly slots = new Set<Slot>();
  private readonly exits = new Set<Promise<void>>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: PoolOptions) {
    this.size = poolSize(options.workers);
    this.queueMax = options.queueMax ?? POOL_QUEUE_DEFAULT;
    this.cancelGraceMs = options.cancelGraceMs ?? CANCEL_GRACE_MS_DEFAULT;
    this.wall = options.wall ?? new RealClock();
  }

  /** Tasks waiting and running now. */
  get load(): { queued: number; running: number; workers: number } {
    let running = 0;
    for (const slot of this.slots) if (slot.task) running += 1;
    return { queued: this.waiting, running, workers: this.slots.size };
  }

  /** Runs one task of `kind` in a worker; resolves with its output. */
  run<K extends keyof T & string>(
    kind: K,
    input: T[K]['input'],
    options: RunOptions<T[K]['progress']> = {},
  ): Promise<T[K]['output']> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new PoolError(POOL_ERROR_CODES.CLOSED, `${kind}: the worker pool is closed`));
        return;
      }
      if (options.signal?.aborted) {
        reject(cancelled(kind));
        return;
      }
      if (this.waiting >= this.queueMax) {
        reject(
          new PoolError(
            POOL_ERROR_CODES.QUEUE_FULL,
            `${kind}: ${this.waiting} tasks already wait for a worker; allowed at most ${this.queueMax}`,
          ),
        );
        return;
      }
      const task: Task = {
        id: this.nextId++,
        kind,
        input,
        onProgress: options.onProgress as ((value: unknown) => void) | undefined,
        resolve: resolve as (value: unknown) => void,
        reject,
        signal: options.signal,
        onAbort: () => this.cancel(task),
        state: 'queued',
      };
      task.signal?.addEventListener('abort', task.onAbort, { once: true });
      this.queue.push(task);
      this.waiting += 1;
      this.dispatch();
    });
  }

  /** Ends every task (CLOSED) and terminates every worker; resolves once all have exited. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) {
      if (task.state !== 'queued') continue;
      this.waiting -= 1;
      this.settle(
        task,
        new PoolError(POOL_ERROR_CODES.CLOSED, `${task.kind}: the worker pool closed`),
      );
    }
    for (const slot of [...this.slots]) {
      const task = slot.task;
      slot.task = null;
      if (task) {
        this.settle(
          task,
          new PoolError(POOL_ERROR_CODES.CLOSED, `${task.kind}: the worker pool closed`),
        );
      }
      this.retire(slot);
    }
    await Promise.all([...this.exits]);
  }

  private dispatch(): void {
    while (this.waiting > 0) {
      const slot = this.idleSlot();
      if (slot === null) return;
      let task = this.queue.shift()!;
      while (task.state !== 'queued') task = this.queue.shift()!;
      this.waiting -= 1;
      task.state = 'running';
      slot.task = task;
      slot.worker.ref();
      slot.worker.postMessage({
        type: 'run',
        id: task.id,
        kind: task.kind,
        input: task.input,
      } satisfies ToWorker);
    }
  }

  private idleSlot(): Slot | null {
    for (const slot of this.slots) if (slot.task === null && !slot.retiring) return slot;
    let live = 0;
    for (const slot of this.slots) if (!slot.retiring) live += 1;
    return live < this.size ? this.spawn() : null;
  }

  private spawn(): Slot {
    const worker = new Worker(this.options.workerUrl, {
      ...(this.options.heapMbMax !== undefined
        ? { resourceLimits: { maxOldGenerationSizeMb: this.options.heapMbMax } }
        : {}),
    });
    // An idle worker does not keep the process alive; a busy one does (ref'd while it runs).
    worker.unref();
    const slot: Slot = { worker, task: null, cancelTimer: null, retiring: false };
    this.slots.add(slot);
    let lastError: Error | null = null;
    worker.on('message', (message: FromWorker) => this.answer(slot, message));
    worker.on('error', (error) => {
      lastError = error;
    });
    const exited = new Promise<void>((resolve) => {
      worker.once('exit', (code) => {
        this.slots.delete(slot);
        slot.cancelTimer?.cancel();
        const task = slot.task;
        slot.task = null;
        if (task) {
          const why = lastError ? `: ${lastError.message}` : '';
          this.settle(
            task,
            slot.retiring && task.signal?.aborted
              ? cancelled(task.kind)
              : new PoolError(
                  POOL_ERROR_CODES.WORKER_CRASHED,
                  `${task.kind}: its worker stopped (exit code ${code})${why}`,
                ),
          );
        }
        this.exits.delete(exited);
        resolve();
        if (!this.closed) this.dispatch();
      });
    });
    this.exits.add(exited);
    return slot;
  }

  private answer(slot: Slot, message: FromWorker): void {
    const task = slot.task;
    if (task === null || task.id !== message.id) return;
    if (message.type === 'progress') {
      if (!task.signal?.aborted) task.onProgress?.(message.value);
      return;
    }
    slot.task = null;
    slot.cancelTimer?.cancel();
    slot.cancelTimer = null;
    slot.worker.unref();
    if (task.signal?.aborted) this.settle(task, cancelled(task.kind));
    else if (message.type === 'done') this.settle(task, null, message.value);
    else this.settle(task, new LabError(message.error.code, message.error.message));
    this.dispatch();
  }

  private cancel(task: Task): void {
    if (task.state === 'queued') {
      this.waiting -= 1;
      this.settle(task, cancelled(task.kind));
      return;
    }
    for (const slot of this.slots) {
      if (slot.task !== task) continue;
      slot.worker.postMessage({ type: 'cancel', id: task.id } satisfies ToWorker);
      slot.cancelTimer = this.wall.schedule(this.cancelGraceMs, () => this.retire(slot));
    }
  }

  private retire(slot: Slot): void {
    if (slot.retiring) return;
    slot.retiring = true;
    slot.cancelTimer?.cancel();
    void slot.worker.terminate();
  }

  private settle(task: Task, error: Error | null, value?: unknown): void {
    if (task.state === 'settled') return;
    task.state = 'settled';
    task.signal?.removeEventListener('abort', task.onAbort);
    if (error) task.reject(error);
    else task.resolve(value);
  }
}

const cancelled = (kind: string): LabError =>
  new LabError(ENGINE_ERROR_CODES.CANCELLED, `${kind}: cancelled`);
