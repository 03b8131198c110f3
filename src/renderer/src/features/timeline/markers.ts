/**
 * Timeline markers, pure: their kinds in lane order, colours and legend labels, where each
 * is drawn (one lane per kind under the density bars) and which one the pointer is on.
 */
import type { MarkerKind, TimelineMarker } from '../../../../shared/workbench';
import { timeToX, type TimeScale } from './scale';

/** Top to bottom, the lanes of the marker band. */
export const MARKER_KINDS: readonly MarkerKind[] = [
  'outage',
  'expiry',
  'replacement',
  'receipt',
  'violation',
];

/** The legend's words and the theme colour (a CSS custom property) of each kind. */
export const MARKER_STYLE: Readonly<Record<MarkerKind, { label: string; color: string }>> = {
  outage: { label: 'outages', color: '--neutral' },
  expiry: { label: 'expiries', color: '--warn' },
  replacement: { label: 'replacements', color: '--info' },
  receipt: { label: 'receipts', color: '--ok' },
  violation: { label: 'violations', color: '--bad' },
};

/** Where the marker lanes sit on the canvas (CSS pixels). */
export interface MarkerBand {
  top: number;
  laneHeight: number;
}

export interface PlacedMarker {
  marker: TimelineMarker;
  x: number;
  lane: number;
}

/** Each marker at its x in its kind's lane. */
export function layoutMarkers(
  markers: readonly TimelineMarker[],
  scale: TimeScale,
): PlacedMarker[] {
  return markers.map((marker) => ({
    marker,
    x: timeToX(scale, marker.t),
    lane: MARKER_KINDS.indexOf(marker.kind),
  }));
}

/** The lane at height y, or null outside the band. */
export function laneAt(y: number, band: MarkerBand): number | null {
  const lane = Math.floor((y - band.top) / band.laneHeight);
  return y < band.top || lane >= MARKER_KINDS.length ? null : lane;
}

/** The marker nearest to (x, y) in the lane under y, within `tolerance` pixels of x. */
export function hitMarker(
  placed: readonly PlacedMarker[],
  x: number,
  y: number,
  band: MarkerBand,
  tolerance = 4,
): TimelineMarker | null {
  const lane = laneAt(y, band);
  if (lane === null) return null;
  let best: PlacedMarker | null = null;
  for (const p of placed) {
    const distance = Math.abs(p.x - x);
    if (p.lane !== lane || distance > tolerance) continue;
    if (best === null || distance < Math.abs(best.x - x)) best = p;
  }
  return best?.marker ?? null;
}
