/** Whole seconds since `running` turned true, ticking while it stays true (for a progress line). */
import { useEffect, useState } from 'react';

export function useElapsed(running: boolean): number {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    if (!running) return;
    const start = performance.now();
    setSeconds(0);
    const timer = setInterval(
      () => setSeconds(Math.floor((performance.now() - start) / 1000)),
      500,
    );
    return () => clearInterval(timer);
  }, [running]);
  return seconds;
}
