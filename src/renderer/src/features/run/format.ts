/** How the run controls write lab time and pacing speed. Pure. */

/** Simulated milliseconds as `HH:MM:SS.mmm` (hours keep growing past 99). */
export function formatElapsed(ms: number): string {
  const total = Number.isFinite(ms) ? Math.max(0, Math.floor(ms)) : 0;
  const millis = total % 1000;
  const seconds = Math.floor(total / 1000) % 60;
  const minutes = Math.floor(total / 60_000) % 60;
  const hours = Math.floor(total / 3_600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(hours)}:${two(minutes)}:${two(seconds)}.${String(millis).padStart(3, '0')}`;
}

/** A pacing speed for people: `max` for 0 (as fast as the machine allows), else `N×`. */
export function formatSpeed(speed: number): string {
  return speed === 0 ? 'max' : `${speed}×`;
}

/** The speeds to offer: the usual choices, plus the current one when it is not among them. */
export function speedOptions(choices: readonly number[], current: number | null): number[] {
  if (current === null || choices.includes(current)) return [...choices];
  const nonZero = [...choices.filter((s) => s !== 0), current].sort((a, b) => a - b);
  return choices.includes(0) ? [...nonZero, 0] : nonZero;
}
