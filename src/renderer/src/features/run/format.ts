/** How the run controls write pacing speed (lab time: src/shared/format.ts). Pure. */

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
