/**
 * The workbench's comparisons: one at a time (a newer one stops the one running), each
 * profile in a worker of the workbench's pool so the show on screen keeps its event loop,
 * each profile's progress kept for `compare.progress`, `compare.cancel` to stop it. The pool
 * is made on the first comparison and closed with the workbench.
 */
import type { Profile } from '../../../shared/events';
import type { CompareProgress, CompareResult } from '../../../shared/workbench';
import { describeError, ENGINE_ERROR_CODES, LabError } from '../errors';
import { poolSize, WorkerPool } from '../parallel/pool';
import type { EngineTasks } from '../parallel/tasks';
import { engineWorkerUrl } from '../parallel/worker-url';
import type { Scenario } from '../scenario/schema';
import { compareProfiles, type CompareOptions } from './compare';

/** Profiles a comparison runs at most (the `compare` command's bound). */
export const COMPARE_PROFILES_MAX = 3;

export interface ComparisonsOptions {
  /** Worker threads at most (default: one per profile, at most the cores); 0 runs in process. */
  workers?: number;
  /** The worker script (default `engineWorkerUrl()`). */
  workerUrl?: URL;
}

type CompareRequest = Pick<CompareOptions, 'profiles' | 'seed' | 'durationMs'>;

export class Comparisons {
  private pool: WorkerPool<EngineTasks> | null = null;
  private current: { stop: AbortController; done: Promise<unknown> } | null = null;
  private progressNow: CompareProgress;
  private closed = false;

  constructor(private readonly options: ComparisonsOptions = {}) {
    this.progressNow = {
      id: 0,
      running: false,
      where: this.inProcess ? 'in-process' : 'workers',
      workers: this.workers,
      profiles: [],
    };
  }

  private get inProcess(): boolean {
    return this.options.workers === 0;
  }

  private get workers(): number {
    return this.inProcess ? 1 : poolSize(this.options.workers ?? COMPARE_PROFILES_MAX);
  }

  /** Runs one comparison; the one running before is cancelled (its answer: ERR_CANCELLED). */
  async run(base: Scenario, request: CompareRequest): Promise<CompareResult> {
    if (this.current) {
      this.current.stop.abort();
      await this.current.done;
    }
    if (this.closed)
      throw new LabError(ENGINE_ERROR_CODES.CANCELLED, 'compare: the workbench has stopped');
    const stop = new AbortController();
    const durationMs = request.durationMs ?? base.duration;
    const progress: CompareProgress = {
      id: this.progressNow.id + 1,
      running: true,
      where: this.inProcess ? 'in-process' : 'workers',
      workers: this.workers,
      profiles: request.profiles.map((profile) => ({
        profile,
        state: 'waiting',
        elapsedMs: 0,
        durationMs,
      })),
    };
    this.progressNow = progress;
    const entry = (profile: Profile) => progress.profiles.find((p) => p.profile === profile)!;
    const done = compareProfiles(base, {
      ...request,
      signal: stop.signal,
      ...(this.inProcess ? {} : { pool: (this.pool ??= this.makePool()) }),
      onProgress: (profile, { elapsedMs }) => {
        const line = entry(profile);
        line.state = elapsedMs >= durationMs ? 'done' : 'running';
        line.elapsedMs = elapsedMs;
      },
    });
    this.current = { stop, done: done.catch(() => undefined) };
    try {
      const result = await done;
      for (const line of progress.profiles) {
        line.state = 'done';
        line.elapsedMs = durationMs;
      }
      return result;
    } catch (error) {
      const cancelled = describeError(error).code === ENGINE_ERROR_CODES.CANCELLED;
      for (const line of progress.profiles) {
        if (line.state !== 'done') line.state = cancelled ? 'cancelled' : 'failed';
      }
      throw error;
    } finally {
      progress.running = false;
      if (this.current?.stop === stop) this.current = null;
    }
  }

  /** The comparison running now, or the last one: a copy (the caller may keep it). */
  progress(): CompareProgress {
    return structuredClone(this.progressNow);
  }

  /** Stops the comparison running now; false when none runs. */
  cancel(): boolean {
    if (!this.current || this.current.stop.signal.aborted) return false;
    this.current.stop.abort();
    return true;
  }

  /** Stops the comparison running now and ends the workers. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancel();
    await this.current?.done;
    await this.pool?.close();
  }

  private makePool(): WorkerPool<EngineTasks> {
    return new WorkerPool<EngineTasks>({
      workerUrl: this.options.workerUrl ?? engineWorkerUrl(),
      workers: this.workers,
      queueMax: COMPARE_PROFILES_MAX,
    });
  }
}
