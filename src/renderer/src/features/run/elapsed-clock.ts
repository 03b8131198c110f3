/**
 * The run's elapsed lab time between status messages. The host reports `elapsedMs` a few
 * times a second, and messages can arrive in bursts when the page is busy; in between, the
 * readout advances at the rate the reports of the last RATE_WINDOW_MS showed (at most the
 * pacing speed; the pacing speed itself until there is a window to measure), never
 * backwards within a running stretch, never past the duration, and never more than
 * EXTRAPOLATE_MAX_MS of real time beyond the last report.
 */
import type { RunStatus } from '../../../../shared/workbench';

/** How long (real ms) to keep advancing without news: about two status periods. */
export const EXTRAPOLATE_MAX_MS = 500;
/** Reports this far apart (real ms) measure the rate; closer ones came in one burst. */
export const RATE_WINDOW_MIN_MS = 200;
/** Reports older than this (real ms) no longer count for the rate. */
export const RATE_WINDOW_MS = 2000;

interface Report {
  elapsedMs: number;
  /** Local time (ms) it arrived. */
  at: number;
}

interface Stretch {
  epoch: number;
  running: boolean;
  speed: number;
  durationMs: number | null;
  /** The reports of this stretch (same lab, state and speed) within RATE_WINDOW_MS, oldest first. */
  reports: Report[];
}

export class ElapsedClock {
  private stretch: Stretch | null = null;
  /** The highest value shown while the run has been running. */
  private shown = 0;

  /** Takes a status (null: nothing known) that arrived at local time `at`. */
  observe(run: RunStatus | null, at: number): void {
    const previous = this.stretch;
    if (run === null) {
      this.stretch = null;
      this.shown = 0;
      return;
    }
    const running = run.state === 'running';
    const stillRunning = previous !== null && previous.epoch === run.epoch && previous.running;
    if (!running || !stillRunning) this.shown = run.elapsedMs;
    const report = { elapsedMs: run.elapsedMs, at };
    if (running && stillRunning && previous.speed === run.speed) {
      const reports = previous.reports.filter((r) => at - r.at <= RATE_WINDOW_MS);
      previous.reports = [...(reports.length > 0 ? reports : previous.reports.slice(-1)), report];
      previous.durationMs = run.durationMs;
      return;
    }
    this.stretch = {
      epoch: run.epoch,
      running,
      speed: run.speed,
      durationMs: run.durationMs,
      reports: [report],
    };
  }

  /** The elapsed lab time to show at local time `at` (null when no status is known). */
  read(at: number): number | null {
    const stretch = this.stretch;
    const last = stretch?.reports.at(-1);
    if (!stretch || !last) return null;
    if (!stretch.running) return last.elapsedMs;
    const ahead = Math.min(Math.max(0, at - last.at), EXTRAPOLATE_MAX_MS) * rate(stretch);
    let estimate = last.elapsedMs + ahead;
    if (stretch.durationMs !== null) estimate = Math.min(estimate, stretch.durationMs);
    this.shown = Math.max(this.shown, estimate);
    return this.shown;
  }
}

/** Simulated ms per real ms, as the stretch's reports show it (bounded by its speed). */
function rate(stretch: Stretch): number {
  const first = stretch.reports[0]!;
  const last = stretch.reports.at(-1)!;
  const span = last.at - first.at;
  if (span < RATE_WINDOW_MIN_MS) return stretch.speed;
  const measured = Math.max(0, (last.elapsedMs - first.elapsedMs) / span);
  return stretch.speed > 0 ? Math.min(measured, stretch.speed) : measured;
}
