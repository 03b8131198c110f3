/** A comparison's progress as the Compare form shows it, one line per profile. Pure. */
import type { CompareProfileProgress, CompareProgress } from '../../../../shared/workbench';
import { formatLabTime } from '../../../../shared/format';

const STATE_WORDS: Readonly<Record<CompareProfileProgress['state'], string>> = {
  waiting: 'waiting for a worker',
  running: 'running',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** The share of its lab time a profile's run has reached, 0 to 1. */
export function share(p: CompareProfileProgress): number {
  return p.durationMs > 0 ? Math.min(1, p.elapsedMs / p.durationMs) : 1;
}

/** `draft-thomson: running, 42% (00:50.0 of 02:00.0)`. */
export function profileLine(p: CompareProfileProgress): string {
  const at = `${formatLabTime(p.elapsedMs)} of ${formatLabTime(p.durationMs)}`;
  return `${p.profile}: ${STATE_WORDS[p.state]}, ${Math.floor(share(p) * 100)}% (${at})`;
}

/** `in 2 worker threads, at once` or `one after another in the engine`. */
export function whereLine(progress: CompareProgress): string {
  return progress.where === 'workers'
    ? `in ${progress.workers} worker thread${progress.workers === 1 ? '' : 's'}, at once`
    : 'one after another in the engine';
}
