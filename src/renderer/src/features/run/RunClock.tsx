/**
 * The run's elapsed lab time and event count. The time is written straight into the DOM from
 * an animation-frame loop (only while the run runs), so it advances smoothly without
 * rendering anything; React renders this leaf only when a status message arrives.
 */
import { useEffect, useRef, useState } from 'react';
import { selectRun, useLab } from '../../store';
import { ElapsedClock } from './elapsed-clock';
import { formatElapsed } from './format';

const UNKNOWN = '--:--:--.---';

export function RunClock() {
  const run = useLab(selectRun);
  const running = run?.state === 'running';
  const elapsedRef = useRef<HTMLSpanElement>(null);
  const [clock] = useState(() => new ElapsedClock());

  useEffect(() => {
    clock.observe(run, performance.now());
    writeElapsed(elapsedRef.current, clock.read(performance.now()));
  }, [clock, run]);

  useEffect(() => {
    if (!running) return;
    let frame = requestAnimationFrame(function tick() {
      writeElapsed(elapsedRef.current, clock.read(performance.now()));
      frame = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(frame);
  }, [clock, running]);

  return (
    <span className="run-clock">
      <span className="run-time">
        <span ref={elapsedRef} data-testid="run-elapsed" />
        {run?.durationMs != null && (
          <span className="muted" data-testid="run-duration">
            {' / '}
            {formatElapsed(run.durationMs)}
          </span>
        )}
      </span>
      <span className="run-events" data-testid="run-events">
        {run === null ? '–' : run.events.toLocaleString('en-US')} events
      </span>
    </span>
  );
}

function writeElapsed(element: HTMLElement | null, ms: number | null): void {
  if (element === null) return;
  const text = ms === null ? UNKNOWN : formatElapsed(ms);
  if (element.textContent !== text) element.textContent = text;
}
