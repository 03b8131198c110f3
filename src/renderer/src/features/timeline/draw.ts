/**
 * Paints the scrubber's canvas: event density as bars above, markers as ticks in one lane per
 * kind below. The playhead is a DOM element over it, so travelling never repaints the canvas.
 */
import type { MarkerKind, TimelineInfo } from '../../../../shared/workbench';
import { layoutMarkers, MARKER_KINDS, MARKER_STYLE, type MarkerBand } from './markers';

/** Canvas height and its two parts (CSS pixels). */
export const CANVAS_HEIGHT = 60;
export const DENSITY_HEIGHT = 34;
export const MARKER_BAND: MarkerBand = { top: DENSITY_HEIGHT + 4, laneHeight: 4 };

export interface TimelineColors {
  density: string;
  baseline: string;
  markers: Record<MarkerKind, string>;
}

/**
 * The theme's colours, resolved by the browser through a probe element (the custom
 * properties are light-dark() pairs a canvas cannot read).
 */
export function themeColors(el: HTMLElement): TimelineColors {
  const probe = el.ownerDocument.createElement('span');
  el.appendChild(probe);
  const color = (name: string): string => {
    probe.style.color = `var(${name}, #888)`;
    return getComputedStyle(probe).color || '#888';
  };
  const markers = Object.fromEntries(
    MARKER_KINDS.map((kind) => [kind, color(MARKER_STYLE[kind].color)]),
  ) as Record<MarkerKind, string>;
  const colors = { density: color('--accent'), baseline: color('--border'), markers };
  probe.remove();
  return colors;
}

/** Paints `info` across `width` CSS pixels on a canvas scaled by `ratio` device pixels. */
export function drawTimeline(
  ctx: CanvasRenderingContext2D,
  info: TimelineInfo,
  width: number,
  ratio: number,
  colors: TimelineColors,
): void {
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, CANVAS_HEIGHT);
  ctx.fillStyle = colors.baseline;
  ctx.fillRect(0, DENSITY_HEIGHT, width, 1);

  const buckets = info.density.length;
  const peak = Math.max(1, ...info.density);
  const barWidth = width / Math.max(1, buckets);
  ctx.fillStyle = colors.density;
  info.density.forEach((count, i) => {
    if (count === 0) return;
    const height = Math.max(1, (count / peak) * (DENSITY_HEIGHT - 2));
    ctx.fillRect(i * barWidth, DENSITY_HEIGHT - height, Math.max(1, barWidth), height);
  });

  const scale = { firstT: info.firstT, lastT: info.lastT, width };
  for (const { marker, x, lane } of layoutMarkers(info.markers, scale)) {
    ctx.fillStyle = colors.markers[marker.kind];
    const y = MARKER_BAND.top + lane * MARKER_BAND.laneHeight;
    ctx.fillRect(Math.min(width - 2, Math.max(0, x - 1)), y, 2, MARKER_BAND.laneHeight - 1);
  }
}
