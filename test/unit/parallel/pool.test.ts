/**
 * The worker pool: bounded workers and queue, progress, cancel (waiting, cooperative,
 * stubborn), a handler's error as that task's answer, a crashed worker as that task's
 * failure (the pool goes on), and close ending every task and worker.
 */
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINE_ERROR_CODES } from '../../../src/main/engine/errors';
import { POOL_ERROR_CODES } from '../../../src/main/engine/parallel/errors';
import {
  poolSize,
  POOL_WORKERS_MAX,
  WorkerPool,
  type PoolOptions,
} from '../../../src/main/engine/parallel/pool';
import type { TestTasks } from './fixtures/test-tasks';

const workerUrl = new URL('./fixtures/test-worker.mjs', import.meta.url);
const pools: WorkerPool<TestTasks>[] = [];
const makePool = (options: Omit<PoolOptions, 'workerUrl'> = {}) => {
  const pool = new WorkerPool<TestTasks>({ workerUrl, ...options });
  pools.push(pool);
  return pool;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

const codeOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'resolved',
    (error: { code?: string }) => error.code ?? 'no code',
  );

describe('worker pool', () => {
  it('has at most one worker per core, however many are asked for', () => {
    const cores = availableParallelism();
    expect(poolSize()).toBe(Math.min(cores, POOL_WORKERS_MAX));
    expect(poolSize(1)).toBe(1);
    expect(poolSize(0)).toBe(1);
    expect(poolSize(10_000)).toBe(Math.min(cores, POOL_WORKERS_MAX));
  });

  it('runs tasks in its workers, never more at once than its size, and answers each', async () => {
    const pool = makePool({ workers: 1 });
    const runs = [1, 2, 3].map(() => pool.run('steps', { steps: 2, stepMs: 20 }));
    expect(pool.load).toEqual({ queued: 2, running: 1, workers: 1 });
    const answers = await Promise.all(runs);
    // One worker did all three, one after another.
    expect(new Set(answers.map((a) => a.threadId)).size).toBe(1);
    expect(answers.map((a) => a.ran)).toEqual([2, 2, 2]);
    expect(await pool.run('echo', { text: 'hello' })).toMatchObject({ text: 'hello' });
  });

  it('runs tasks on different threads at once when it has more than one worker', async () => {
    if (availableParallelism() < 2) return;
    const pool = makePool({ workers: 2 });
    const answers = await Promise.all([
      pool.run('steps', { steps: 3, stepMs: 30 }),
      pool.run('steps', { steps: 3, stepMs: 30 }),
    ]);
    expect(new Set(answers.map((a) => a.threadId)).size).toBe(2);
  });

  it('refuses a task beyond its queue bound, saying how many wait and what is allowed', async () => {
    const pool = makePool({ workers: 1, queueMax: 1 });
    const running = pool.run('steps', { steps: 3, stepMs: 20 });
    const waiting = pool.run('echo', { text: 'queued' });
    await expect(pool.run('echo', { text: 'one too many' })).rejects.toMatchObject({
      code: POOL_ERROR_CODES.QUEUE_FULL,
      message: 'echo: 1 tasks already wait for a worker; allowed at most 1',
    });
    await expect(running).resolves.toMatchObject({ ran: 3 });
    await expect(waiting).resolves.toMatchObject({ text: 'queued' });
  });

  it('forwards progress while a task runs', async () => {
    const pool = makePool({ workers: 1 });
    const seen: number[] = [];
    await pool.run('steps', { steps: 3, stepMs: 120 }, { onProgress: (n) => seen.push(n) });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('cancels a waiting task at once and a running one when it stops, keeping its worker', async () => {
    const pool = makePool({ workers: 1 });
    const first = new AbortController();
    const second = new AbortController();
    const running = pool.run('steps', { steps: 1000, stepMs: 10 }, { signal: first.signal });
    const waiting = pool.run('echo', { text: 'never' }, { signal: second.signal });
    second.abort();
    expect(await codeOf(waiting)).toBe(ENGINE_ERROR_CODES.CANCELLED);
    expect(pool.load.queued).toBe(0);
    first.abort();
    await expect(running).rejects.toMatchObject({
      code: ENGINE_ERROR_CODES.CANCELLED,
      message: 'steps: cancelled',
    });
    expect(pool.load.workers).toBe(1);
    await expect(pool.run('echo', { text: 'after' })).resolves.toMatchObject({ text: 'after' });
    // An aborted signal cancels before anything is queued.
    expect(await codeOf(pool.run('echo', { text: 'x' }, { signal: first.signal }))).toBe(
      ENGINE_ERROR_CODES.CANCELLED,
    );
  });

  it('terminates the worker of a cancelled task that does not stop, and goes on with a new one', async () => {
    const pool = makePool({ workers: 1, cancelGraceMs: 100 });
    const { threadId: firstThread } = await pool.run('echo', { text: 'warm' });
    const stop = new AbortController();
    const stubborn = pool.run('stubborn', {}, { signal: stop.signal });
    stop.abort();
    expect(await codeOf(stubborn)).toBe(ENGINE_ERROR_CODES.CANCELLED);
    const after = await pool.run('echo', { text: 'next' });
    expect(after.threadId).not.toBe(firstThread);
  });

  it("answers a handler's error with its code, and the worker stays", async () => {
    const pool = makePool({ workers: 1 });
    const { threadId } = await pool.run('echo', { text: 'warm' });
    await expect(pool.run('fail', {})).rejects.toMatchObject({
      code: 'ERR_TEST_BROKEN',
      message: 'broken on purpose',
    });
    expect((await pool.run('echo', { text: 'again' })).threadId).toBe(threadId);
  });

  it('fails only the task whose worker crashed or exited, and goes on with a new worker', async () => {
    const pool = makePool({ workers: 1 });
    const { threadId } = await pool.run('echo', { text: 'warm' });
    const crash = pool.run('crash', {});
    // Queued behind the crash: it runs on the worker that replaces the crashed one.
    const queued = pool.run('echo', { text: 'behind the crash' });
    await expect(crash).rejects.toMatchObject({
      code: POOL_ERROR_CODES.WORKER_CRASHED,
      message: 'crash: its worker stopped (exit code 1): crashed on purpose',
    });
    const behind = await queued;
    expect(behind.text).toBe('behind the crash');
    expect(behind.threadId).not.toBe(threadId);
    await expect(pool.run('exit', { code: 3 })).rejects.toMatchObject({
      code: POOL_ERROR_CODES.WORKER_CRASHED,
      message: 'exit: its worker stopped (exit code 3)',
    });
    const after = await pool.run('echo', { text: 'alive' });
    expect(after.threadId).not.toBe(threadId);
  });

  it("fails a task whose worker outgrows the pool's heap bound, and goes on", async () => {
    const pool = makePool({ workers: 1, heapMbMax: 64 });
    await expect(pool.run('hog', {})).rejects.toMatchObject({
      code: POOL_ERROR_CODES.WORKER_CRASHED,
      message: expect.stringMatching(/^hog: its worker stopped \(exit code \d+\): .*memory/),
    });
    await expect(pool.run('echo', { text: 'after' })).resolves.toMatchObject({ text: 'after' });
  }, 60_000);

  it('refuses a kind its workers do not run', async () => {
    const pool = makePool({ workers: 1 });
    await expect(pool.run('nothing' as 'echo', { text: '' })).rejects.toMatchObject({
      code: POOL_ERROR_CODES.UNKNOWN_TASK,
    });
  });

  it('ends waiting and running tasks on close, terminates its workers, refuses new tasks', async () => {
    const pool = makePool({ workers: 1 });
    const running = codeOf(pool.run('stubborn', {}));
    const waiting = codeOf(pool.run('echo', { text: 'never' }));
    expect(pool.load).toMatchObject({ running: 1, queued: 1, workers: 1 });
    await pool.close();
    expect(await running).toBe(POOL_ERROR_CODES.CLOSED);
    expect(await waiting).toBe(POOL_ERROR_CODES.CLOSED);
    expect(pool.load).toEqual({ queued: 0, running: 0, workers: 0 });
    expect(await codeOf(pool.run('echo', { text: 'late' }))).toBe(POOL_ERROR_CODES.CLOSED);
  });
});
