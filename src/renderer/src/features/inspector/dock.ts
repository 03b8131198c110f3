/**
 * The inspector's dock beside the views: how wide it may be, and how many octets a line of
 * its hex dump holds at a width. Pure, so the bounds and the dump's fit are unit-tested.
 */

/** The dock's width when first opened, in CSS pixels. */
export const DOCK_WIDTH_DEFAULT = 380;
/** Narrower than this the summary's labels and values no longer share a line. */
export const DOCK_WIDTH_MIN = 280;
/** Wider than this share of the window the views beside it become too narrow to use. */
export const DOCK_SHARE_MAX = 0.6;
/** One keyboard step of the resize handle (← widens, → narrows). */
export const DOCK_STEP = 24;

/** `width` held within the dock's bounds for a window `windowWidth` wide. */
export function clampDockWidth(width: number, windowWidth: number): number {
  const max = Math.max(DOCK_WIDTH_MIN, Math.floor(windowWidth * DOCK_SHARE_MAX));
  return Math.round(Math.min(max, Math.max(DOCK_WIDTH_MIN, width)));
}

/** Octets a hex line holds at most (the classic dump's 16), and at least. */
export const HEX_OCTETS_MAX = 16;
export const HEX_OCTETS_MIN = 4;

/**
 * Octets per hex line that fit `widthChars` monospace characters: a line is a 4-digit offset,
 * two spaces, then 3 characters an octet (less the last space). A multiple of 4, so the
 * columns stay aligned as the dock is resized.
 */
export function hexOctetsPerLine(widthChars: number): number {
  const fit = Math.floor((widthChars - 6 + 1) / 3);
  const aligned = Math.floor(fit / 4) * 4;
  return Math.min(HEX_OCTETS_MAX, Math.max(HEX_OCTETS_MIN, aligned));
}
