/** The marker kinds in their colours, each with how many the recording holds. */
import type { MarkerKind } from '../../../../shared/workbench';
import { MARKER_KINDS, MARKER_STYLE } from './markers';

export function TimelineLegend({ counts }: { counts: Record<MarkerKind, number> | null }) {
  return (
    <ul className="timeline-legend" aria-label="Markers">
      {MARKER_KINDS.map((kind) => (
        <li key={kind} data-testid={`timeline-legend-${kind}`} data-count={counts?.[kind] ?? 0}>
          <span
            className="timeline-swatch"
            style={{ background: `var(${MARKER_STYLE[kind].color})` }}
          />
          {counts?.[kind] ?? 0} {MARKER_STYLE[kind].label}
        </li>
      ))}
    </ul>
  );
}
